package mail

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func enc(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func msgWithBody(ctype, cte string, body []byte) []byte {
	h := "From: a@example.jp\r\nTo: b@example.jp\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
	if ctype != "" {
		h += "Content-Type: " + ctype + "\r\n"
	}
	if cte != "" {
		h += "Content-Transfer-Encoding: " + cte + "\r\n"
	}
	return append([]byte(h+"\r\n"), body...)
}

const (
	jaText  = "お世話になっております。請求書を送付いたします。ご確認ください。"
	cp932   = "①②㈱㈲№℡㍻髙﨑" // NEC row 13, NEC-selected and IBM extension kanji
	zhSText = "我们的产品是中国最好的，请您联系我们了解更多信息。"
	zhTText = "我們的產品是台灣最好的，請您聯繫我們了解更多資訊。"
	ruText  = "Здравствуйте, уважаемый клиент! Ваш счёт заблокирован, подтвердите данные."
	frText  = "Bonjour, voici le résumé de la réunion de février. À bientôt, Hélène."
)

// Labelled bodies decode from every charset the issue names.
func TestBodyCharsets(t *testing.T) {
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16bom := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	cases := []struct {
		label string
		body  []byte
		want  string
		used  string
	}{
		{"iso-2022-jp", enc(t, japanese.ISO2022JP, jaText), jaText, "iso-2022-jp"},
		{"ISO-2022-JP", enc(t, japanese.ISO2022JP, "①㈱のご案内"), "①㈱のご案内", "iso-2022-jp"},
		{"shift_jis", enc(t, japanese.ShiftJIS, jaText), jaText, "shift_jis"},
		{"Shift_JIS", enc(t, japanese.ShiftJIS, cp932), cp932, "shift_jis"},
		{"cp932", enc(t, japanese.ShiftJIS, cp932+jaText), cp932 + jaText, "shift_jis"},
		{"windows-31j", enc(t, japanese.ShiftJIS, cp932), cp932, "shift_jis"},
		{"euc-jp", enc(t, japanese.EUCJP, jaText+"①"), jaText + "①", "euc-jp"},
		{"gb2312", enc(t, simplifiedchinese.GBK, zhSText), zhSText, "gbk"},
		{"gbk", enc(t, simplifiedchinese.GBK, zhSText), zhSText, "gbk"},
		{"gb18030", enc(t, simplifiedchinese.GB18030, zhSText), zhSText, "gb18030"},
		{"big5", enc(t, traditionalchinese.Big5, zhTText), zhTText, "big5"},
		{"koi8-r", enc(t, charmap.KOI8R, ruText), ruText, "koi8-r"},
		{"koi8-u", enc(t, charmap.KOI8U, "Добрий день, їжак і ґанок"), "Добрий день, їжак і ґанок", "koi8-u"},
		{"windows-1251", enc(t, charmap.Windows1251, ruText), ruText, "windows-1251"},
		{"iso-8859-1", enc(t, charmap.ISO8859_1, frText), frText, "windows-1252"},
		{"iso-8859-2", enc(t, charmap.ISO8859_2, "Zażółć gęślą jaźń"), "Zażółć gęślą jaźń", "iso-8859-2"},
		{"iso-8859-15", enc(t, charmap.ISO8859_15, "Prix: 10 €"), "Prix: 10 €", "iso-8859-15"},
		{"windows-1252", enc(t, charmap.Windows1252, "“quoted” – dash €"), "“quoted” – dash €", "windows-1252"},
		{"windows-1250", enc(t, charmap.Windows1250, "Příliš žluťoučký kůň"), "Příliš žluťoučký kůň", "windows-1250"},
		{"ks_c_5601-1987", enc(t, korean.EUCKR, "안녕하세요 고객님"), "안녕하세요 고객님", "euc-kr"},
		{"utf-16le", enc(t, utf16le, "Hello 日本"), "Hello 日本", "utf-16le"},
		{"utf-16", enc(t, utf16bom, "Hello 日本"), "Hello 日本", "utf-16"},
		{"utf-16", enc(t, utf16le, "Hello world"), "Hello world", "utf-16"}, // no BOM, little-endian
		{"utf-7", []byte("Hi Mom -+Jjo--! A+ImIDkQ. +ZeVnLIqe-"), "Hi Mom -☺-! A≢Α. 日本語", "utf-7"},
		{"utf-8", []byte("\xef\xbb\xbf" + jaText), jaText, "utf-8"},
	}
	for _, c := range cases {
		m := Parse(msgWithBody("text/plain; charset="+c.label, "8bit", c.body), Limits{})
		got := strings.TrimSpace(m.Text)
		if got != c.want {
			t.Errorf("%s: text %q, want %q", c.label, got, c.want)
		}
		if m.Root.DetectedCharset != c.used {
			t.Errorf("%s: used %q, want %q", c.label, m.Root.DetectedCharset, c.used)
		}
		if m.HasAnomaly(AnomalyCharsetMismatch) || m.HasAnomaly(AnomalyBadCharset) {
			t.Errorf("%s: unexpected anomalies %v", c.label, m.Anomalies)
		}
	}
}

// Unlabelled bodies are sniffed: Japanese, Chinese, Cyrillic and Latin-1.
func TestSniffUnlabelled(t *testing.T) {
	cases := []struct {
		name string
		body []byte
		want string
		used string
	}{
		{"sjis", enc(t, japanese.ShiftJIS, jaText), jaText, "shift_jis"},
		{"sjis-cp932", enc(t, japanese.ShiftJIS, "㈱サンプル商事 ①ご請求"), "㈱サンプル商事 ①ご請求", "shift_jis"},
		{"eucjp", enc(t, japanese.EUCJP, jaText), jaText, "euc-jp"},
		{"jis", enc(t, japanese.ISO2022JP, jaText), jaText, "iso-2022-jp"},
		{"utf8", []byte(jaText), jaText, "utf-8"},
		{"gbk", enc(t, simplifiedchinese.GBK, zhSText), zhSText, "gbk"},
		{"big5", enc(t, traditionalchinese.Big5, zhTText), zhTText, "big5"},
		{"cp1251", enc(t, charmap.Windows1251, ruText), ruText, "windows-1251"},
		{"koi8r", enc(t, charmap.KOI8R, ruText), ruText, "koi8-r"},
		{"latin1", enc(t, charmap.ISO8859_1, frText), frText, "windows-1252"},
		{"utf16le-bom", append([]byte{0xFF, 0xFE}, enc(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "Hello there")...), "Hello there", "utf-16le"},
		{"utf16be-nobom", enc(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "Hello there, friend"), "Hello there, friend", "utf-16be"},
	}
	for _, c := range cases {
		m := Parse(msgWithBody("text/plain", "8bit", c.body), Limits{})
		if got := strings.TrimSpace(m.Text); got != c.want {
			t.Errorf("%s: text %q, want %q", c.name, got, c.want)
		}
		if m.Root.DetectedCharset != c.used {
			t.Errorf("%s: used %q, want %q", c.name, m.Root.DetectedCharset, c.used)
		}
		// No label at all is not a mismatch.
		if m.HasAnomaly(AnomalyCharsetMismatch) {
			t.Errorf("%s: mismatch reported for an unlabelled body", c.name)
		}
	}
}

// Mislabelled bodies are decoded by what the bytes are, with an anomaly.
func TestMislabelled(t *testing.T) {
	cases := []struct {
		name, label string
		body        []byte
		want, used  string
	}{
		{"sjis-as-jis", "iso-2022-jp", enc(t, japanese.ShiftJIS, jaText), jaText, "shift_jis"},
		{"utf8-as-jis", "iso-2022-jp", []byte(jaText), jaText, "utf-8"},
		{"utf8-as-latin1", "iso-8859-1", []byte("Grüße aus München"), "Grüße aus München", "utf-8"},
		{"sjis-as-latin1", "iso-8859-1", enc(t, japanese.ShiftJIS, jaText), jaText, "shift_jis"},
		{"eucjp-as-sjis", "shift_jis", enc(t, japanese.EUCJP, jaText), jaText, "euc-jp"},
		{"jis-as-sjis", "shift_jis", enc(t, japanese.ISO2022JP, jaText), jaText, "iso-2022-jp"},
		{"koi8-as-1251", "windows-1251", enc(t, charmap.KOI8R, ruText), ruText, "koi8-r"},
		{"gbk-as-latin1", "windows-1252", enc(t, simplifiedchinese.GBK, zhSText), zhSText, "gbk"},
		{"sjis-as-utf8", "utf-8", enc(t, japanese.ShiftJIS, jaText), jaText, "shift_jis"},
		{"1251-as-ascii", "us-ascii", enc(t, charmap.Windows1251, ruText), ruText, "windows-1251"},
	}
	for _, c := range cases {
		m := Parse(msgWithBody("text/plain; charset="+c.label, "8bit", c.body), Limits{})
		if got := strings.TrimSpace(m.Text); got != c.want {
			t.Errorf("%s: text %q, want %q", c.name, got, c.want)
		}
		if m.Root.DetectedCharset != c.used {
			t.Errorf("%s: used %q, want %q", c.name, m.Root.DetectedCharset, c.used)
		}
		if !m.HasAnomaly(AnomalyCharsetMismatch) {
			t.Errorf("%s: no %s anomaly", c.name, AnomalyCharsetMismatch)
		}
	}
	// An unknown label is reported and the body still sniffed.
	m := Parse(msgWithBody("text/plain; charset=x-foo-bar", "8bit", enc(t, japanese.ShiftJIS, jaText)), Limits{})
	if !m.HasAnomaly(AnomalyBadCharset) || strings.TrimSpace(m.Text) != jaText {
		t.Errorf("unknown label: %q %v", m.Text, m.Anomalies)
	}
}

// HTML with a charset only in <meta>.
func TestHTMLMetaCharset(t *testing.T) {
	body := append([]byte(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-jp"></head><body><p>`), enc(t, japanese.EUCJP, "ご案内")...)
	m := Parse(msgWithBody("text/html", "8bit", body), Limits{})
	if !strings.Contains(m.Text, "ご案内") {
		t.Errorf("text %q", m.Text)
	}
}

// Short unlabelled header text: the sniffer must not need much evidence.
func TestSniffShortHeaders(t *testing.T) {
	cases := []struct {
		e encoding.Encoding
		s string
	}{
		{japanese.ShiftJIS, "請求書"}, {japanese.EUCJP, "請求書"}, {japanese.ShiftJIS, "お知らせ"}, {japanese.EUCJP, "お知らせ"},
		{japanese.ShiftJIS, "【重要】お支払い"}, {japanese.ShiftJIS, "ｱｶｳﾝﾄ確認"},
		{simplifiedchinese.GBK, "您好，发票"}, {simplifiedchinese.GBK, "发票"}, {traditionalchinese.Big5, "您好，發票"},
		{charmap.Windows1251, "Привет"}, {charmap.KOI8R, "Привет мир"}, {charmap.Windows1252, "Café"},
		{charmap.Windows1252, "Grüße aus Köln"},
	}
	for _, c := range cases {
		got := DecodeHeader(string(enc(t, c.e, c.s)))
		if got != c.s {
			t.Errorf("%q decoded as %q", c.s, got)
		}
	}
}
