package content

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
)

// oldHeaderFields is someFields' header loop as it was: a key per header.
func oldHeaderFields(m *mail.Message, uses map[string]bool) map[string]string {
	f := map[string]string{}
	for _, h := range m.Headers {
		k := "header:" + strings.ToLower(h.Name)
		if !uses[k] {
			continue
		}
		if _, ok := f[k]; !ok {
			f[k] = h.Value
		}
	}
	return f
}

func headerFieldsOf(f map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		if strings.HasPrefix(k, "header:") {
			out[k] = v
		}
	}
	return out
}

// FuzzSomeFieldsHeaders: the header fields someFields picks are the
// first header of each lower-cased name, as with a key built per header.
func FuzzSomeFieldsHeaders(f *testing.F) {
	fs, _ := filepath.Glob("../../mail/testdata/*.eml")
	for _, p := range fs {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("In-Reply-To: <a@b>\r\nREFERENCES: <c@d>\r\nreferences: <e@f>\r\nX-Ünï: 1\r\nX-\u212aey: k\r\nSubject: x\r\n\r\nbody"))
	uses := map[string]bool{"subject": true, "body": true, "header:in-reply-to": true, "header:references": true,
		"header:x-ünï": true, "header:x-key": true, "header:X-Upper": true, "header:subject": true, "header:": true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := mail.Parse(raw, mail.Limits{})
		got := headerFieldsOf(someFields(m, func() []mail.URL { return nil }, uses, nil))
		if want := oldHeaderFields(m, uses); !maps.Equal(got, want) {
			t.Fatalf("header fields %q, want %q", got, want)
		}
	})
}
