//go:build linux

package tokenize

import (
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// splitASCIIMain is splitASCII before it read the unpadded original
// text (s lower-cased, copySlack room after it): the reference.
func (ws *wordBuf) splitASCIIMain(s string, max int) {
	n := len(s)
	for i := 0; i < n && len(ws.ends) < max; {
		if byteClass[s[i]]&cWord == 0 {
			i++
			continue
		}
		j := i + 1
		classes := byteClass[s[i]]
		for j < n {
			cl := byteClass[s[j]]
			if cl&cWord != 0 {
				classes |= cl
				j++
				continue
			}
			if cl&cInner != 0 && j+1 < n && byteClass[s[j+1]]&cWord != 0 {
				j++
				continue
			}
			break
		}
		dollar := i > 0 && s[i-1] == '$'
		wl := j - i
		nw := wl
		if dollar {
			nw++
		}
		if nw >= 2 {
			lo := len(ws.buf)
			if classes&cDigit != 0 {
				if dollar {
					ws.buf = append(ws.buf, '$')
				}
				ws.buf = appendCollapsed(ws.buf, s[i:j])
			} else {
				if cap(ws.buf)-lo < nw+copySlack {
					ws.buf = slices.Grow(ws.buf, nw+copySlack)
				}
				p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(ws.buf)), lo)
				if dollar {
					*(*byte)(p) = '$'
					p = unsafe.Add(p, 1)
				}
				copy8(p, unsafe.Pointer(unsafe.StringData(s[i:])), wl)
				ws.buf = ws.buf[:lo+nw]
			}
			if nw > MaxTokenLen {
				w := ws.buf[lo:]
				long := appendLongToken(ws.buf[len(ws.buf):], unsafe.String(unsafe.SliceData(w), len(w)))
				ws.buf = append(ws.buf[:lo], long...)
			}
			ws.ends = append(ws.ends, int32(len(ws.buf)))
		}
		if j < n && s[j] == '!' {
			ws.pushString("!")
		}
		i = j
	}
}

// guarded maps two pages, the second PROT_NONE, and places b at the very
// end of the first: a read past b faults, which a fuzzer on heap memory
// only sees under -race (checkptr).
var guardMem []byte

func guarded(t testing.TB, b []byte) string {
	pg := syscall.Getpagesize()
	if guardMem == nil {
		m, err := syscall.Mmap(-1, 0, 2*pg, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mprotect(m[pg:], syscall.PROT_NONE); err != nil {
			t.Fatal(err)
		}
		guardMem = m
	}
	if len(b) > pg {
		b = b[:pg]
	}
	dst := guardMem[pg-len(b) : pg]
	copy(dst, b)
	return unsafe.String(unsafe.SliceData(dst), len(dst))
}

func checkSplitGuard(t *testing.T, b []byte, max int) {
	for i := range b {
		b[i] &= 0x7f
	}
	if len(b) > syscall.Getpagesize() {
		b = b[:syscall.Getpagesize()]
	}
	norm := appendLowerASCII(nil, string(b))
	norm = slices.Grow(norm, copySlack)
	var want, got, chunk wordBuf
	want.splitASCIIMain(unsafe.String(unsafe.SliceData(norm), len(norm)), max)
	s := guarded(t, b)
	got.splitASCII(s, max)
	if !slices.Equal(wordList(&got), wordList(&want)) {
		t.Fatalf("%q max %d: %q, want %q", b, max, wordList(&got), wordList(&want))
	}
	chunk.split(s, max)
	if want.len() > max {
		want.ends = want.ends[:max]
		want.buf = want.buf[:want.ends[max-1]]
	}
	if !slices.Equal(wordList(&chunk), wordList(&want)) {
		t.Fatalf("split %q max %d: %q, want %q", b, max, wordList(&chunk), wordList(&want))
	}
}

// TestSplitASCIIGuardPage: every text whose last word ends at the page end,
// every length 0..80, with upper case, digits, $, inner punctuation.
func TestSplitASCIIGuardPage(t *testing.T) {
	alpha := "aZbYcX"
	for n := 0; n <= 80; n++ {
		for pre := 0; pre <= 24 && pre <= n; pre++ {
			// pre bytes of other words, then one word to the end
			var sb strings.Builder
			for k := 0; k < pre; k++ {
				if k%5 == 4 {
					sb.WriteByte(' ')
				} else {
					sb.WriteByte("QwErT"[k%5])
				}
			}
			if pre < n && pre > 0 {
				sb.WriteString(" ")
			}
			for sb.Len() < n {
				sb.WriteByte(alpha[sb.Len()%len(alpha)])
			}
			b := []byte(sb.String())
			checkSplitGuard(t, b, 1000)
			b2 := slices.Clone(b)
			if len(b2) > 3 {
				b2[len(b2)/2] = '$'
			}
			checkSplitGuard(t, b2, 1000)
			b3 := []byte(strings.ToUpper(string(b)))
			checkSplitGuard(t, b3, 1000)
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	const chars = "abcXYZ019$.-'_@! \t\n"
	for it := 0; it < 20000; it++ {
		n := rng.IntN(120)
		b := make([]byte, n)
		for i := range b {
			if rng.IntN(4) == 0 {
				b[i] = chars[rng.IntN(len(chars))]
			} else {
				b[i] = "AbCdEfGhZz"[rng.IntN(10)]
			}
		}
		checkSplitGuard(t, b, 1+rng.IntN(40))
	}
}

func FuzzSplitASCIIGuardPage(f *testing.F) {
	f.Add([]byte("Hello WORLD abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"), 1000)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		checkSplitGuard(t, b, max&1023+1)
	})
}
