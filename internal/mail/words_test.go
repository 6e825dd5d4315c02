package mail

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestDecodeHeader(t *testing.T) {
	jis := func(s string) []byte { b, _ := japanese.ISO2022JP.NewEncoder().Bytes([]byte(s)); return b }
	sjis := func(s string) string { b, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s)); return string(b) }
	euc := func(s string) string { b, _ := japanese.EUCJP.NewEncoder().Bytes([]byte(s)); return string(b) }
	u := []byte("【重要】アカウント確認")
	j := jis("【重要】アカウントの確認のお願い")
	cases := []struct{ name, raw, want string }{
		{"b-utf8", "=?UTF-8?B?" + b64(u) + "?=", string(u)},
		{"q-utf8", "=?utf-8?Q?caf=C3=A9_au_lait?=", "café au lait"},
		{"q-lower-enc", "=?utf-8?q?a_b?=", "a b"},
		// A multi-byte character split across two encoded words.
		{"split-utf8-char", "=?UTF-8?B?" + b64(u[:4]) + "?= =?UTF-8?B?" + b64(u[4:]) + "?=", string(u)},
		{"split-utf8-q", "=?UTF-8?Q?=E3=81?= =?UTF-8?Q?=82?=", "あ"},
		// ISO-2022-JP words split across folded lines, in the middle of a character.
		{"split-jis-folded", "=?ISO-2022-JP?B?" + b64(j[:9]) + "?=\r\n =?ISO-2022-JP?B?" + b64(j[9:20]) + "?=\r\n\t=?ISO-2022-JP?B?" + b64(j[20:]) + "?=", "【重要】アカウントの確認のお願い"},
		{"mixed-text", "Re: =?ISO-2022-JP?B?" + b64(jis("ご請求")) + "?= (No.123)", "Re: ご請求 (No.123)"},
		{"space-kept-between-text", "=?utf-8?Q?a?= b =?utf-8?Q?c?=", "a b c"},
		{"different-charsets", "=?iso-8859-1?Q?caf=E9?= =?utf-8?B?" + b64([]byte("日本")) + "?=", "café日本"},
		{"unknown-charset-sniffed", "=?x-unknown?B?" + b64([]byte(sjis("請求書"))) + "?=", "請求書"},
		{"language-tag", "=?utf-8*ja?B?" + b64([]byte("日本")) + "?=", "日本"},
		{"raw-sjis", sjis("お支払いのお知らせ"), "お支払いのお知らせ"},
		{"raw-eucjp", euc("お支払いのお知らせ"), "お支払いのお知らせ"},
		{"raw-utf8", "お支払い", "お支払い"},
		{"raw-jis-escapes", string(jis("お支払い")), "お支払い"},
		{"malformed-word", "=?utf-8?X?abc?= tail", "=?utf-8?X?abc?= tail"},
		{"unterminated", "=?utf-8?B?5pel", "=?utf-8?B?5pel"},
		{"b-junk", "=?utf-8?B?5pel*5pys?=", "日本"},
		{"cp932-ext", "=?Shift_JIS?B?" + b64([]byte(sjis("①㈱"))) + "?=", "①㈱"},
		{"q-raw-underscore-big5", "=?big5?Q?=A4@=B0_=A8=D3?=", "一起來"},
		{"folded-plain", "hello\r\n world", "hello world"},
	}
	for _, c := range cases {
		if got := DecodeHeader(c.raw); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestHeaderAnomalies(t *testing.T) {
	sj, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("件名テスト"))
	raw := "From: =?utf-8?B?5bGx55Sw?= <yamada@Example.JP>\r\nSubject: " + string(sj) + "\r\nTo: x@example.jp\r\nSubject : second\r\nBad line without colon\r\n\r\nbody\r\n"
	m := Parse([]byte(raw), Limits{})
	if m.Subject != "件名テスト" {
		t.Errorf("subject %q", m.Subject)
	}
	if len(m.From) != 1 || m.From[0].Name != "山田" || m.From[0].Domain != "example.jp" || m.From[0].Addr != "yamada@example.jp" {
		t.Errorf("from %+v", m.From)
	}
	for _, code := range []string{AnomalyRaw8BitHeader, AnomalyBadHeaderLine, AnomalyDuplicateHeader} {
		if !m.HasAnomaly(code) {
			t.Errorf("missing %s in %v", code, m.Anomalies)
		}
	}
	// "Subject :" (obsolete syntax, RFC 5322 §4.5.3) is a field.
	if m.Headers.Count("Subject") != 2 {
		t.Errorf("obsolete 'Subject :' not parsed: %v", m.Headers)
	}
}

func TestAddresses(t *testing.T) {
	cases := []struct {
		in    string
		addrs []string
		names []string
	}{
		{`"Amazon Shipping" <amz@123fnord.com>`, []string{"amz@123fnord.com"}, []string{"Amazon Shipping"}},
		{`Microsoft Support <micros0ftsupport@hotmail.com>, b@x.jp`, []string{"micros0ftsupport@hotmail.com", "b@x.jp"}, []string{"Microsoft Support", ""}},
		{`山田 太郎 <yamada@example.jp>`, []string{"yamada@example.jp"}, []string{"山田 太郎"}},
		{`paypal.com@evil.example (PayPal)`, []string{"paypal.com@evil.example"}, []string{"PayPal"}},
		{`Undisclosed recipients:;`, nil, nil},
		{`<@relay.example:user@host.example>`, []string{"user@host.example"}, []string{""}},
		{`"a, b" <ab@x.jp>`, []string{"ab@x.jp"}, []string{"a, b"}},
		{`Microsoft account team ,_<no-reply@x.example>`, []string{"no-reply@x.example"}, []string{"Microsoft account team"}},
		{`Amazon Gutschein, <service@y.example>`, []string{"service@y.example"}, []string{"Amazon Gutschein"}},
		{`info@bank.example <attacker@evil.example>`, []string{"attacker@evil.example"}, []string{"info@bank.example"}},
	}
	for _, c := range cases {
		got := ParseAddressList(c.in)
		if len(got) != len(c.addrs) {
			t.Errorf("%q: %+v", c.in, got)
			continue
		}
		for i := range got {
			if got[i].Addr != c.addrs[i] || got[i].Name != c.names[i] {
				t.Errorf("%q: %+v", c.in, got[i])
			}
		}
	}
}

func TestRFC2231(t *testing.T) {
	jis, _ := japanese.ISO2022JP.NewEncoder().Bytes([]byte("請求書.zip"))
	pct := func(b []byte) string {
		var sb strings.Builder
		for _, c := range b {
			sb.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
		return sb.String()
	}
	u := []byte("日本語のファイル名.pdf")
	sj, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("見積書.xlsm"))
	cases := []struct{ name, cd, want string }{
		{"utf8-star", "attachment; filename*=UTF-8''" + pct(u), "日本語のファイル名.pdf"},
		{"utf8-continuation", "attachment;\r\n filename*0*=UTF-8''" + pct(u[:10]) + ";\r\n filename*1*=" + pct(u[10:]), "日本語のファイル名.pdf"},
		{"jis-star", "attachment; filename*=iso-2022-jp''" + pct(jis), "請求書.zip"},
		{"sjis-continuation", "attachment; filename*0*=shift_jis'ja'" + pct(sj[:5]) + "; filename*1*=" + pct(sj[5:]), "見積書.xlsm"},
		{"plain-continuation", `attachment; filename*0="long"; filename*1="name.txt"`, "longname.txt"},
		{"encoded-word-in-quotes", `attachment; filename="=?ISO-2022-JP?B?` + b64(jis) + `?="`, "請求書.zip"},
		{"raw-sjis", "attachment; filename=\"" + string(sj) + "\"", "見積書.xlsm"},
		{"unquoted-specials", "attachment; filename=invoice (1).pdf; size=12", "invoice (1).pdf"},
		{"duplicate", `attachment; filename="a.exe"; filename="b.pdf"`, "a.exe"},
	}
	for _, c := range cases {
		raw := "From: a@b.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: " + c.cd + "\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--XX--\r\n"
		m := Parse([]byte(raw), Limits{})
		if len(m.Attachments) != 1 {
			t.Errorf("%s: %d attachments", c.name, len(m.Attachments))
			continue
		}
		if got := m.Attachments[0].Filename; got != c.want {
			t.Errorf("%s: filename %q, want %q", c.name, got, c.want)
		}
	}
	// Content-Type name*= in a non-UTF-8 charset.
	mt, params, _ := parseMediaType("application/zip; name*=iso-2022-jp''" + pct(jis))
	if mt != "application/zip" || params["name"] != "請求書.zip" {
		t.Errorf("name*: %q %v", mt, params)
	}
}

func TestEncodedDisplayNames(t *testing.T) {
	cases := []struct{ raw, name, addr string }{
		{"=?utf-8?Q?Smith=2C_John?= <john@example.com>", "Smith, John", "john@example.com"},
		{"=?utf-8?B?" + b64([]byte("PayPal <service@paypal.com>")) + "?= <x@evil.example>", "PayPal <service@paypal.com>", "x@evil.example"},
		{`"=?utf-8?Q?a=22b?=" <q@example.com>`, `a"b`, "q@example.com"},
		{"=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>", "山田", "yamada@example.jp"},
		{"=?utf-8?B?5bGx?=\r\n =?utf-8?B?55Sw?= <y@example.jp>", "山田", "y@example.jp"},
	}
	for _, c := range cases {
		raw := "From: " + c.raw + "\r\n\r\nbody"
		m := Parse([]byte(raw), Limits{})
		if len(m.From) != 1 || m.From[0].Name != c.name || m.From[0].Addr != c.addr {
			t.Errorf("%q: %+v", c.raw, m.From)
		}
	}
}
