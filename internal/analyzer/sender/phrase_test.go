package sender

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/sekisho/sekisho/internal/ascii"
)

func TestPhraseSetGroups(t *testing.T) {
	for _, s := range []*phraseSet{paymentSet, urgencySet} {
		for i, p := range s.list {
			if g := s.group[i]; g >= 0 && !strings.Contains(p, s.keys[g]) {
				t.Errorf("%q grouped under %q, which it does not hold", p, s.keys[g])
			}
		}
	}
	if len(paymentSet.keys) < 5 {
		t.Errorf("payment phrases: %d shared keys, want several", len(paymentSet.keys))
	}
}

// FuzzPhraseSet: the grouped search returns the phrase the plain one
// does, on texts made of pieces of the phrases.
func FuzzPhraseSet(f *testing.F) {
	f.Add("please wire the funds today", 0)
	f.Add("process the wire asap 支払い期限 至急", 3)
	f.Add("bank account has changed; end of day", 7)
	f.Add("PLEASE PROCESS THE WIRE TODAY", 5)
	f.Fuzz(func(t *testing.T, text string, k int) {
		if len(text) > 2000 {
			return
		}
		all := append(append([]string(nil), paymentPhrases...), urgencyPhrases...)
		if k < 0 {
			k = -k
		}
		// Splice a phrase, or a prefix of one, into the text.
		p := all[k%len(all)]
		cut := len(p) - k%4
		if cut < 1 {
			cut = len(p)
		}
		text = text[:len(text)/2] + p[:cut] + text[len(text)/2:]
		for _, c := range []struct {
			s    *phraseSet
			list []string
		}{{paymentSet, paymentPhrases}, {urgencySet, urgencyPhrases}} {
			want := findPhrase(text, c.list)
			if got := c.s.find(text); got != want {
				t.Fatalf("%q: grouped %q, plain %q", text, got, want)
			}
			if ascii.Is(text) {
				if got := c.s.findIn(text, true); got != want {
					t.Fatalf("%q: grouped ASCII %q, plain %q", text, got, want)
				}
			}
		}
	})
}

// paymentTextRef is the payment text as first built: joined whole, cut,
// normalised and lower-cased.
func paymentTextRef(subject, body string) string {
	text := subject + "\n" + body
	if len(text) > 20000 {
		text = text[:20000]
	}
	return strings.ToLower(norm.NFKC.String(text))
}

// FuzzPaymentText: the payment text cut before joining, without NFKC on
// ASCII, is the text as first built, on short and on long subjects and
// bodies.
func FuzzPaymentText(f *testing.F) {
	f.Add("Re: Invoice", "Please WIRE the funds", 0, 0)
	f.Add("ｆｕｌｌ", "ﾊﾝｶｸ 支払い", 19990, 3)
	f.Add("x", "é", 19998, 19998)
	f.Add("Subj", "", 19995, 0)
	f.Add("S", "body", 19999, 0)
	f.Add("S", "body", 19998, 0)
	f.Add("Ab", "CD", 0, 19997)
	f.Fuzz(func(t *testing.T, subject, body string, padS, padB int) {
		if len(subject)+len(body) > 4000 {
			return
		}
		padS, padB = min(max(padS, 0), 21000), min(max(padB, 0), 21000)
		subject = strings.Repeat("a", padS) + subject
		body = strings.Repeat("B", padB) + body
		want := paymentTextRef(subject, body)
		if got := paymentText(subject, body); got != want {
			t.Fatalf("subject %d bytes, body %d bytes: texts differ", len(subject), len(body))
		}
		buf := []byte("stale bytes")
		got, isASCII := paymentTextIn(&buf, subject, body)
		if got != want || isASCII && !ascii.Is(want) {
			t.Fatalf("subject %d bytes, body %d bytes: paymentTextIn differs (ascii %v)", len(subject), len(body), isASCII)
		}
	})
}
