package mail

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// decodeBase64Ref is the byte-at-a-time decoder decodeBase64 replaced:
// the reference for its output and its verdict on junk.
func decodeBase64Ref(body []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(body))
	junk := false
	for _, c := range body {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '=':
			clean = append(clean, c)
		case c == '\r' || c == '\n' || c == ' ' || c == '\t':
		default:
			junk = true
		}
	}
	if i := bytes.IndexByte(clean, '='); i >= 0 {
		j := i
		for j < len(clean) && clean[j] == '=' {
			j++
		}
		if j < len(clean) {
			junk = true
		}
		clean = clean[:i]
	}
	if rem := len(clean) % 4; rem == 1 {
		clean = clean[:len(clean)-1]
		junk = true
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	return out[:n], err != nil || junk
}

func checkBase64(t *testing.T, in []byte) {
	t.Helper()
	bad := false
	got := decodeBase64(in, func() { bad = true })
	want, wantBad := decodeBase64Ref(in)
	if !bytes.Equal(got, want) || bad != wantBad {
		t.Fatalf("%q: got %q %v, want %q %v", in, got, bad, want, wantBad)
	}
}

func TestDecodeBase64SameAsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := "ABCxyz019+/=\r\n \t-_*\x00\xff"
	for range 5000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkBase64(t, b)
	}
	enc := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("sekisho 関所 "), 50))
	checkBase64(t, []byte(strings.Join(strings.SplitAfter(enc, "A"), "\r\n")))
}

func FuzzDecodeBase64(f *testing.F) {
	f.Add([]byte("aGVsbG8=\r\n"))
	f.Add([]byte("aGV sbG8\n=x"))
	f.Fuzz(func(t *testing.T, b []byte) { checkBase64(t, b) })
}

// BenchmarkDecodeBase64 decodes a 1 MB attachment body in 76-character lines.
func BenchmarkDecodeBase64(b *testing.B) {
	raw := make([]byte, 3<<18)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	var sb strings.Builder
	for len(enc) > 76 {
		sb.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	sb.WriteString(enc)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		decodeBase64(body, func() {})
	}
}
