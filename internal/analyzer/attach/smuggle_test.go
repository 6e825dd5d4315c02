package attach

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestHTMLPayloadScanners(t *testing.T) {
	pe := append([]byte("MZ"), make([]byte, 120)...)
	b64 := base64.StdEncoding.EncodeToString(pe)
	wrapped := b64[:40] + "\r\n  " + b64[40:]
	page := "<p>İstanbul ünïcode first</p><a href=\"DATA:Application/X-MSDownload;name=a.exe;Base64," + wrapped + "\">x</a>" +
		`<img src="data:image/png;base64,` + b64 + `">` + `<a href="data:text/plain,hello">` + `<a href="data:;base64,short">` +
		"<script>var s = atob('" + b64 + "');var t=`" + b64 + "`;var blob;</script>"
	ps := htmlPayloads([]byte(page), 1<<20)
	var hows []string
	for _, p := range ps {
		if !bytes.Equal(p.data, pe) {
			t.Errorf("%s: decoded %d bytes %q", p.how, len(p.data), p.data[:min(len(p.data), 8)])
		}
		hows = append(hows, p.how)
	}
	if got := strings.Join(hows, "|"); got != "data: URI (application/x-msdownload)|base64 string in script|base64 string in script" {
		t.Errorf("payloads %q", got)
	}
	// a literal that is too short, one not closed, text runs
	for _, s := range []string{`"` + strings.Repeat("A", 79) + `"`, `'` + strings.Repeat("QUJD", 40), "no quotes at all " + b64} {
		if l := base64Literals([]byte(s), 10); len(l) != 0 {
			t.Errorf("%.20q: %d literals", s, len(l))
		}
	}
}

// FuzzHTMLPayloads checks the data: URI and base64 literal scanners.
func FuzzHTMLPayloads(f *testing.F) {
	f.Add([]byte(`<a href="data:application/zip;base64,UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA">`))
	f.Add([]byte("<script>atob(\"" + strings.Repeat("TVqQ", 30) + "==\")</script>"))
	f.Add([]byte("data:;base64,data:x;base64,\"'`===="))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, u := range dataURIs(asciiLower(b), 100) {
			if u.start > u.end || u.end > len(b) {
				t.Fatalf("bad span %+v", u)
			}
		}
		for _, l := range base64Literals(b, 100) {
			if len(l) < 80 {
				t.Fatalf("short literal %q", l)
			}
		}
		if ps := htmlPayloads(b, 1<<16); len(ps) > maxSmuggled {
			t.Fatal("too many payloads")
		}
	})
}
