package tokenize

import (
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/sekisho/sekisho/internal/mail"
)

// sameButPairs fails unless s2 (scheme 2) has s1's (scheme 1) features in
// the same order with the same texts and hashes, except the body pairs:
// those (and only those) are Pair records hashed by PairHash of their
// words' xxhashes.
func sameButPairs(t testing.TB, s2, s1 *Tokens) {
	t.Helper()
	if s1.Scheme() != SchemeText || s2.Scheme() != SchemePairMix {
		t.Fatalf("schemes %d, %d", s1.Scheme(), s2.Scheme())
	}
	if s2.Len() != s1.Len() || s2.CJK != s1.CJK {
		t.Fatalf("%d features, want %d", s2.Len(), s1.Len())
	}
	for i := range s1.Len() {
		text := s1.Text(i)
		if got := s2.Text(i); got != text {
			t.Fatalf("feature %d: text %q, want %q", i, got, text)
		}
		a, w, d, ok := s2.Pair(i)
		if !ok {
			if s2.Hash(i) != s1.Hash(i) {
				t.Fatalf("feature %d (%q): hash %x, want %x", i, text, s2.Hash(i), s1.Hash(i))
			}
			// Only the body's pairs are mixed: every other pair-shaped
			// text has a prefix ("s:").
			if p := strings.Split(text, "\x1f"); len(p) == 3 && !strings.Contains(p[0], ":") && len(p[1]) == 1 {
				t.Fatalf("feature %d (%q): a body pair without a pair record", i, text)
			}
			continue
		}
		if want := a + "\x1f" + string(rune('0'+d)) + "\x1f" + w; text != want {
			t.Fatalf("feature %d: pair %q, text %q", i, want, text)
		}
		if h := PairHash(xxhash.Sum64String(a), xxhash.Sum64String(w), d); s2.Hash(i) != h {
			t.Fatalf("feature %d (%q): hash %x, want PairHash %x", i, text, s2.Hash(i), h)
		}
	}
}

// TestSchemesSameFeatures: scheme 2 makes scheme 1's features (texts,
// order, all hashes but the body pairs'), over the test messages and the
// SA corpus (a share of it), through Message and MessageTo.
func TestSchemesSameFeatures(t *testing.T) {
	msgs := testMessages(t)
	msgs = append(msgs, nil)
	msgs = append(msgs, corpusMessages(3, "test/ham", "test/spam")...)
	var reused Tokens
	for _, opt := range []Options{{}, {NoBigrams: true}, {CharGrams: 4, NoHeaders: true}} {
		for _, m := range msgs {
			o2 := opt
			o2.Scheme = SchemePairMix
			s1 := Message(m, nil, opt)
			sameButPairs(t, Message(m, nil, o2), s1)
			MessageTo(&reused, m, nil, o2)
			sameButPairs(t, &reused, s1)
		}
	}
}

// TestPairHash pins scheme 2's pair hash (it is part of every scheme-2
// store: it must never change) and checks it is order- and
// distance-sensitive and apart from the unigrams.
func TestPairHash(t *testing.T) {
	ha, hw := xxhash.Sum64String("free"), xxhash.Sum64String("money")
	golden := map[int]uint64{}
	for d := 1; d < Window; d++ {
		golden[d] = PairHash(ha, hw, d)
	}
	want := map[int]uint64{1: 0xdfdfc0cc52e68737, 2: 0x9df0d13dc04a0ebf, 3: 0x819c84671006be51, 4: 0x84729e9688d9b005}
	for d, h := range golden {
		if h != want[d] {
			t.Errorf("PairHash(free, money, %d) = %#x, want %#x", d, h, want[d])
		}
	}
	// Degenerate word hashes (0, all ones, single bits, the second
	// word's key) still give distinct pairs in both orders and at every
	// distance. (For a given w each distance's map from ha is a
	// bijection, so ha and ha' = ha ^ pairKeyA[d] ^ pairKeyA[d'] collide
	// at distances d and d': every 64-bit hash has such partners; two
	// words' xxhashes are related so by chance only.)
	special := []uint64{0, ^uint64(0), 1, 1 << 63, pairKeyW}
	spec := map[uint64]bool{}
	for _, x := range special {
		for _, y := range special {
			for d := 1; d < Window; d++ {
				h := PairHash(x, y, d)
				if spec[h] {
					t.Fatalf("PairHash(%#x, %#x, %d) repeats %#x", x, y, d, h)
				}
				spec[h] = true
			}
		}
	}
	seen := map[uint64]string{ha: "free", hw: "money"}
	words := []string{"free", "money", "now", "click", "here", "a", ""}
	for _, a := range words {
		for _, w := range words {
			for d := 1; d < Window; d++ {
				h := PairHash(xxhash.Sum64String(a), xxhash.Sum64String(w), d)
				k := a + "/" + string(rune('0'+d)) + "/" + w
				if prev, ok := seen[h]; ok {
					t.Fatalf("PairHash %s = %s: %#x", k, prev, h)
				}
				seen[h] = k
				if h == xxhash.Sum64String(a+"\x1f"+string(rune('0'+d))+"\x1f"+w) {
					t.Fatalf("PairHash %s is scheme 1's", k)
				}
			}
		}
	}
}

// FuzzSchemes: scheme 2's features are scheme 1's but for the body pairs'
// hashes, for any message.
func FuzzSchemes(f *testing.F) {
	f.Add([]byte("Subject: hi there you\r\nFrom: a <b@c.d>\r\n\r\nhello world hello world again http://x.example/a 東京都に行く"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg := mail.Parse(raw, mail.Limits{MaxSize: 1 << 20})
		s1 := Message(msg, nil, Options{})
		var reused Tokens
		MessageTo(&reused, fuzzOther, nil, Options{Scheme: SchemePairMix})
		MessageTo(&reused, msg, nil, Options{Scheme: SchemePairMix})
		sameButPairs(t, &reused, s1)
		sameButPairs(t, Message(msg, nil, Options{Scheme: SchemePairMix}), s1)
	})
}

// TestSchemeTextsKept: the texts of a scheme-2 Tokens (made from the body
// words it keeps) do not change when the pooled builder and another
// Tokens are used for other messages afterwards: Message's words are its
// own copy, and MessageTo's are the Tokens' own buffers (the builder's go
// back to it).
func TestSchemeTextsKept(t *testing.T) {
	msgs := testMessages(t)
	o := Options{Scheme: SchemePairMix}
	texts := func(tk *Tokens) []string {
		var out []string
		for _, f := range tk.All() {
			out = append(out, strings.Clone(f.Text))
		}
		return out
	}
	var kept []*Tokens
	var want [][]string
	var reused, other Tokens
	for i, m := range msgs {
		tk := Message(m, nil, o)
		kept, want = append(kept, tk), append(want, texts(tk))
		MessageTo(&reused, m, nil, o)
		wantTo := texts(&reused)
		// Other messages through the pool and another Tokens.
		for j := range 3 {
			MessageTo(&other, msgs[(i+j+1)%len(msgs)], nil, o)
			Message(msgs[(i+j+2)%len(msgs)], nil, o)
		}
		if got := texts(&reused); !slices.Equal(got, wantTo) {
			t.Fatalf("message %d: MessageTo's texts changed by later messages", i)
		}
	}
	for i, tk := range kept {
		if got := texts(tk); !slices.Equal(got, want[i]) {
			t.Fatalf("message %d: Message's texts changed by later messages", i)
		}
	}
}
