package mail

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hostileSeeds are hand-made inputs that have broken parsers before.
var hostileSeeds = []string{
	"",
	"\r\n\r\n",
	"From: a@b\r\n",
	"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n----\r\n",
	"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x--\r\n",
	"Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n",
	"Content-Type: text/html\r\n\r\n<a href=\"" + strings.Repeat("x", 100) + "\">" + strings.Repeat("<b>", 300),
	"Content-Type: text/html\r\n\r\n<style>.a{display:none}@media x{.b{font-size:0}}</style><p class=a>x",
	"Subject: =?utf-8?B?" + strings.Repeat("=", 10) + "?= =?utf-8?Q?=E3=81?= =?x?q?a?=\r\n\r\n",
	"Subject: =?ISO-2022-JP?B?GyRCJCIbKEI=?=\r\n =?iso-2022-jp?b?GyRC?=\r\n\r\n",
	"Content-Type: text/plain; charset=utf-7\r\n\r\n+AGEAYgBj- +ZeVnLIqe +-",
	"Content-Type: text/plain; charset=utf-16\r\n\r\n\xff\xfea\x00b\x00\x00\xd8",
	"Content-Transfer-Encoding: quoted-printable\r\n\r\n=\r\n=4=\n=ZZ",
	"Content-Transfer-Encoding: base64\r\n\r\n====AAAA!!!",
	"Content-Type: text/plain\r\n\r\nbegin 644 x\nM\nend\n",
	"Content-Disposition: attachment; filename*0*=x''%; filename*99999999999=a; filename*1*=%ZZ\r\n\r\n",
	"From: \"unterminated <a@b>, (comment <c@d>\r\nTo: ,,,;;;<<>>\r\n\r\n",
	"Date: Mon, 99 Foo 2024 99:99:99 +9999\r\nMessage-ID: <<<>>>\r\n\r\n",
	"\x1b$B\x1b(B\x1b$(D\r\n\r\n\x1b$B$\"",
	"Subject: \x82\xa0\x82\xa2\xa4\xa2\xff\xfe\r\n\r\n\x8e",
}

func addSeeds(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob("testdata/*.eml")
	for _, fn := range files {
		if b, err := os.ReadFile(fn); err == nil {
			f.Add(b)
		}
	}
}

var fuzzLimits = Limits{MaxParts: 50, MaxDepth: 8, MaxHeaders: 100, MaxTextBytes: 1 << 16, MaxURLs: 100}

// FuzzParse: no panic, all strings valid UTF-8, counts within limits.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		// A watchdog: a hang is a bug; keep the input before dying.
		tm := time.AfterFunc(10*time.Second, func() {
			_ = os.WriteFile(filepath.Join(os.TempDir(), "sekisho-fuzz-hang"), raw, 0o600)
			panic("Parse took over 10 s")
		})
		defer tm.Stop()
		m := Parse(raw, fuzzLimits)
		checkInvariants(t, m, fuzzLimits)
		checkSpans(t, m)
		// The root's body from its span, and the root's index (rebuilt
		// only when a child's block was indexed after it), as a second
		// split and a fresh lookup give them.
		if rb, b := rootBody(m.Raw, m.Root), bodyOf(m.Raw); !bytes.Equal(rb, b) {
			t.Fatalf("rootBody %q, bodyOf %q", rb, b)
		}
		for _, c := range []struct{ got, name string }{{m.Subject, "Subject"}, {m.FromHeader, "From"}} {
			if want := m.Headers.Get(c.name); c.got != want {
				t.Fatalf("%s %q, Headers.Get %q", c.name, c.got, want)
			}
		}
		if dup := m.Headers.Count("Subject") > 1; dup != hasAnomalyDetail(m, AnomalyDuplicateHeader, "Subject") {
			t.Fatalf("duplicate Subject %v, anomaly %v", dup, !dup)
		}
		if h, b, ok := m.Split(raw); ok {
			if rh, rb := refSplit(raw); !bytes.Equal(h, rh) || !bytes.Equal(b, rb) {
				t.Fatalf("Split differs from the reference splitter: %q|%q vs %q|%q", h, b, rh, rb)
			}
		}
	})
}

// FuzzDecodeHeader: RFC 2047 words, raw 8-bit and folding.
func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{
		"=?UTF-8?B?5pel5pys?=", "=?utf-8?q?a_b=3F?= =?utf-8?q?c?=", "=?ISO-2022-JP?B?GyRCJCIbKEI=?=",
		"=?shift_jis?B?gqA=?= =?shift_jis?B?gqI=?=", "\x82\xa0\x82\xa2", "=?x?b?AAAA?=", "=??=", "=?utf-8*ja?Q?=ZZ?=",
		"attachment; filename*0*=UTF-8''%E6%97; filename*1*=%A5", "a\r\n b\r\n\tc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := DecodeHeader(s)
		if !utf8.ValidString(out) {
			t.Fatalf("DecodeHeader(%q) = %q: invalid UTF-8", s, out)
		}
		if strings.ContainsAny(out, "\r\n") {
			t.Fatalf("DecodeHeader(%q) = %q: line break", s, out)
		}
		mt, params, _ := parseMediaType(s)
		if !utf8.ValidString(mt) {
			t.Fatalf("media type %q", mt)
		}
		for k, v := range params {
			var p parser
			if !utf8.ValidString(p.decodeWords(v)) {
				t.Fatalf("param %q=%q", k, v)
			}
		}
		av := addressValue(s)
		if !utf8.ValidString(av) {
			t.Fatalf("addressValue(%q) = %q", s, av)
		}
		for _, a := range append(ParseAddressList(out), ParseAddressList(av)...) {
			if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Addr) {
				t.Fatalf("address %+v", a)
			}
		}
	})
}

// FuzzDecodeCharset: any bytes under any label decode to valid UTF-8.
func FuzzDecodeCharset(f *testing.F) {
	for _, l := range []string{"", "utf-8", "iso-2022-jp", "shift_jis", "euc-jp", "gbk", "big5", "koi8-r", "utf-16", "utf-7", "iso-8859-1", "bogus"} {
		f.Add([]byte("\x82\xa0\x1b$B$\"\x1b(B\xa4\xa2+AGE-\x00a"), l)
	}
	f.Fuzz(func(t *testing.T, b []byte, label string) {
		s, used, _, _ := decodeCharset(b, label)
		if !utf8.ValidString(s) || !utf8.ValidString(used) {
			t.Fatalf("decodeCharset(%q, %q) = %q", b, label, s)
		}
	})
}

// FuzzRenderHTML: visible and hidden text valid UTF-8, URLs bounded.
func FuzzRenderHTML(f *testing.F) {
	for _, s := range []string{
		"<p>a<br>b</p>", `<a href="http://x.example/">t</a>`, `<div style="display:none">h</div>`,
		`<style>.c{color:#fff;background:#fff}</style><p class="c">x</p>`, `<body bgcolor=white><font color=white>x`,
		`<img srcset="a 1x, b 2x" alt="&amp;&#x1F600;&#0;">`, `<meta http-equiv=refresh content="0;url=http://r/">`,
		"<table><tr><td>a<td>b</table>", "<!-- x --><![CDATA[y]]><?pi?>", "<a href=x><a href=y>z</a>",
		`<div style="color:rgb(255,255,255);background-color:rgba(255,255,255,1)">x</div>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		r := renderHTML(s, 1<<16)
		if !utf8.ValidString(r.Text) || !utf8.ValidString(r.Hidden) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if len(r.URLs) > maxHTMLURLs {
			t.Fatalf("%d urls", len(r.URLs))
		}
		for _, u := range r.URLs {
			if !utf8.ValidString(u.Raw) || !utf8.ValidString(u.Host) || !utf8.ValidString(u.Anchor) {
				t.Fatalf("url %+v", u)
			}
		}
		for _, u := range extractTextURLs(r.Text) {
			if u.Raw == "" || !utf8.ValidString(u.Raw) {
				t.Fatalf("text url %+v", u)
			}
		}
	})
}

func hasAnomalyDetail(m *Message, code, detail string) bool {
	for _, a := range m.Anomalies {
		if a.Code == code && a.Detail == detail {
			return true
		}
	}
	return false
}
