package sender

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/testutil"
)

// findInMain is phraseSet.findIn as on main, with strings.Contains for
// every key and phrase: the reference of FuzzFindInMain.
func (s *phraseSet) findInMain(text string, ascii bool) string {
	var buf [16]int8
	seen := buf[:0] // by key: 0 not searched yet, 1 held, 2 not held
	if len(s.keys) <= len(buf) {
		seen = buf[:len(s.keys)]
	} else {
		seen = make([]int8, len(s.keys))
	}
	for i, p := range s.list {
		if ascii && s.wide[i] {
			continue
		}
		if g := s.group[i]; g >= 0 {
			if seen[g] == 0 {
				seen[g] = 2
				if strings.Contains(text, s.keys[g]) {
					seen[g] = 1
				}
			}
			if seen[g] == 2 {
				continue
			}
		}
		if strings.Contains(text, p) {
			return p
		}
	}
	return ""
}

// FuzzHoldsAt: holdsAt is strings.Contains, for any byte of the needle.
func FuzzHoldsAt(f *testing.F) {
	f.Add("please wire the funds", "wire", 2)
	f.Add("aaaa", "aa", 1)
	f.Add("ab", "abc", 0)
	f.Add("", "x", 0)
	f.Fuzz(func(t *testing.T, s, sub string, k int) {
		if sub == "" {
			return
		}
		if k < 0 {
			k = -k
		}
		k %= len(sub)
		if got, want := holdsAt(s, sub, k), strings.Contains(s, sub); got != want {
			t.Fatalf("holdsAt(%q, %q, %d) = %v, want %v", s, sub, k, got, want)
		}
	})
}

// FuzzFindInMain: findIn finds the phrase main's does, on texts with a
// phrase (or a piece of one) spliced in, ASCII or not.
func FuzzFindInMain(f *testing.F) {
	f.Add("please wire the funds today", 0, 5)
	f.Add("process the wire asap 支払い期限 至急", 3, 9)
	f.Add("bank account has changed; end of day", 7, 0)
	f.Add("are you at your desk? outstanding invoice", 40, 2)
	f.Fuzz(func(t *testing.T, text string, k, at int) {
		if len(text) > 4000 {
			return
		}
		all := append(append([]string(nil), paymentPhrases...), urgencyPhrases...)
		if k < 0 {
			k = -k
		}
		if at < 0 {
			at = -at
		}
		p := all[k%len(all)]
		cut := len(p) - k%3
		at %= len(text) + 1
		text = text[:at] + p[:cut] + text[at:]
		for _, s := range []*phraseSet{paymentSet, urgencySet} {
			for _, a := range []bool{false, true} {
				if a && !isASCII(text) {
					continue
				}
				if got, want := s.findIn(text, a), s.findInMain(text, a); got != want {
					t.Fatalf("%q (ascii %v): %q, main %q", text, a, got, want)
				}
			}
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// benchTexts are the payment texts of the SA test split.
func benchTexts(b *testing.B) []string {
	corpus := testutil.Corpus(b)
	var out []string
	for _, sub := range []string{"test/ham", "test/spam"} {
		fs, _ := filepath.Glob(filepath.Join(corpus, sub, "*"))
		for _, f := range fs {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			m := mail.Parse(raw, mail.Limits{})
			out = append(out, paymentText(m.Subject, m.Text))
		}
	}
	if len(out) == 0 {
		b.Skip("no messages")
	}
	return out
}

// BenchmarkFindInSATest: the payment and urgency phrases on the payment
// texts of the SA test split (one op: one text); Main: main's search.
func BenchmarkFindInSATest(b *testing.B) {
	texts := benchTexts(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := texts[i%len(texts)]
		paymentSet.findIn(t, false)
		urgencySet.findIn(t, false)
	}
}

func BenchmarkFindInMainSATest(b *testing.B) {
	texts := benchTexts(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := texts[i%len(texts)]
		paymentSet.findInMain(t, false)
		urgencySet.findInMain(t, false)
	}
}

// FuzzLowerText: lowerText is strings.ToLower, invalid UTF-8 and
// characters whose lower case is longer or shorter included.
func FuzzLowerText(f *testing.F) {
	for _, s := range []string{"", "ABC def", "Ünïcödé ÀÉ", "\xff\xfeA", "ȺȾ İ K", "支払い 振込 ＡＢＣ", "a\xe3\x81", "\uFFFD\xef\xbf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lowerText(s), strings.ToLower(s); got != want {
			t.Fatalf("lowerText(%q) = %q, want %q", s, got, want)
		}
	})
}
