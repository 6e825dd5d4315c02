package mail

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// decodeQPRef is decodeQP as it was before it copied runs of plain bytes
// at once (one append per byte): the reference it must agree with.
func decodeQPRef(b []byte) (out []byte, bad bool) {
	out = make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '=':
			if i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
				out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
				i += 2
				continue
			}
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j == len(b) {
				i = j
				continue
			}
			if b[j] == '\n' {
				i = j
				continue
			}
			if b[j] == '\r' && (j+1 == len(b) || b[j+1] == '\n') {
				i = j + 1
				continue
			}
			bad = true
			out = append(out, c)
		case ' ', '\t':
			j := i
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j < len(b) && (b[j] == '\n' || b[j] == '\r') {
				i = j - 1
				continue
			}
			out = append(out, b[i:j]...)
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return out, bad
}

func checkQP(t *testing.T, in []byte) {
	t.Helper()
	got, bad := decodeQP(in)
	want, wantBad := decodeQPRef(in)
	if !bytes.Equal(got, want) || bad != wantBad {
		t.Fatalf("%q: got %q %v, want %q %v", in, got, bad, want, wantBad)
	}
}

func TestDecodeQPSameAsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := "abc=3D0fF9\r\n \t\x00\xff関"
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkQP(t, b)
	}
	checkQP(t, []byte(strings.Repeat("caf=C3=A9 au lait =\r\nsoft break  \r\n", 40)))
}

func FuzzDecodeQP(f *testing.F) {
	f.Add([]byte("caf=C3=A9=\r\nx  \r\n"))
	f.Add([]byte("=ZZ= \t\n=\r"))
	f.Fuzz(func(t *testing.T, b []byte) { checkQP(t, b) })
}

// BenchmarkDecodeQP decodes a 1 MB quoted-printable body of mostly ASCII
// text with some escapes and soft line breaks.
func BenchmarkDecodeQP(b *testing.B) {
	line := "Dear customer, your account needs attention: caf=C3=A9 =E9=96=A2=E6=89=80 and more plain text=\r\n"
	body := []byte(strings.Repeat(line, (1<<20)/len(line)))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		decodeQP(body)
	}
}
