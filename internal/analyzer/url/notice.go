package url

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/ascii"
)

// isNotice reports whether a subject is worded as a service's notice to
// its user. It answers as the regex
//
//	(?i)重要|緊急|…|還付|\b(important|urgent|…|rimborso)\b
//
// did (noticeTestRe in the tests, checked against it by
// FuzzNoticeMatch), without running Go's NFA over the subject: the regex
// is an alternation of words, so it matches when one of them matches at
// some offset. A word matches where each rune of the text is in the case
// orbit (unicode.SimpleFold) of the word's rune, as (?i) compares them —
// which takes in "ſ" for s and the Kelvin sign for k —, and \b holds
// where exactly one of the runes around it is an ASCII word character,
// as regexp's \b does. The words of the regex that end in \w* ("bestätig\w*")
// are their stems without the closing \b: after a stem ending in an ASCII
// word character, \w* reaches the end of the run of ASCII word characters
// that follows, where \b holds.
func isNotice(s string) bool {
	if !ascii.Is(s) {
		for _, w := range noticeCJK {
			if strings.Contains(s, w) {
				return true
			}
		}
	}
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if f := foldRune(r); f < 128 && noticeByFirst[f] != nil {
			// \b before the word: one side an ASCII word character.
			if (i > 0 && isWordByte(s[i-1])) != isWordRune(r) {
				for _, w := range noticeByFirst[f] {
					if noticeAt(s, i, w) {
						return true
					}
				}
			}
		}
		i += n
	}
	return false
}

// noticeWord is a word of the notice regex's \b(…)\b group: its runes
// folded (foldRune), and whether \b must hold after it.
type noticeWord struct {
	runes []rune
	after bool
}

// noticeAt reports whether word w matches at offset i of s (its leading
// \b checked by the caller).
func noticeAt(s string, i int, w *noticeWord) bool {
	last := rune(-1)
	for _, c := range w.runes {
		if i >= len(s) {
			return false
		}
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if foldRune(r) != c {
			return false
		}
		last = r
		i += n
	}
	if !w.after {
		return true
	}
	// \b after the word: the rune after it (none at the end, or a byte
	// of a longer or invalid character) against the last one matched.
	next := i < len(s) && isWordByte(s[i])
	return isWordRune(last) != next
}

// foldRune maps a rune to one representative of its case orbit
// (unicode.SimpleFold): two runes fold alike exactly when (?i) matches
// one with the other. ASCII letters fold to lower case, and so do the
// other members of their orbits (K, ſ); other runes to the smallest
// member of their orbit.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if m < utf8.RuneSelf && 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// isWordRune is syntax.IsWordChar.
func isWordRune(r rune) bool {
	return r < utf8.RuneSelf && isWordByte(byte(r))
}

// noticeCJK are the regex's words outside the \b group (no rune of them
// has another case).
var noticeCJK = []string{"重要", "緊急", "至急", "ご注意", "警告", "脆弱性", "セキュリティ", "アカウント", "パスワード", "ご確認", "停止", "凍結",
	"更新のお願い", "認証", "ご利用確認", "お支払い", "支払", "未納", "未払", "お荷物", "不在", "配達", "ポイント", "失効", "還付"}

// noticeWords are the words of the regex's \b(…)\b group; a trailing
// "*" marks a stem the regex follows with \w* (no \b after it).
var noticeWords = []string{
	"important", "urgent", "alert", "security", "account", "password", "verify", "verification", "suspend", "suspended",
	"locked", "expire", "expires", "expired", "expiring", "unusual", "confirm", "payment", "billing", "invoice", "refund",
	"parcel", "package", "delivery", "shipment",
	// de, nl, fr, pt, es, it
	"konto", "sicherheit", "bestätig*", "gesperrt", "zahlung", "paket", "sendung", "zustellung", "erstattung",
	"rekening", "beveiliging", "bevestig*", "geblokkeerd", "betaling", "pakket", "bezorging",
	"compte", "sécurité", "securite", "vérifi*", "verifi*", "bloqué", "suspendu", "paiement", "colis", "livraison", "remboursement",
	"conta", "segurança", "seguranca", "bloqueio", "bloqueada", "pagamento", "encomenda", "entrega", "pendência", "pendencia", "restituição",
	"cuenta", "seguridad", "bloqueada", "pago", "paquete", "envío", "reembolso",
	"conto", "sicurezza", "bloccato", "pagamento", "pacco", "spedizione", "rimborso",
}

// noticeByFirst holds the words by their first rune, folded (an ASCII
// letter for every word).
var noticeByFirst = func() (t [128][]*noticeWord) {
	for _, s := range noticeWords {
		w := &noticeWord{after: !strings.HasSuffix(s, "*")}
		for _, r := range strings.TrimSuffix(s, "*") {
			w.runes = append(w.runes, foldRune(r))
		}
		f := w.runes[0]
		t[f] = append(t[f], w)
	}
	return t
}()
