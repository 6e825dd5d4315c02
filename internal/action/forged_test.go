package action

import (
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
)

func TestStripForged(t *testing.T) {
	hdr := "Received: from a\r\n" +
		"Authentication-Results: gw.example.jp; spf=pass\r\n smtp.mailfrom=x@example.net\r\n" +
		"Authentication-Results: mx.partner.example; dkim=pass\r\n" +
		"X-Spam-Flag: NO\r\n" +
		"x-spam-level: \r\n" +
		"X-Sekisho-Verdict: action=accept;\r\n\tcategory=clean\r\n" +
		"Subject: hi\r\n\r\n"
	out := string(stripHeader([]byte(hdr), "GW.example.jp"))
	want := "Received: from a\r\nAuthentication-Results: mx.partner.example; dkim=pass\r\nSubject: hi\r\n\r\n"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
	fs := []pipeline.HeaderField{{Name: "Authentication-Results", Value: " mx.partner.example; dkim=pass"},
		{Name: "authentication-results", Value: " gw.example.jp; spf=pass"}, {Name: "X-Spam-Flag", Value: "NO"}}
	got := StripList(fs, "gw.example.jp")
	if len(got) != 2 || got[0] != (StripField{"Authentication-Results", 2}) || got[1] != (StripField{"X-Spam-Flag", 1}) {
		t.Errorf("strip list %+v", got)
	}
	if s := stripHeader([]byte("Subject: x\r\n\r\n"), "gw"); string(s) != "Subject: x\r\n\r\n" {
		t.Errorf("clean header changed: %q", s)
	}
}
