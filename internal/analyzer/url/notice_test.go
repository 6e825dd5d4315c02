package url

import (
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// noticeTestRe is the regex isNotice answers as (it ran on the subject
// before: Go's NFA, about 430 K instructions per subject).
var noticeTestRe = regexp.MustCompile(`(?i)重要|緊急|至急|ご注意|警告|脆弱性|セキュリティ|アカウント|パスワード|ご確認|停止|凍結|更新のお願い|認証|ご利用確認|お支払い|支払|未納|未払|お荷物|不在|配達|ポイント|失効|還付|\b(important|urgent|alert|security|account|password|verify|verification|suspend(ed)?|locked|expir(e|es|ed|ing)|unusual|confirm|payment|billing|invoice|refund|parcel|package|delivery|shipment|` +
	// de, nl, fr, pt, es, it
	`konto|sicherheit|bestätig\w*|gesperrt|zahlung|paket|sendung|zustellung|erstattung|` +
	`rekening|beveiliging|bevestig\w*|geblokkeerd|betaling|pakket|bezorging|` +
	`compte|sécurité|securite|vérifi\w*|verifi\w*|bloqué|suspendu|paiement|colis|livraison|remboursement|` +
	`conta|segurança|seguranca|bloqueio|bloqueada|pagamento|encomenda|entrega|pendência|pendencia|restituição|` +
	`cuenta|seguridad|bloqueada|pago|paquete|envío|reembolso|` +
	`conto|sicurezza|bloccato|pagamento|pacco|spedizione|rimborso)\b`)

func checkNotice(t testing.TB, s string) {
	t.Helper()
	if got, want := isNotice(s), noticeTestRe.MatchString(s); got != want {
		t.Fatalf("isNotice(%q) = %v, regexp %v", s, got, want)
	}
}

// noticeContexts are texts put around the words: ASCII word and non-word
// characters, runes (?i) folds to ASCII letters, non-ASCII letters,
// invalid bytes and multi-byte runes cut short.
var noticeContexts = []string{"", " ", "x", "_", "9", "-", ".", "é", "É", "ſ", "\u212a", "K", "\xff", "\xe3\x81", "日", "\u0130", "\u0131", "s", "\n", "ä"}

// noticeVariants returns case variants of a word: lower, upper, title,
// each ASCII s and k in turn as ſ and the Kelvin sign, random case.
func noticeVariants(w string, rng *rand.Rand) []string {
	out := []string{w, strings.ToUpper(w), strings.ToTitle(w[:1]) + w[1:]}
	for i, r := range w {
		switch r {
		case 's':
			out = append(out, w[:i]+"ſ"+w[i+1:])
		case 'k':
			out = append(out, w[:i]+"\u212a"+w[i+1:])
		}
	}
	var b strings.Builder
	for _, r := range w {
		if rng.IntN(2) == 0 {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
	}
	return append(out, b.String())
}

// noticeNearMisses returns the word cut short, with a rune dropped,
// doubled or replaced, and with letters after it.
func noticeNearMisses(w string, rng *rand.Rand) []string {
	rs := []rune(w)
	out := []string{string(rs[:len(rs)-1]), string(rs[1:]), w + "s", w + "ed", w + "d", w + "ing", w + "é", w + "_"}
	k := rng.IntN(len(rs))
	out = append(out, string(rs[:k])+string(rs[k+1:]), string(rs[:k])+string(rs[k])+string(rs[k:]))
	rs2 := append([]rune(nil), rs...)
	rs2[k] = rune('a' + rng.IntN(26))
	out = append(out, string(rs2))
	return out
}

func noticeAllWords() []string {
	var ws []string
	for _, w := range noticeWords {
		ws = append(ws, strings.TrimSuffix(w, "*"))
	}
	return append(ws, noticeCJK...)
}

// TestNoticeWords checks every word of the regex, in case variants and
// near misses, after each context (with a few after it) and before each
// (with a few before it); with SEKISHO_NOTICE_SECONDS set, between every
// pair of contexts.
func TestNoticeWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	all := os.Getenv("SEKISHO_NOTICE_SECONDS") != ""
	for _, w := range noticeAllWords() {
		for _, v := range append(noticeVariants(w, rng), noticeNearMisses(w, rng)...) {
			for i, a := range noticeContexts {
				for j, b := range noticeContexts {
					if all || i < 3 || j < 3 {
						checkNotice(t, a+v+b)
					}
					if all {
						checkNotice(t, "Your "+a+v+b+" today")
					}
				}
			}
		}
	}
	for _, s := range []string{"", "Hello", "Re: lunch", "Your account", "ACCOUNTS", "Konto gesperrt", "Sécurité", "sécuritéx",
		"vérification", "Vérifiez", "bestätigen Sie", "Bestätigung", "重要なお知らせ", "ｱｶｳﾝﾄ", "パスワ-ド", "accountaccount",
		"xaccount", "account_", "_account", "account1", "1account", "ac\u0307count", "pa\u017f\u017fword"} {
		checkNotice(t, s)
	}
}

// noticeAlphabet is what random texts are made of: pieces of the words,
// letters in both cases and their fold partners, separators, CJK runes
// of the words, invalid bytes.
func noticeAlphabet() []string {
	al := []string{" ", "x", "_", "9", "-", "é", "É", "ſ", "\u212a", "\xff", "\xe3", "日", "ç", "Ç", "ã", "í", "ê", "ä", "Ä", "\t", "\n", "İ", "ı"}
	for c := 'a'; c <= 'z'; c++ {
		al = append(al, string(c), string(unicode.ToUpper(c)))
	}
	for _, w := range noticeAllWords() {
		rs := []rune(w)
		for i := 0; i < len(rs); i++ {
			for j := i + 1; j <= len(rs) && j <= i+4; j++ {
				al = append(al, string(rs[i:j]))
			}
		}
		al = append(al, w, strings.ToUpper(w))
	}
	return al
}

func randomNotice(rng *rand.Rand, al []string) string {
	var b strings.Builder
	n := rng.IntN(24)
	for i := 0; i < n; i++ {
		b.WriteString(al[rng.IntN(len(al))])
	}
	return b.String()
}

// TestNoticeRandom compares isNotice with the regex on random texts
// (SEKISHO_NOTICE_SECONDS: for that long; else 20,000 texts).
func TestNoticeRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	al := noticeAlphabet()
	n, deadline := 20000, time.Time{}
	if s, err := strconv.Atoi(os.Getenv("SEKISHO_NOTICE_SECONDS")); err == nil {
		n, deadline = 1<<62, time.Now().Add(time.Duration(s)*time.Second)
	}
	runs, hits := 0, 0
	for ; runs < n; runs++ {
		if !deadline.IsZero() && runs%1024 == 0 && time.Now().After(deadline) {
			break
		}
		s := randomNotice(rng, al)
		checkNotice(t, s)
		if isNotice(s) {
			hits++
		}
	}
	t.Logf("%d texts, %d match", runs, hits)
}

func FuzzNoticeMatch(f *testing.F) {
	for _, s := range []string{"", "Your account", "ſecurity alert", "\u212aonto", "sécuritéx", "bestätigung", "重要", "xverify", "verify_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkNotice(t, s) })
}

// BenchmarkNotice times isNotice against the regex on a subject and on
// dense hostile texts.
func BenchmarkNotice(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"subject", "Re: Your invoice for the month of November from the team"},
		{"match", "Important: your account has been suspended"},
		{"words", strings.Repeat("accoun securit verif ", 200)},
		{"s", strings.Repeat("s", 4000)},
		{"sſ", strings.Repeat("sſsKk", 800)},
		{"utf8", strings.Repeat("セキュリテ日本語é", 300)},
		{"log", strings.Repeat("log ", 1000)},
	} {
		b.Run(c.name+"/scan", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				isNotice(c.s)
			}
		})
		b.Run(c.name+"/regexp", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				noticeTestRe.MatchString(c.s)
			}
		})
	}
}
