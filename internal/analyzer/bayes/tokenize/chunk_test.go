package tokenize

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// splitWhole is split as it was before the chunks: the whole text
// normalised at once, then split.
func splitWhole(s string, max int) ([]string, bool) {
	var ws wordBuf
	if s == "" || max <= 0 {
		return nil, false
	}
	cjk := ws.splitChunk(s, max)
	if ws.len() > max {
		ws.ends = ws.ends[:max]
		ws.buf = ws.buf[:ws.ends[max-1]]
	}
	return wordList(&ws), cjk
}

func splitChunked(s string, max, size int) ([]string, bool) {
	var ws wordBuf
	cjk := ws.splitBy(s, max, size)
	return wordList(&ws), cjk
}

func wordList(ws *wordBuf) []string {
	out := make([]string, ws.len())
	for i := range out {
		out[i] = ws.wordString(i)
	}
	return out
}

var chunkSeeds = append(slices.Clone(wordsSeeds),
	"ab \u0301cd e\u0301 $ 5 $5 x! !y a- -b\r\n\tc\u00a0d 関所 を\n通る",
	"\xff \xfe\xfd a\xe3\x81 b \xe3\x81\x82 \x80",
	"Ａ Ｂ ｶﾞ ﾞ ｶ ﾞ\u3000ア イ ① ㍻ ﬁx ǅ",
	"$ $$a !! a!b a@b @c d. .e", "ﾊﾟｽﾜｰﾄﾞ\nﾊﾟ ｽ")

// FuzzSplitChunks: normalising and splitting a text in chunks gives the
// words (and the Han/kana flag) of the whole text normalised at once,
// for any chunk size and word cap.
func FuzzSplitChunks(f *testing.F) {
	for i, s := range chunkSeeds {
		f.Add(s, 1000, uint8(i))
		f.Add(s, 3, uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, max int, size uint8) {
		max = max&1023 + 1
		sz := int(size)%64 + 1
		want, wantCJK := splitWhole(s, max)
		got, gotCJK := splitChunked(s, max, sz)
		if !slices.Equal(got, want) || gotCJK != wantCJK {
			t.Fatalf("split(%q, %d) by %d: %q (cjk %v), whole: %q (cjk %v)", s, max, sz, got, gotCJK, want, wantCJK)
		}
	})
}

// TestSplitChunksLong: long texts of words from the seeds, split with
// the real chunk size, give the words of the whole text, whether or not
// the cap is reached.
func TestSplitChunksLong(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var pieces []string
	for _, s := range chunkSeeds {
		pieces = append(pieces, strings.Fields(s)...)
	}
	seps := []string{" ", "\n", "\r\n", "\t", "  ", "\u3000", "", "。", ", "}
	for n := range 10 {
		var b strings.Builder
		for b.Len() < 17<<10+n*(24<<10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		s := b.String()
		for _, max := range []int{MaxWords, 1 << 20} {
			want, wantCJK := splitWhole(s, max)
			got, gotCJK := splitChunked(s, max, normChunk)
			if !slices.Equal(got, want) || gotCJK != wantCJK {
				t.Fatalf("text %d (%d bytes), max %d: %d words (cjk %v), whole: %d (cjk %v)", n, len(s), max, len(got), gotCJK, len(want), wantCJK)
			}
		}
	}
}

// TestChunkEnd: chunks are at most the size when a cut exists before it,
// and each cut follows ASCII white space with an ASCII byte after it.
func TestChunkEnd(t *testing.T) {
	for _, c := range []struct {
		s    string
		size int
		want int
	}{
		{"abc", 5, 3},
		{"ab cd ef", 4, 3},
		{"ab cd ef", 6, 6},
		{"abcdef gh", 3, 7},
		{"abcdefgh", 3, 8},
		{"ab \u00e9cd ef", 5, 8},
		{"ab\n\ncd", 3, 3},
	} {
		if got := chunkEnd(c.s, c.size); got != c.want {
			t.Errorf("chunkEnd(%q, %d) = %d, want %d", c.s, c.size, got, c.want)
		}
	}
}

// BenchmarkSplitLong: the body's words of a 256 KB text (the cap,
// MaxWords, is reached after about a fifth of it), normalised whole as
// before and in chunks.
func BenchmarkSplitLong(b *testing.B) {
	var sb strings.Builder
	rng := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields("Ünïcödé café naïve résumé façade crème brûlée déjà vu piñata Ｆｕｌｌ ｗｉｄｔｈ ﬁle account verify password update your details today")
	for sb.Len() < MaxTextBytes {
		sb.WriteString(words[rng.IntN(len(words))])
		sb.WriteByte(" \n"[rng.IntN(2)])
	}
	s := sb.String()
	var ws wordBuf
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			ws.reset()
			ws.splitChunk(s, MaxWords)
		}
	})
	b.Run("chunked", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			ws.reset()
			ws.split(s, MaxWords)
		}
	})
}

// splitGeneral is splitChunk's general loop (rune decoding, word1) over
// an already normalised text, the path ASCII text took before splitASCII.
func splitGeneral(ws *wordBuf, s string, max int) {
	for i := 0; i < len(s) && ws.len() < max; {
		if c := s[i]; c < 0x80 {
			if asciiClass[c]&cWord == 0 {
				i++
				continue
			}
			i = ws.word1(s, i)
			continue
		}
		i++
	}
}

// FuzzSplitASCII: the ASCII fast path splits every ASCII text as the
// general loop does.
func FuzzSplitASCII(f *testing.F) {
	for _, s := range chunkSeeds {
		f.Add(s, 1000)
	}
	f.Add("$5 $$ab a1b22c333 "+strings.Repeat("x", 40)+" $"+strings.Repeat("7y", 20)+" a.b.c-d'e_f@g. -h @i!! !j", 1000)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max&1023 + 1
		b := []byte(s)
		for i := range b {
			b[i] &= 0x7f
		}
		norm := string(appendLowerASCII(nil, string(b)))
		var want, got wordBuf
		splitGeneral(&want, norm, max)
		// The text, not lower-cased, at the very end of its buffer (no
		// room to read past it).
		buf := make([]byte, len(b))
		copy(buf, b)
		got.splitASCII(unsafe.String(unsafe.SliceData(buf), len(buf)), max)
		if !slices.Equal(wordList(&got), wordList(&want)) {
			t.Fatalf("%q max %d: %q, want %q", norm, max, wordList(&got), wordList(&want))
		}
	})
}
