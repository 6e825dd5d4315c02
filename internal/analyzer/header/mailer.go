package header

import "strings"

// The X-Mailer / User-Agent checks are reBulkMailer.MatchString and
// reScriptMailer.MatchString by literal search: each pattern is an
// alternation of ASCII words with optional " " and "-", so it matches
// exactly when one of the finite set of strings it spells out occurs
// (bulkLits anywhere, scriptLits anywhere, scriptPrefix at the start,
// "php/" and a digit at the start). (?i) folds ASCII letters, and also
// "k" with U+212A KELVIN SIGN and "s" with U+017F LATIN SMALL LETTER
// LONG S: a value with either of those goes to the regexps. Every other
// byte ≥ 0x80 matches no pattern byte, as the regexps' runes (or U+FFFD
// for invalid UTF-8) match no pattern rune.

// spell expands a pattern word with optional characters: "e-?mail" is
// "email" and "e-mail". The '?' follows the optional byte.
func spell(p string) []string {
	out := []string{""}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if i+1 < len(p) && p[i+1] == '?' {
			i++
			n := len(out)
			for j := 0; j < n; j++ {
				out = append(out, out[j]+string(c))
			}
			continue
		}
		for j := range out {
			out[j] += string(c)
		}
	}
	return out
}

// spellAll expands each alternative (alternatives with a group are
// given as the product of their parts).
func spellAll(ps ...[]string) []string {
	var out []string
	for _, parts := range ps {
		acc := []string{""}
		for _, part := range parts {
			var next []string
			for _, a := range acc {
				for _, alt := range strings.Split(part, "|") {
					for _, s := range spell(alt) {
						next = append(next, a+s)
					}
				}
			}
			acc = next
		}
		out = append(out, acc...)
	}
	return out
}

var (
	// bulkLits spells out reBulkMailer's alternatives, lowercase.
	bulkLits = spellAll(
		[]string{"quick ?sender"},
		[]string{"envex"},
		[]string{"group ?mail express"},
		[]string{"dynamic ", "e-?mail|mail"},
		[]string{"send-?safe"},
		[]string{"sendblaster"},
		[]string{"mass ?", "mail|sender|e-?mailer"},
		[]string{"atomic mail"},
		[]string{"emailer platinum"},
		[]string{"mailking"},
		[]string{"mail ?bomber"},
		[]string{"super ?mail ?sender"},
		[]string{"stealth ?mailer"},
		[]string{"direct ?e-?mail ?", "sender|blaster"},
		[]string{"bulk ?", "mail|e-?mail|sender"},
		[]string{"floodgate"},
		[]string{"jpfree"},
		[]string{"avalanche ?mailer"},
		[]string{"power ?mailer"},
		[]string{"e-?mail ?blaster"},
		[]string{"worldmerge"},
		[]string{"advanced ?mass"},
		[]string{"turbo ?mailer"},
		[]string{"send ?blaster"},
		[]string{"mailer ?express"},
		[]string{"ultimate ?bulk"},
	)
	bulkByFirst = byFirst(bulkLits)
	// scriptLits: reScriptMailer's unanchored alternatives.
	scriptLits    = []string{"microsoft cdo for windows", "php mailer"}
	scriptByFirst = byFirst(scriptLits)
)

func byFirst(lits []string) [256][]string {
	var t [256][]string
	for _, l := range lits {
		t[l[0]] = append(t[l[0]], l)
	}
	return t
}

// foldLower lowercases ASCII letters of s into buf (grown as needed);
// ok is false when s holds a rune that (?i) folds to an ASCII letter
// (U+212A, U+017F).
func foldLower(s string, buf []byte) (b []byte, ok bool) {
	b = buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x84 && s[i+2] == 0xAA: // U+212A
			return nil, false
		case c == 0xC5 && i+1 < len(s) && s[i+1] == 0xBF: // U+017F
			return nil, false
		}
		b = append(b, c)
	}
	return b, true
}

// containsAny reports whether any of the literals (indexed by first
// byte) occurs in l.
func containsAny(l []byte, t *[256][]string) bool {
	for i := 0; i < len(l); i++ {
		for _, lit := range t[l[i]] {
			if len(l)-i >= len(lit) && string(l[i:i+len(lit)]) == lit {
				return true
			}
		}
	}
	return false
}

// mailerKind classifies an X-Mailer value: 1 when reBulkMailer matches,
// 2 when (only) reScriptMailer does, 0 otherwise.
func mailerKind(xm string) int {
	var arr [128]byte
	l, ok := foldLower(xm, arr[:])
	if !ok {
		switch {
		case reBulkMailer.MatchString(xm):
			return 1
		case reScriptMailer.MatchString(xm):
			return 2
		}
		return 0
	}
	if containsAny(l, &bulkByFirst) {
		return 1
	}
	if containsAny(l, &scriptByFirst) || strings.HasPrefix(string(l), "phpmailer") ||
		len(l) >= 5 && string(l[:4]) == "php/" && '0' <= l[4] && l[4] <= '9' {
		return 2
	}
	return 0
}
