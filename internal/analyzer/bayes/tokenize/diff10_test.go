package tokenize

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// The tok10 rewrite of the scheme-2 body stream (streamBodyMix: the set
// probed inline, the word hashes inline) must add exactly the features,
// records and set contents main's loop (streamBodyMixRef, ref10_test.go)
// adds: these tests run both on the same builder state and compare.

// setContents is the set's hashes, sorted, with its count and zero flag.
type setContents struct {
	hashes []uint64
	n      int
	zero   bool
}

func contentsOf(s *hashSet) setContents {
	var c setContents
	for _, h := range s.slots {
		if h != 0 {
			c.hashes = append(c.hashes, h)
		}
	}
	slices.Sort(c.hashes)
	c.n, c.zero = s.n, s.zero
	return c
}

// sameBuilders fails unless got and want hold the same features, records,
// body words and set contents.
func sameBuilders(t testing.TB, got, want *builder) {
	t.Helper()
	if !slices.Equal(got.keys, want.keys) {
		t.Fatalf("keys differ: %d, want %d", len(got.keys), len(want.keys))
	}
	if !slices.Equal(got.ends, want.ends) {
		t.Fatalf("ends differ")
	}
	if string(got.arena) != string(want.arena) {
		t.Fatalf("arena differs")
	}
	if string(got.pw) != string(want.pw) || !slices.Equal(got.pwe, want.pwe) {
		t.Fatalf("body words differ")
	}
	if got.cjk != want.cjk {
		t.Fatalf("cjk %v, want %v", got.cjk, want.cjk)
	}
	gc, wc := contentsOf(&got.seen), contentsOf(&want.seen)
	if !slices.Equal(gc.hashes, wc.hashes) || gc.n != wc.n || gc.zero != wc.zero {
		t.Fatalf("set differs: %d hashes (n %d, zero %v), want %d (n %d, zero %v)",
			len(gc.hashes), gc.n, gc.zero, len(wc.hashes), wc.n, wc.zero)
	}
}

// newTestBuilder is a builder readied as start readies one, its set sized
// for about setN hashes, with pre features already added.
func newTestBuilder(opt Options, setN, pre int) *builder {
	b := new(builder)
	b.opt = opt
	b.seen.reset(setN)
	var buf []byte
	for i := range pre {
		buf = append(buf[:0], "p:"...)
		buf = append(buf, byte(i), byte(i>>8), byte(i>>16))
		b.add(string(buf))
	}
	return b
}

// mixPair runs mixWords and mixWordsRef on copies of the same builder
// state over wh and compares.
func mixPair(t testing.TB, opt Options, setN, pre int, wh []uint64) {
	got, want := newTestBuilder(opt, setN, pre), newTestBuilder(opt, setN, pre)
	got.mixWords(slices.Clone(wh))
	want.mixWordsRef(slices.Clone(wh))
	sameBuilders(t, got, want)
}

// FuzzMixWordsRef: mixWords adds what main's loop adds for any word
// hashes (repeats, the hash 0, a small set that must grow, features up to
// MaxFeatures, no bigrams).
func FuzzMixWordsRef(f *testing.F) {
	f.Add(uint64(1), uint16(300), uint16(50), uint16(0), byte(0))
	f.Add(uint64(2), uint16(3000), uint16(0), uint16(0), byte(1))
	f.Add(uint64(3), uint16(2000), uint16(7), uint16(3), byte(2))
	f.Add(uint64(4), uint16(100), uint16(3), uint16(1), byte(4))
	f.Add(uint64(5), uint16(8000), uint16(0), uint16(9), byte(2))
	f.Add(uint64(6), uint16(0), uint16(0), uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, seed uint64, n, alpha, pre uint16, flags byte) {
		rng := rand.New(rand.NewPCG(seed, 17))
		wh := make([]uint64, int(n)%(MaxWords+1))
		for i := range wh {
			if alpha > 0 {
				// Few distinct words: repeated unigrams and pairs.
				wh[i] = uint64(rng.IntN(int(alpha))) * 0x9E3779B97F4A7C15
			} else {
				wh[i] = rng.Uint64()
			}
			if flags&8 != 0 && rng.IntN(50) == 0 {
				wh[i] = 0
			}
		}
		opt := Options{Scheme: SchemePairMix, NoBigrams: flags&4 != 0}
		setN := 0 // the smallest set: it grows
		if flags&1 != 0 {
			setN = len(wh) * Window
		}
		np := 0
		switch flags & 2 {
		case 2:
			// Close to MaxFeatures: the limit falls inside the stream.
			np = max(MaxFeatures-int(pre)%(4*Window*len(wh)+1), 0)
		default:
			np = int(pre) % 100
		}
		if flags&16 != 0 {
			// Small blocks: the block boundaries fall everywhere.
			defer func(old int) { mixBlock = old }(mixBlock)
			mixBlock = 1 + int(seed%13)
		}
		mixPair(t, opt, setN, np, wh)
	})
}

// TestMixWordsBlocks: blocks of any size add what one run adds (every
// block size from 1 to 12 and main's, near MaxFeatures too, with the
// hash 0 and repeats).
func TestMixWordsBlocks(t *testing.T) {
	defer func(old int) { mixBlock = old }(mixBlock)
	rng := rand.New(rand.NewPCG(7, 7))
	for _, bs := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1024} {
		mixBlock = bs
		for _, n := range []int{0, 1, 4, 5, 6, 13, 100, 2100} {
			for _, alpha := range []int{0, 3, 40} {
				wh := make([]uint64, n)
				for i := range wh {
					if alpha > 0 {
						wh[i] = uint64(rng.IntN(alpha)) * 0x9E3779B97F4A7C15
					} else {
						wh[i] = rng.Uint64()
					}
					if rng.IntN(30) == 0 {
						wh[i] = 0
					}
				}
				for _, np := range []int{0, 5, MaxFeatures - 3*n, MaxFeatures - 7} {
					for _, nb := range []bool{false, true} {
						mixPair(t, Options{Scheme: SchemePairMix, NoBigrams: nb}, 0, max(np, 0), wh)
					}
				}
			}
		}
	}
}

// TestMixWordsZero: the hash 0 as a word's and as a (forced) repeat.
func TestMixWordsZero(t *testing.T) {
	for _, wh := range [][]uint64{
		{0}, {0, 0, 0, 0, 0, 0, 0}, {1, 2, 3, 4, 0, 5, 6, 0, 7, 8, 9, 0},
		{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8},
	} {
		for _, np := range []int{0, 3, MaxFeatures - 7, MaxFeatures - 12, MaxFeatures} {
			mixPair(t, Options{Scheme: SchemePairMix}, 0, np, wh)
			mixPair(t, Options{Scheme: SchemePairMix, NoBigrams: true}, 0, np, wh)
		}
	}
}

// streamText runs a message's subject and body streams (as build does)
// into a new builder: with main's body stream when ref.
func streamText(subject, text string, opt Options, ref bool) *builder {
	b := newTestBuilder(opt, len(text)*5/8+128, 1)
	b.words(subject, 512)
	b.stream("s:")
	b.words(text, MaxWords)
	if ref {
		ws := &b.ws
		if n := min(ws.len(), MaxWords); n > 0 {
			ws.buf = slices.Grow(ws.buf, copySlack)
			b.streamBodyMixRef(n)
			b.pw = append(b.pw[:0], ws.buf[:ws.ends[n-1]]...)
			b.pwe = append(b.pwe[:0], ws.ends[:n]...)
		}
	} else {
		b.stream("")
	}
	return b
}

func textPair(t testing.TB, subject, text string) {
	t.Helper()
	for _, opt := range []Options{{Scheme: SchemePairMix}, {Scheme: SchemePairMix, NoBigrams: true}} {
		sameBuilders(t, streamText(subject, text, opt, false), streamText(subject, text, opt, true))
	}
}

var diffSeeds = []string{
	"",
	"a",
	"Hello World hello world HELLO again and again and again",
	"$100 FREE!! V1AGRA 12345 a.b.c-d'e_f@g. -h @i!! !j " + strings.Repeat("x", 40) + " $" + strings.Repeat("7y", 20),
	"関所を通る東京都に住んでいます。今日は良い天気ですね",
	"ＦＲＥＥ ｶﾀｶﾅ Ｖｉａｇｒａ 東京 mixed English と日本語 text 123 テスト",
	strings.Repeat("word another thing ", 3000),
	strings.Repeat("supercalifragilisticexpialidocious-and-then-some ", 50),
	"Ünïcödé wörds Привет мир 한국어 텍스트 \xff\xfe bad bytes",
}

// TestStreamBodyMixRefText: the body stream of texts and of the corpus'
// and the Japanese test messages (ISO-2022-JP, Shift_JIS, EUC-JP and
// UTF-8, decoded by the parser) is main's.
func TestStreamBodyMixRefText(t *testing.T) {
	for _, s := range diffSeeds {
		textPair(t, "Subject words "+s[:min(len(s), 20)], s)
	}
	var msgs = testMessages(t)
	for _, dir := range []string{"enc", "test", "train"} {
		for _, p := range emlFiles(t, filepath.Join("..", "testdata", "ja", dir)) {
			msgs = append(msgs, parseFile(t, p))
		}
	}
	msgs = append(msgs, corpusMessages(7, "test/ham", "test/spam")...)
	for _, m := range msgs {
		textPair(t, m.Subject, m.Text)
	}
}

// FuzzStreamBodyMixRef: the body stream of any text is main's.
func FuzzStreamBodyMixRef(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add("subject", s)
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		textPair(t, subject, text)
	})
}

// FuzzSplitASCIIRef: splitASCII splits every ASCII text as main's
// (splitASCIIRef) does, into the same buffer state, also after words
// already in the buffer.
func FuzzSplitASCIIRef(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add(s, 1000, "")
	}
	f.Add("AbCdEfGhIjKlMnOp q1W2e3R4t5Y6u7I8 a.b.c.d.e.f.g.h.i.j-k'l_m@n x..y --z $Ab12$ 12345678901234567890 X!Y! ", 1000, "pre words")
	f.Add(strings.Repeat("Go! ", 100), 7, "a b")
	f.Fuzz(func(t *testing.T, s string, max int, pre string) {
		max = max&(MaxWords-1) + 1
		b := []byte(s)
		for i := range b {
			b[i] &= 0x7f
		}
		var got, want wordBuf
		got.split(pre, MaxWords)
		want.split(pre, MaxWords)
		got.splitASCII(string(b), max)
		want.splitASCIIRef(string(b), max)
		if string(got.buf) != string(want.buf) || !slices.Equal(got.ends, want.ends) {
			t.Fatalf("%q max %d: %q, want %q", b, max, wordList(&got), wordList(&want))
		}
	})
}

// FuzzLower: builder.lower is strings.ToLower, and asciiCase tells what a
// byte loop tells.
func FuzzLower(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add(s)
	}
	f.Add("ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{ abcdefgh 0123456789 \\x7f")
	f.Add("mx1.EXAMPLE.com\xc3\x9f\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var b builder
		if got, want := b.lower(s), strings.ToLower(s); got != want {
			t.Fatalf("lower(%q) = %q, want %q", s, got, want)
		}
		ascii, upper := asciiCase(s)
		wantASCII, wantUpper := true, false
		for i := 0; i < len(s); i++ {
			wantASCII = wantASCII && s[i] < 0x80
			wantUpper = wantUpper || 'A' <= s[i] && s[i] <= 'Z'
		}
		if ascii != wantASCII || ascii && upper != wantUpper {
			t.Fatalf("asciiCase(%q) = %v, %v, want %v, %v", s, ascii, upper, wantASCII, wantUpper)
		}
	})
}

// FuzzHashWords: hashWords gives each word's xxhash64.
func FuzzHashWords(f *testing.F) {
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40})
	f.Fuzz(func(t *testing.T, text, lens []byte) {
		var ends []int32
		lo := 0
		for _, l := range lens {
			if lo+int(l%48) > len(text) {
				break
			}
			lo += int(l % 48)
			ends = append(ends, int32(lo))
		}
		buf := append(slices.Clip(text[:lo]), make([]byte, copySlack)...)
		wh := make([]uint64, len(ends))
		hashWords(wh, unsafe.Pointer(unsafe.SliceData(buf)), ends)
		lo = 0
		for i, hi := range ends {
			if want := xxhash.Sum64(text[lo:hi]); wh[i] != want {
				t.Fatalf("word %q: %x, want %x", text[lo:hi], wh[i], want)
			}
			lo = int(hi)
		}
	})
}

// FuzzFieldsOf: builder.fieldsOf is strings.Fields.
func FuzzFieldsOf(f *testing.F) {
	f.Add("from mx1.example.com (mx1.example.com [192.0.2.1])\\tby mx.example.net with ESMTPS id 12")
	f.Add("a\x01b\x1fc\x20d\x7fe\tf\ng\vh\fi\rj  \x00k" + strings.Repeat("x", 17) + "\x0b")
	f.Add("  ")
	f.Fuzz(func(t *testing.T, s string) {
		var b builder
		if got, want := b.fieldsOf(s), strings.Fields(s); !slices.Equal(got, want) {
			t.Fatalf("fieldsOf(%q) = %q, want %q", s, got, want)
		}
	})
}

// splitPair fails unless split and main's splitRef give the same words,
// buffer and Han/kana flag for s (after the words of pre).
func splitPair(t testing.TB, pre, s string, max int) {
	t.Helper()
	var got, want wordBuf
	got.split(pre, MaxWords)
	want.split(pre, MaxWords)
	gc, wc := got.split(s, max), want.splitRef(s, max)
	if gc != wc || string(got.buf) != string(want.buf) || !slices.Equal(got.ends, want.ends) {
		t.Fatalf("%q max %d: %q (cjk %v), want %q (cjk %v)", s, max, wordList(&got), gc, wordList(&want), wc)
	}
}

// TestSplitRefTexts: split gives main's words for the seeds, the test
// messages (the Japanese ones in every charset among them) and a sample
// of the corpus, whole and with a small max.
func TestSplitRefTexts(t *testing.T) {
	texts := slices.Clone(diffSeeds)
	texts = append(texts, "a\u00a0b c\u00a0d  “quoted” words — dash e\u0301 cafe\u0301 ＡＢＣ ｶﾞ x\xffy z",
		"line one\nligne deux: déjà vu\r\nthird line\twith tab and ünïcode\n\nlast")
	msgs := testMessages(t)
	for _, dir := range []string{"enc", "test", "train"} {
		for _, p := range emlFiles(t, filepath.Join("..", "testdata", "ja", dir)) {
			msgs = append(msgs, parseFile(t, p))
		}
	}
	msgs = append(msgs, corpusMessages(3, "test/ham", "test/spam")...)
	for _, m := range msgs {
		texts = append(texts, m.Subject, m.Text)
	}
	for _, s := range texts {
		for _, max := range []int{MaxWords, 512, 7, 1} {
			splitPair(t, "", s, max)
		}
		splitPair(t, "some words before", s, MaxWords)
	}
}

// FuzzSplitRef: split gives main's words for any text.
func FuzzSplitRef(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add(s, 1000)
	}
	f.Add("a\u00a0b c\u00a0d “q” e\u0301 \u0301f ＡＢＣ ｶﾞ x\xffy z 東京 $5!", 1000)
	f.Add(" \u0301 \t\u00a0\n\xe3\x81 \x81 x", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		splitPair(t, "", s, max&(MaxWords-1)+1)
	})
}
