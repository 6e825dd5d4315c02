package jsonw

import (
	"bytes"
	"math/bits"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonSafe marks the ASCII bytes a JSON string holds as they are:
// printable, and neither a quote, a backslash nor an HTML special
// character (<, >, &: encoding/json escapes those by default).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendStringRef is AppendString as it was before the word-at-a-time
// scan: byte by byte. The tests below hold the new one to its output.
func appendStringRef(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscape(b, c) // the escapes are held to encoding/json by TestMatchesMarshal
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func checkRef(t *testing.T, s string) {
	t.Helper()
	want := appendStringRef([]byte("x"), s)
	if got := AppendString([]byte("x"), s); !bytes.Equal(got, want) {
		t.Fatalf("string %q: got %s want %s", s, got, want)
	}
}

// TestPlainWordEveryByte: specialBytes accepts a word exactly when each of
// its bytes is jsonSafe, for every byte value at every position of an
// otherwise plain word and beside every other byte value.
func TestPlainWordEveryByte(t *testing.T) {
	fills := []byte{'a', ' ', '~', 0x7f, '!', '=', '?', '[', ']', '%', '\'', '$'}
	for _, fill := range fills {
		for pos := range 8 {
			for c := range 256 {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(c)
				want := c < utf8.RuneSelf && jsonSafe[c]
				if got := specialBytes(load64(string(w))) == 0; got != want {
					t.Fatalf("word %q: plain %v, want %v", w, got, want)
				}
			}
		}
	}
	// Pairs: a byte that borrows (a control character, '"', ...) below
	// or above any other byte.
	for a := range 256 {
		for c := range 256 {
			for _, pos := range [][2]int{{0, 1}, {1, 0}, {3, 7}, {7, 3}, {6, 7}} {
				w := []byte("abcdefgh")
				w[pos[0]], w[pos[1]] = byte(a), byte(c)
				first := 8
				for k := 7; k >= 0; k-- {
					if w[k] >= utf8.RuneSelf || !jsonSafe[w[k]] {
						first = k
					}
				}
				m := specialBytes(load64(string(w)))
				if got := bits.TrailingZeros64(m) >> 3; got != first {
					t.Fatalf("word %q: first special byte %d, want %d", w, got, first)
				}
			}
		}
	}
}

// TestWordBoundaries: every special byte or sequence at every position
// of strings of length 0 to 17 (short of, across and past one and two
// words), alone and in pairs.
func TestWordBoundaries(t *testing.T) {
	specials := []string{"\"", "\\", "<", ">", "&", "\x00", "\x1f", "\n", "\t", "\x7f", " ",
		"\u2028", "\u2029", "\xff", "\xe3\x81", "é", "日", "😀", "\xed\xa0\x80", "\u2027"}
	for n := 0; n <= 17; n++ {
		base := strings.Repeat("p", n)
		checkRef(t, base)
		for pos := 0; pos <= n; pos++ {
			for _, sp := range specials {
				s := base[:pos] + sp + base[pos:]
				checkRef(t, s)
				checkRef(t, s[:n]) // cut: a multi-byte sequence split at the end
				for pos2 := pos; pos2 <= n; pos2++ {
					for _, sp2 := range specials[:8] {
						checkRef(t, base[:pos]+sp+base[pos:pos2]+sp2+base[pos2:])
					}
				}
			}
		}
	}
	for _, s := range strs {
		checkRef(t, s)
	}
}

// FuzzAppendStringRef: the word-at-a-time AppendString against the byte
// by byte one it replaced.
func FuzzAppendStringRef(f *testing.F) {
	for _, s := range strs {
		f.Add(s)
	}
	f.Add("Subject: a plain ASCII line long enough for several words\r\n")
	f.Add("日本語の説明です。and some ascii <b>bold</b> & \"quotes\"")
	f.Fuzz(checkRef)
}

var benchStrings = []string{
	"Re: Your account statement for November is ready to view online",
	"\"Example Support\" <support@example.com>",
	"BAYES_99,HTML_MESSAGE,MIME_HTML_ONLY,RCVD_IN_DNSWL_NONE,SPF_PASS",
	"日本語の件名です：ご確認ください",
	"https://www.example.com/path/to/something?query=1&other=2",
	"short",
}

func BenchmarkAppendString(b *testing.B) {
	buf := make([]byte, 0, 1024)
	n := 0
	for _, s := range benchStrings {
		n += len(s)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		buf = buf[:0]
		for _, s := range benchStrings {
			buf = AppendString(buf, s)
		}
	}
}

func BenchmarkAppendStringRef(b *testing.B) {
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range benchStrings {
			buf = appendStringRef(buf, s)
		}
	}
}

// TestValidRuneLen: the short cut agrees with utf8.DecodeRuneInString on
// every three-byte string starting with a non-ASCII byte (and its one-
// and two-byte prefixes), and leaves U+2028 and U+2029 to it.
func TestValidRuneLen(t *testing.T) {
	buf := make([]byte, 3)
	for c0 := 0x80; c0 < 0x100; c0++ {
		for c1 := range 256 {
			for c2 := range 256 {
				buf[0], buf[1], buf[2] = byte(c0), byte(c1), byte(c2)
				for l := 1; l <= 3; l++ {
					s := string(buf[:l])
					n := validRuneLen(s, 0)
					if n == 0 {
						continue
					}
					r, dn := utf8.DecodeRuneInString(s)
					if r == utf8.RuneError && dn == 1 || dn != n || r == '\u2028' || r == '\u2029' {
						t.Fatalf("%q: validRuneLen %d, decoded %U %d", s, n, r, dn)
					}
				}
			}
		}
	}
	for _, s := range []string{"é", "ж", "日", "\u2027", "\uffff", "\ud7ff"} {
		if n := validRuneLen(s, 0); n != len(s) {
			t.Fatalf("%q: validRuneLen %d, want %d", s, n, len(s))
		}
	}
}
