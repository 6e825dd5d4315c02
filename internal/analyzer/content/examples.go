package content

import (
	"context"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/mail"
)

// exampleFields turns a rule example into matchable fields. An example is
// either plain text (placed in every field: subject, body, headers, links,
// sender, attachment names) or a small message starting with a header line
// ("Subject:", "From:", "Content-Type:"), parsed as mail. A first line
// "#symbols: A B" pretends other analyzers reported those symbols.
func exampleFields(ex string) (map[string]string, map[string]bool) {
	syms := map[string]bool{}
	if strings.HasPrefix(ex, "#symbols:") {
		line := ex
		rest := ""
		if i := strings.IndexByte(ex, '\n'); i >= 0 {
			line, rest = ex[:i], ex[i+1:]
		}
		for _, s := range strings.Fields(strings.TrimPrefix(line, "#symbols:")) {
			syms[s] = true
		}
		ex = rest
	}
	if len(ex) > maxExampleLen {
		ex = ex[:maxExampleLen]
	}
	low := strings.ToLower(ex)
	if strings.HasPrefix(low, "subject:") || strings.HasPrefix(low, "from:") || strings.HasPrefix(low, "content-type:") {
		raw := strings.ReplaceAll(ex, "\r\n", "\n")
		if !strings.Contains(strings.SplitN(raw, "\n\n", 2)[0], "MIME-Version") {
			raw = "MIME-Version: 1.0\n" + raw
		}
		m := mail.Parse([]byte(strings.ReplaceAll(raw, "\n", "\r\n")), mail.Limits{})
		return messageFields(m, m.URLs), syms
	}
	f := map[string]string{}
	for k := range fields {
		f[k] = ex
	}
	return f, syms
}

// CheckExamples runs every rule's positive and negative examples through
// the whole rule set and returns what failed (nil when all pass).
func (a *Analyzer) CheckExamples() []error {
	var errs []error
	for _, r := range a.rules {
		for _, want := range []bool{true, false} {
			exs := r.Positive
			if !want {
				exs = r.Negative
			}
			for _, ex := range exs {
				f, syms := exampleFields(ex)
				got := false
				for _, h := range a.Evaluate(context.Background(), f, func(s string) bool { return syms[s] }) {
					if h.Rule.Name == r.Name {
						got = true
					}
				}
				if got != want {
					kind := "positive"
					if !want {
						kind = "negative"
					}
					errs = append(errs, fmt.Errorf("%s: %s example %q: fired=%v", r.Name, kind, trunc(ex, 80), got))
				}
			}
		}
	}
	return errs
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
