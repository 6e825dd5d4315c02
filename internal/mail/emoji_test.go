package mail

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

func sjis(t *testing.T, s string) []byte {
	t.Helper()
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestCarrierOf(t *testing.T) {
	for _, c := range []struct {
		from string
		want carrier
	}{
		{"hanako@docomo.ne.jp", carrierDocomo},
		{"Hanako <hanako.y@docomo.ne.jp>", carrierDocomo},
		{"yuki@ezweb.ne.jp", carrierKDDI},
		{"kenta@au.com", carrierKDDI},
		{"x@biz.ezweb.ne.jp", carrierKDDI},
		{"mama@softbank.ne.jp", carrierSoftBank},
		{"\"Ryo\" <ryo@i.softbank.jp>", carrierSoftBank},
		{"a@t.vodafone.ne.jp", carrierSoftBank},
		{"info@docomo.ne.jp.example.com", carrierUnknown},
		{"a@notdocomo.ne.jp", carrierUnknown},
		{"taro@example.jp", carrierUnknown},
		{"no address", carrierUnknown},
	} {
		if got := carrierOf(c.from); got != c.want {
			t.Errorf("carrierOf(%q) = %d, want %d", c.from, got, c.want)
		}
	}
}

func TestDecodeCarrierEmojiSJIS(t *testing.T) {
	text := sjis(t, "今日は")
	tail := sjis(t, "です")
	for _, c := range []struct {
		name  string
		b     []byte
		cr    carrier
		want  string
		exact bool
	}{
		{"docomo sun F89F", cat(text, []byte{0xF8, 0x9F}, tail), carrierDocomo, "今日は\u2600です", true},
		{"docomo sun, sender unknown", cat(text, []byte{0xF8, 0x9F}, tail), carrierUnknown, "今日は\u2600です", true},
		{"docomo heart F8EE", []byte{0xF8, 0xEE}, carrierDocomo, "\u2665", true},
		{"docomo red heart F991", []byte{0xF9, 0x91}, carrierDocomo, "\u2764", true},
		{"au sun F660", []byte{0xF6, 0x60}, carrierKDDI, "\u2600", true},
		{"au heart F378", []byte{0xF3, 0x78}, carrierKDDI, "\u2665", true},
		{"au red heart F7B2", []byte{0xF7, 0xB2}, carrierKDDI, "\u2764", true},
		{"softbank sun F98B", []byte{0xF9, 0x8B}, carrierSoftBank, "\u2600", true},
		{"softbank heart F7AC", []byte{0xF7, 0xAC}, carrierSoftBank, "\u2665", true},
		{"softbank FB row F9A1 memo", []byte{0xF9, 0xA1}, carrierSoftBank, "\U0001F4DD", true},
		{"softbank FB44 for a SoftBank sender", []byte{0xFB, 0x44}, carrierSoftBank, "\U0001F601", true},
		// F98B is docomo's keycap 5 and SoftBank's sun: unknown senders
		// get docomo's, unless only au codes were seen.
		{"F98B ambiguous, unknown sender", []byte{0xF9, 0x8B}, carrierUnknown, "5\u20E3", true},
		{"F7B2 ambiguous, unknown sender: au", []byte{0xF7, 0xB2}, carrierUnknown, "\u2764", true},
		{"F7B2 after a docomo-only code: SoftBank", []byte{0xF8, 0x9F, 0xF7, 0xB2}, carrierUnknown, "\u2600\U0001F195", true},
		{"keycap sequence", []byte{0xF9, 0x85}, carrierDocomo, "#\u20E3", true},
		{"katakana and ASCII around", cat([]byte("A\xb1"), []byte{0xF8, 0x9F}, []byte("B")), carrierDocomo, "A\uFF71\u2600B", true},
		{"au email code EB60 (sun)", []byte{0xEB, 0x60}, carrierKDDI, "\u2600", true},
		{"au email code EB60, sender unknown", []byte{0xEB, 0x60}, carrierUnknown, "\u2600", true},
		{"au email code ED78 (heart) from au", []byte{0xED, 0x78}, carrierKDDI, "\u2665", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _, _, _ := decodeCharsetCarrier(c.b, "shift_jis", c.cr)
			if c.exact && got != c.want || !c.exact && !strings.HasPrefix(got, "\u2600") {
				t.Errorf("got %q %U, want %q", got, []rune(got), c.want)
			}
			if strings.ContainsRune(got, '\uFFFD') {
				t.Errorf("U+FFFD left in %q", got)
			}
		})
	}
	// Not emoji: kanji, the IBM extension row for other senders, and
	// codes outside every table stay as they were.
	for _, c := range []struct {
		name string
		b    []byte
		cr   carrier
		want string
	}{
		{"plain text", sjis(t, "お疲れさまです。"), carrierDocomo, "お疲れさまです。"},
		{"IBM extension FB41 kanji for a docomo sender", []byte{0xFB, 0x41}, carrierDocomo, "涬"},
		{"IBM extension FB44 kanji, sender unknown", []byte{0xFB, 0x44}, carrierUnknown, "\u6DB8"},
		{"unassigned docomo code", []byte{0xF8, 0x40}, carrierDocomo, "\uFFFD"},
		{"user-defined F040", []byte{0xF0, 0x40}, carrierUnknown, "\uFFFD"},
		{"NEC-selected IBM ED78 is kanji for others", []byte{0xED, 0x78}, carrierUnknown, "\u5586"},
		{"truncated lead", []byte{0xF8}, carrierDocomo, "\uFFFD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := decodeCountC(japanese.ShiftJIS, c.b, c.cr)
			if c.name == "IBM extension FB44 kanji, sender unknown" {
				want, _ := japanese.ShiftJIS.NewDecoder().Bytes(c.b)
				c.want = string(want)
			}
			if got != c.want {
				t.Errorf("got %q %U, want %q", got, []rune(got), c.want)
			}
		})
	}
}

func TestDecodeCarrierEmojiJIS(t *testing.T) {
	// au writes its emoji in mail with its email codes: sun F660 is
	// Shift_JIS EB60, JIS 0x75 0x41; heart F378 is ED78, JIS 0x79 0x59.
	if got, _ := kddiMailToWeb(jisToSJIS(0x75, 0x41)); got != 0xF660 {
		t.Fatalf("jisToSJIS(0x7541) -> %04X", got)
	}
	if got, _ := kddiMailToWeb(jisToSJIS(0x79, 0x59)); got != 0xF378 {
		t.Fatalf("jisToSJIS(0x7959) -> %04X", got)
	}
	if got := jisToSJIS(0x30, 0x21); got != 0x889F { // 亜
		t.Fatalf("jisToSJIS(0x3021) = %04X", got)
	}
	for _, c := range []struct {
		name string
		b    string
		cr   carrier
		want string
	}{
		{"au sun", "\x1b$B:#F|$O\x75\x41$G$9\x1b(B!", carrierKDDI, "今日は\u2600です!"},
		{"au heart F378 = mail ED78 = JIS 0x7959", "\x1b$B\x79\x59\x1b(B", carrierKDDI, "\u2665"},
		{"JIS 0x7959 is IBM kanji for others", "\x1b$B\x79\x59\x1b(B", carrierUnknown, "\u5586"},
		{"au red heart F7B2 = mail ECB2 = JIS 0x7834, sender unknown", "\x1b$B\x78\x34\x1b(B", carrierUnknown, "\u2764"},
		{"docomo sender: no au mapping", "\x1b$B\x75\x41\x1b(B", carrierDocomo, "\uFFFD"},
		{"JIS X 0208 row 0x74 kanji stays kanji", "\x1b$B\x74\x21\x1b(B", carrierKDDI, "堯"},
		{"plain", "\x1b$B$3$s$K$A$O\x1b(B", carrierKDDI, "こんにちは"},
		// SoftBank web code: G group starts at F941, so "G+" is F94B
		// (fax), "Gj" is F98B (sun); "Ej" is F74B.
		{"softbank web code sun", "\x1b$B:#F|\x1b(B\x1b$Gj\x0f!", carrierSoftBank, "今日\u2600!"},
		{"softbank web code run inside JIS X 0208", "\x1b$B:#F|\x1b$Gj\x0f$G$9\x1b(B", carrierUnknown, "今日\u2600です"},
		{"softbank web code, two codes", "\x1b$Gjj\x0f", carrierSoftBank, "\u2600\u2600"},
		{"softbank web code P group (FB44)", "\x1b$P$\x0f", carrierSoftBank, "\U0001F601"},
		{"softbank web code F group (F7A1)", "\x1b$F!\x0f", carrierSoftBank, "\U0001F6B6"},
		{"softbank web code O group (F9A1)", "\x1b$O!\x0f", carrierSoftBank, "\U0001F4DD"},
		{"softbank web code G past 0x7F (G_ = F980)", "\x1b$G_\x0f", carrierSoftBank, softbankEmoji[0xF980]},
		{"no web code for an au sender", "\x1b$Gj\x0f", carrierKDDI, "\uFFFD$Gj\x0f"},
		{"unterminated web code", "a\x1b$Gj", carrierSoftBank, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _, _, _ := decodeCharsetCarrier([]byte(c.b), "iso-2022-jp", c.cr)
			if c.want == "" {
				if strings.ContainsRune(got, '\u2600') {
					t.Errorf("got %q", got)
				}
				return
			}
			if got != c.want {
				t.Errorf("got %q %U, want %q", got, []rune(got), c.want)
			}
		})
	}
}

// TestParseCarrierEmoji: a whole message from a docomo phone, emoji in the
// Shift_JIS subject and body.
func TestParseCarrierEmoji(t *testing.T) {
	subj := "=?Shift_JIS?B?" + base64.StdEncoding.EncodeToString(cat(sjis(t, "晴れ"), []byte{0xF8, 0x9F})) + "?="
	body := cat(sjis(t, "今日はいい天気"), []byte{0xF8, 0x9F}, sjis(t, "また連絡するね"), []byte{0xF8, 0xEE}, []byte("\r\n"))
	raw := "From: hanako@docomo.ne.jp\r\nTo: taro@example.jp\r\nSubject: " + subj +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + string(body)
	m := Parse([]byte(raw), Limits{})
	if m.Subject != "晴れ\u2600" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, "天気\u2600また") || !strings.Contains(m.Text, "ね\u2665") {
		t.Errorf("text %q", m.Text)
	}
	if strings.ContainsRune(m.Text, '\uFFFD') {
		t.Errorf("U+FFFD in %q", m.Text)
	}
	// The same body from a SoftBank phone: F89F is no SoftBank code, but
	// F8EE is none either, so both stay unmapped there.
	raw2 := strings.Replace(raw, "hanako@docomo.ne.jp", "hanako@softbank.ne.jp", 1)
	if m2 := Parse([]byte(raw2), Limits{}); strings.Contains(m2.Text, "\u2600") {
		t.Errorf("softbank sender decoded docomo code: %q", m2.Text)
	}
}

func TestEmojiTables(t *testing.T) {
	for name, tb := range map[string]map[uint16]string{"docomo": docomoEmoji, "kddi": kddiEmoji, "softbank": softbankEmoji} {
		if len(tb) < 200 {
			t.Errorf("%s: %d codes", name, len(tb))
		}
		for code, s := range tb {
			if !utf8.ValidString(s) || s == "" {
				t.Errorf("%s %04X: %q", name, code, s)
			}
			lead := code >> 8
			ok := false
			switch name {
			case "docomo":
				ok = code >= 0xF89F && code <= 0xF9FC
			case "kddi":
				ok = code >= 0xF340 && code <= 0xF7FC
			case "softbank":
				ok = lead == 0xF7 || lead == 0xF9 || lead == 0xFB
			}
			if !ok {
				t.Errorf("%s code %04X outside the carrier's range", name, code)
			}
		}
	}
}

// FuzzCarrierEmoji: any bytes, any carrier, both encodings decode to valid
// UTF-8 without panics.
func FuzzCarrierEmoji(f *testing.F) {
	f.Add([]byte{0x82, 0xa0, 0xF8, 0x9F, 0xF9}, uint8(1))
	f.Add([]byte("\x1b$B\x75\x41$\"\x1b(B\xF7"), uint8(2))
	f.Add([]byte{0xFB, 0x44, 0xF7, 0xAC, 0x1b}, uint8(3))
	f.Add([]byte("a\x1b$Gjj\x0f\x1b$B$\"\x1b$P$\x0f\x1b(B"), uint8(3))
	f.Fuzz(func(t *testing.T, b []byte, c uint8) {
		cr := carrier(c % 4)
		for _, enc := range []struct {
			label string
		}{{"shift_jis"}, {"iso-2022-jp"}} {
			s, used, _, _ := decodeCharsetCarrier(b, enc.label, cr)
			if !utf8.ValidString(s) || !utf8.ValidString(used) {
				t.Fatalf("%s %d: %q -> %q", enc.label, cr, b, s)
			}
		}
		if s, _, ok := decodeSJISEmoji(b, cr); ok && !utf8.ValidString(s) {
			t.Fatalf("sjis %q", s)
		}
		if s, _, ok := decodeJISEmoji(b, cr); ok && !utf8.ValidString(s) {
			t.Fatalf("jis %q", s)
		}
	})
}

// TestHamCarrierEmoji: the phone mails of the ham corpus (docomo and
// SoftBank Shift_JIS, au ISO-2022-JP) carry their carriers' emoji; they
// decode to Unicode with no U+FFFD left.
func TestHamCarrierEmoji(t *testing.T) {
	for file, want := range map[string][]string{
		"042-docomo-personal-sjis.eml":   {"ね\u2665帰り", "?\u2600"},
		"043-ezweb-personal-jis.eml":     {"おくね\u2600"},
		"045-softbank-personal-sjis.eml": {"てね\u2665"},
	} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ham", "ja", file))
		if err != nil {
			t.Fatal(err)
		}
		m := Parse(raw, Limits{})
		for _, w := range want {
			if !strings.Contains(m.Text, w) {
				t.Errorf("%s: %q lacks %q", file, m.Text, w)
			}
		}
		if strings.ContainsRune(m.Text, '\uFFFD') {
			t.Errorf("%s: U+FFFD in %q", file, m.Text)
		}
	}
}
