package tokenize

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// refStream is the plain computation of stream's features (as in
// FuzzStreamReference), appended to want.
func refStream(want []string, seen map[uint64]bool, words []string, prefix string, pairs bool) []string {
	add := func(s string) {
		if s == "" || len(want) >= MaxFeatures {
			return
		}
		if h := xxhash.Sum64String(s); !seen[h] {
			seen[h] = true
			want = append(want, s)
		}
	}
	for i, w := range words {
		add(prefix + w)
		if !pairs {
			continue
		}
		for d := 1; d < Window && i-d >= 0; d++ {
			add(prefix + words[i-d] + "\x1f" + strconv.Itoa(d) + "\x1f" + w)
		}
	}
	return want
}

// TestStreamReferenceLimits: stream's features are the plain ones where
// FuzzStreamReference does not reach: MaxFeatures reached in the subject's
// or the body's stream (between a word's unigram and its pairs too), the
// body cut at MaxWords, arenas grown from a pooled builder's buffers; in
// both hash schemes.
func TestStreamReferenceLimits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	uni := []string{"a", "b", "é", "ж", "ü", "x", "q", "ß", "ǅ", "z", "ア", "7"}
	ascii := []string{"a", "b", "c", "X", "q", "1", "9", "z", "$", ".", "-", "_"}
	var alpha []string
	mk := func(nw int) string {
		var sb strings.Builder
		for range nw {
			l := 1 + rng.IntN(40)
			for range l {
				sb.WriteString(alpha[rng.IntN(len(alpha))])
			}
			if rng.IntN(5) == 0 {
				sb.WriteString("!")
			}
			sb.WriteByte(' ')
		}
		return sb.String()
	}
	full := 0
	defer func() {
		if full == 0 {
			t.Error("MaxFeatures never reached")
		}
		t.Logf("MaxFeatures reached in %d runs", full)
	}()
	for iter := 0; iter < 6; iter++ {
		// Even runs: all ASCII (splitASCII, words at MaxTokenLen, "$",
		// digits); odd runs: other letters too (the general splitter).
		alpha = ascii
		if iter%2 == 1 {
			alpha = uni
		}
		for k, pairs := range []bool{true, false, true, false} {
			b := builderPool.Get().(*builder)
			b.opt = Options{NoBigrams: !pairs}
			if k >= 2 {
				b.opt.Scheme = SchemePairMix
			}
			b.keys, b.ends, b.arena = b.keys[:0], b.ends[:0], b.arena[:0]
			b.pw, b.pwe = b.pw[:0], b.pwe[:0]
			b.seen.reset(rng.IntN(50000))
			seen := map[uint64]bool{}
			var want []string
			// Features before: many, so that MaxFeatures is reached inside the body.
			pre := rng.IntN(MaxFeatures)
			if iter == 0 {
				pre = 0
			}
			for i := range pre {
				s := "pre" + strconv.Itoa(i)
				b.add(s)
				seen[xxhash.Sum64String(s)] = true
				want = append(want, s)
			}
			sub := mk(600)
			b.words(sub, 512)
			var words []string
			for i := range b.ws.len() {
				words = append(words, b.ws.wordString(i))
			}
			b.stream("s:")
			want = refStream(want, seen, words, "s:", pairs)
			b.words(mk(9000), MaxWords)
			words = words[:0]
			for i := range b.ws.len() {
				words = append(words, b.ws.wordString(i))
			}
			b.stream("")
			want = refStream(want, seen, words, "", pairs)
			got := b.result()
			full += got.Len() / MaxFeatures
			if got.Len() != len(want) {
				t.Fatalf("iter %d: %d features, want %d", iter, got.Len(), len(want))
			}
			for i, s := range want {
				h := xxhash.Sum64String(s)
				if a, w, d, ok := got.Pair(i); ok {
					h = PairHash(xxhash.Sum64String(a), xxhash.Sum64String(w), d)
				}
				if got.Text(i) != s || got.Hash(i) != h {
					t.Fatalf("scheme %d, feature %d: %q, want %q", got.Scheme(), i, got.Text(i), s)
				}
			}
			b.release()
		}
	}
}
