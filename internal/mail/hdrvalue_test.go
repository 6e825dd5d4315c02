package mail

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/ascii"
)

// decodeHeaderValueRef is decodeHeaderValue before its plainHeaderValue
// fast path: the oracle the fast path is compared with.
func (p *parser) decodeHeaderValueRef(name, raw string) string {
	v := strings.TrimSpace(p.unfold(raw))
	if strings.IndexByte(v, 0) >= 0 {
		p.anomaly(AnomalyNULByte, name)
		v = strings.ReplaceAll(v, "\x00", "")
	}
	if !ascii.Is(v) || hasEsc(v) {
		v = p.decodeRaw8bit(v)
	}
	if strings.Contains(v, "=?") {
		out, err := decodeEncodedWords(v)
		if err != nil {
			p.anomaly(AnomalyBadEncodedWord, name)
		}
		v = out
	}
	return v
}

// plainHeaderValueRef is plainHeaderValue a byte at a time.
func plainHeaderValueRef(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c >= 0x80 || c == '=' && i+1 < len(s) && s[i+1] == '?' {
			return false
		}
	}
	return true
}

func checkHeaderValue(t *testing.T, raw string) {
	t.Helper()
	if got, want := plainHeaderValue(raw), plainHeaderValueRef(raw); got != want {
		t.Fatalf("plainHeaderValue(%q) = %v, want %v", raw, got, want)
	}
	var p, q parser
	got, want := p.decodeHeaderValue("X", raw), q.decodeHeaderValueRef("X", raw)
	if got != want {
		t.Fatalf("decodeHeaderValue(%q) = %q, want %q", raw, got, want)
	}
	if !reflect.DeepEqual(p.anoms, q.anoms) {
		t.Fatalf("decodeHeaderValue(%q) anomalies %v, want %v", raw, p.anoms, q.anoms)
	}
}

var headerValueSeeds = []string{
	"", " ", "plain value", " a\tb ", "=?utf-8?q?x?=", "a=b; c=d", "abcdefg=?", "abcdefgh=?x",
	"abcdefg=", "x\r\n y", "x\ny", "caf\xc3\xa9", "\x1b$B", "nul\x00here", "\v\f", "12345678\x7f",
	"0123456=?utf-8?b?QQ==?=", "0123456789abcdef\x80", "v=1; a=rsa-sha256; bh=abc=; b=def==",
	"a\x19", "=?", "========", "\t\t\t\t\t\t\t\t\t",
}

func TestPlainHeaderValue(t *testing.T) {
	for _, s := range headerValueSeeds {
		checkHeaderValue(t, s)
		checkHeaderValue(t, "0123456789"+s)
		checkHeaderValue(t, s+"0123456789")
	}
	// Every byte at every position of a word and its tail.
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 11; pos++ {
			b := []byte("abcdefghijk")
			b[pos] = byte(c)
			checkHeaderValue(t, string(b))
			if pos+1 < len(b) {
				b[pos+1] = '?'
				checkHeaderValue(t, string(b))
			}
		}
	}
}

func FuzzPlainHeaderValue(f *testing.F) {
	for _, s := range headerValueSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		checkHeaderValue(t, raw)
	})
}
