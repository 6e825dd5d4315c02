// Package brands knows the often-impersonated brands and organisations
// (global and Japanese) with their real domains, and finds lookalike
// domains: Unicode confusable skeletons (UTS #39 via
// go.mau.fi/util/confusable), punycode/IDN (golang.org/x/net/idna) and
// mixed scripts, edit distance and typo patterns (micros0ft, rn→m, vv→w),
// added words (-support, -login, -secure) and cousin domains on other
// TLDs. It is shared by the sender (impersonation) and URL analyzers.
package brands

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.mau.fi/util/confusable"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"
)

// Brand is an often-impersonated organisation.
type Brand struct {
	Name     string   // canonical name, e.g. "Microsoft"
	Names    []string // names and spellings that claim it in display names and text: "Office 365", "マイクロソフト"
	Domains  []string // its real registrable domains: "microsoft.com", "office.com", "outlook.com"
	Keywords []string // lower-case tokens that name it inside a domain: "microsoft", "office365"
	Kind     string   // "tech", "bank", "card", "broker", "shipping", "retail", "telecom", "hosting", "webmail", "government"
	// Global brands own their name under many country TLDs, so the same
	// name on another ccTLD is not reported as a cousin domain.
	Global bool
}

// All returns the built-in brand list.
func All() []Brand { return builtin }

type index struct {
	keywords []keyword
	byDomain map[string]int // registrable or full domain -> brand index
	names    []nameEntry
	targets  []target
}

type keyword struct {
	skel  string
	brand int
}

type nameEntry struct {
	norm  string // normalised name
	skel  string // skeleton (ASCII names of 5+ letters), "" otherwise
	ascii bool
	exact bool // short ASCII names match case-sensitively as written
	raw   string
	brand int
	// Precomputed views for Claimed.
	lnorm, lskel, nospace string
}

type target struct {
	domain string // registrable domain
	label  string // domain minus public suffix, e.g. "microsoft"
	suffix string
	skel   string
	brand  int // -1 for extra (protected) domains
	global bool
}

var (
	idxOnce sync.Once
	idx     *index
)

func getIndex() *index {
	idxOnce.Do(func() { idx = buildIndex(builtin) })
	return idx
}

func buildIndex(list []Brand) *index {
	ix := &index{byDomain: map[string]int{}}
	for i, b := range list {
		for _, k := range b.Keywords {
			if len(k) >= 4 {
				ix.keywords = append(ix.keywords, keyword{skel: Skeleton(k), brand: i})
			}
		}
		for _, d := range b.Domains {
			d = strings.ToLower(d)
			ix.byDomain[d] = i
			ix.targets = append(ix.targets, makeTarget(d, i, b.Global))
		}
		for _, n := range append([]string{b.Name}, b.Names...) {
			e := nameEntry{norm: normText(n), brand: i, raw: n}
			e.ascii = isASCII(e.norm)
			if e.ascii && len(strings.TrimSpace(n)) <= 4 && strings.ToUpper(n) == n {
				e.exact = true // "DHL", "UPS", "KDDI", "SMBC", "JCB", "MUFG"
			}
			if e.ascii && len(e.norm) >= 5 {
				e.skel = Skeleton(e.norm)
			}
			e.lnorm, e.lskel = strings.ToLower(e.norm), strings.ToLower(e.skel)
			e.nospace = strings.ReplaceAll(e.norm, " ", "")
			ix.names = append(ix.names, e)
		}
	}
	return ix
}

func makeTarget(d string, brand int, global bool) target {
	reg := Registrable(d)
	label, suffix := splitSuffix(reg)
	return target{domain: reg, label: label, suffix: suffix, skel: Skeleton(label), brand: brand, global: global}
}

// Registrable returns the registrable domain (public suffix plus one
// label) of a host, lower-case, the host itself when it cannot tell.
func Registrable(host string) string {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if a, err := idna.Lookup.ToASCII(host); err == nil && a != "" {
		host = a
	}
	r, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return r
}

func splitSuffix(reg string) (label, suffix string) {
	ps, _ := publicsuffix.PublicSuffix(reg)
	if ps == "" || len(ps) >= len(reg) {
		return reg, ""
	}
	return strings.TrimSuffix(reg[:len(reg)-len(ps)], "."), ps
}

// ByDomain returns the brand owning a domain (any subdomain of one of its
// registered domains).
func ByDomain(domain string) (Brand, bool) {
	ix := getIndex()
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if a, err := idna.Lookup.ToASCII(d); err == nil && a != "" {
		d = a
	}
	// Longest match first: exact host, then each parent.
	for d != "" {
		if i, ok := ix.byDomain[d]; ok {
			return builtin[i], true
		}
		j := strings.IndexByte(d, '.')
		if j < 0 {
			break
		}
		d = d[j+1:]
	}
	return Brand{}, false
}

// Owns reports whether domain belongs to brand b.
func (b Brand) Owns(domain string) bool {
	d := strings.TrimSuffix(strings.ToLower(domain), ".")
	for _, x := range b.Domains {
		if d == x || strings.HasSuffix(d, "."+x) {
			return true
		}
	}
	return false
}

// Claimed returns the brands a display name, subject or text names.
func Claimed(text string) []Brand {
	if text == "" {
		return nil
	}
	if len(text) > 4096 {
		text = text[:4096]
	}
	ix := getIndex()
	nt := normText(text)
	// Lower-cased, skeleton and space-free views are made once per call,
	// not once per brand name (this runs on every message).
	lower := strings.ToLower(nt)
	var skel, noSpace string
	seen := map[int]bool{}
	var out []Brand
	for _, e := range ix.names {
		if seen[e.brand] {
			continue
		}
		hit := false
		switch {
		case e.exact:
			hit = containsWord(text, e.raw, true)
		case e.ascii:
			hit = containsWord(lower, e.lnorm, true)
			if !hit && e.skel != "" {
				if skel == "" {
					skel = strings.ToLower(Skeleton(nt))
				}
				hit = containsWord(skel, e.lskel, true)
			}
		default:
			if strings.Contains(nt, e.norm) {
				hit = true
			} else {
				if noSpace == "" {
					noSpace = strings.ReplaceAll(nt, " ", "")
				}
				hit = strings.Contains(noSpace, e.nospace)
			}
		}
		if hit {
			seen[e.brand] = true
			out = append(out, builtin[e.brand])
		}
	}
	return out
}

// containsWord finds w in s with no ASCII letter or digit on either side.
func containsWord(s, w string, caseSensitive bool) bool {
	if !caseSensitive {
		s = strings.ToLower(s)
	}
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(w)
		before := i == 0 || !isAlnumByte(s[i-1])
		after := end >= len(s) || !isAlnumByte(s[end])
		if before && after {
			return true
		}
		off = i + 1
	}
	return false
}

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// normText folds width and case (NFKC, lower) and collapses spaces.
func normText(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Join(strings.Fields(s), " ")
}

// Skeleton maps a string to its confusable skeleton (UTS #39), folded to
// lower case, so that "micros0ft", "rnicrosoft" and "mіcrosoft" (Cyrillic
// і) all become the skeleton of "microsoft".
func Skeleton(s string) string {
	s = strings.ToLower(s)
	sk := confusable.Skeleton(s)
	sk = strings.ToLower(sk)
	// The UTS #39 table keeps digits; fold the common typo digits too.
	r := strings.NewReplacer("0", "o", "1", "l", "vv", "w", "3", "e", "5", "s", "4", "a", "|", "l")
	return r.Replace(sk)
}

// Lookalike is a domain that imitates a brand's domain.
type Lookalike struct {
	Brand  Brand
	Target string // the real domain imitated
	Kind   string // "confusable", "idn", "mixed_script", "typo", "added_word", "cousin_tld"
}

// lureWords are added to a brand name in phishing domains.
var lureWords = []string{
	"support", "login", "logon", "signin", "secure", "security", "account", "accounts", "verify",
	"verification", "update", "service", "services", "info", "online", "mail", "help", "billing",
	"member", "members", "auth", "id", "jp", "japan", "card", "pay", "web", "official", "center",
	"centre", "notice", "my", "team", "customer", "care", "app", "confirm", "alert", "check",
	"safety", "protect", "recovery", "reset", "user", "users", "portal", "box", "shop", "store",
	"delivery", "tracking", "track", "express", "cs", "desk", "system", "admin", "net", "co",
}

// MatchLookalike reports whether domain imitates a protected brand or one
// of the extra protected domains (the organisation's own and partners').
func MatchLookalike(domain string, extra []string) (Lookalike, bool) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if d == "" || len(d) > 253 {
		return Lookalike{}, false
	}
	ascii, err := idna.Lookup.ToASCII(d)
	if err != nil || ascii == "" {
		ascii = d
	}
	uni, err := idna.Lookup.ToUnicode(ascii)
	if err != nil || uni == "" {
		uni = d
	}
	reg := Registrable(ascii)
	// The brand's own domain, or an extra protected domain itself: not a lookalike.
	if _, ok := ByDomain(ascii); ok {
		return Lookalike{}, false
	}
	// A listed webmail provider is a real service, whatever it resembles
	// (mail.com is one edit from gmail.com).
	if Freemail(reg) {
		return Lookalike{}, false
	}
	ix := getIndex()
	targets := ix.targets
	if len(extra) > 0 {
		targets = append([]target(nil), targets...)
		for _, e := range extra {
			e = strings.ToLower(strings.TrimSpace(e))
			if e == "" {
				continue
			}
			t := makeTarget(e, -1, false)
			if t.domain == reg {
				return Lookalike{}, false
			}
			targets = append(targets, t)
		}
	}
	// A made-up TLD (a typo such as ".comm") does not resolve: no threat.
	// (".invalid" is how callers ask about a bare name: a local part.)
	if _, icann := publicsuffix.PublicSuffix(reg); !icann && !strings.HasSuffix(reg, ".invalid") {
		return Lookalike{}, false
	}
	label, suffix := splitSuffix(reg)
	ulabel := label
	if u, err := idna.Lookup.ToUnicode(label); err == nil && u != "" {
		ulabel = u
	}
	isIDN := strings.Contains(ascii, "xn--") || !isASCII(uni)
	mixed := mixedScripts(ulabel)
	skel := Skeleton(ulabel)

	brandOf := func(t target) Brand {
		if t.brand < 0 {
			return Brand{Name: t.domain, Domains: []string{t.domain}, Kind: "protected"}
		}
		return builtin[t.brand]
	}
	// 1. Same skeleton, different label: homoglyphs.
	for _, t := range targets {
		if len(t.label) < 3 || ulabel == t.label {
			continue
		}
		if skel == t.skel {
			kind := "confusable"
			switch {
			case mixed:
				kind = "mixed_script"
			case isIDN:
				kind = "idn"
			}
			return Lookalike{Brand: brandOf(t), Target: t.domain, Kind: kind}, true
		}
	}
	// 2. Same label, other suffix: cousin domains.
	for _, t := range targets {
		if len(t.label) < 4 || ulabel != t.label || suffix == t.suffix {
			continue
		}
		if t.global && isCountrySuffix(suffix) {
			continue
		}
		// A made-up TLD (a typo such as ".comm") does not resolve.
		if _, icann := publicsuffix.PublicSuffix(reg); !icann {
			continue
		}
		if owned(brandOf(t), reg) {
			continue
		}
		return Lookalike{Brand: brandOf(t), Target: t.domain, Kind: "cousin_tld"}, true
	}
	// 3. Brand keyword plus lure words (label or any host label).
	hostLabels := strings.Split(strings.TrimSuffix(ascii, "."+suffix), ".")
	for i, hl := range hostLabels {
		hs := Skeleton(hl)
		for _, kw := range ix.keywords {
			if addedWord(hs, kw.skel) {
				b := builtin[kw.brand]
				kind := "added_word"
				if hs == kw.skel {
					if i == len(hostLabels)-1 {
						// The registrable label is the brand's name itself
						// (yahoo.com.au): its suffix was judged above.
						continue
					}
					// Only the brand's name as a subdomain label
					// (outlook.vendor.example): weaker than a made-up
					// brand-plus-lure name.
					kind = "brand_subdomain"
				}
				return Lookalike{Brand: b, Target: b.Domains[0], Kind: kind}, true
			}
		}
		for _, t := range targets {
			if t.brand >= 0 || len(t.label) < 4 {
				continue
			}
			if addedWord(hs, t.skel) {
				return Lookalike{Brand: brandOf(t), Target: t.domain, Kind: "added_word"}, true
			}
		}
	}
	// 4. Edit distance on the registrable label.
	for _, t := range targets {
		n := utf8.RuneCountInString(t.label)
		if n < 5 || ulabel == t.label {
			continue
		}
		max := 1
		if n >= 9 {
			max = 2
		}
		if dist := damerau(skel, t.skel, max); dist > 0 && dist <= max {
			if owned(brandOf(t), reg) {
				continue
			}
			return Lookalike{Brand: brandOf(t), Target: t.domain, Kind: "typo"}, true
		}
	}
	if mixed {
		// Mixed scripts in a label that imitates nothing known is still odd,
		// but not a lookalike of a protected name.
		return Lookalike{}, false
	}
	return Lookalike{}, false
}

// Strength is how much a lookalike of this kind says on its own, from 0 to
// 1. Homoglyphs, IDN and mixed scripts, and brand-plus-lure-word domains
// are made to deceive; a plain edit-distance neighbour or the same name on
// another TLD is often an unrelated real domain (lindows.com, windows.com),
// so they count for less and need other signs to add up.
func (l Lookalike) Strength() float64 {
	switch l.Kind {
	case "brand_subdomain":
		// outlook.<company>.co.jp is how many companies name their webmail.
		return 0.25
	case "typo":
		return 0.4
	case "cousin_tld":
		return 0.5
	case "added_word":
		return 0.7
	}
	return 1 // confusable, idn, mixed_script
}

func owned(b Brand, reg string) bool {
	for _, d := range b.Domains {
		if d == reg {
			return true
		}
	}
	return false
}

// addedWord reports whether label (skeleton) is keyword plus lure words:
// "microsoft-support", "secure-amazon", "micros0ftsupport", "amazon".
func addedWord(label, kw string) bool {
	if len(kw) < 4 || !strings.Contains(label, kw) {
		return false
	}
	if label == kw {
		return true // a subdomain label equal to the brand: amazon.co.jp.evil.example
	}
	rest := strings.Replace(label, kw, " ", 1)
	parts := strings.FieldsFunc(rest, func(r rune) bool { return r == '-' || r == '_' || r == ' ' || (r >= '0' && r <= '9') })
	if len(parts) == 0 {
		return true
	}
	for _, p := range parts {
		if !isLure(p) {
			return false
		}
	}
	return true
}

func isLure(p string) bool {
	for _, w := range lureWords {
		if p == w {
			return true
		}
	}
	// Two lure words run together: "supportcenter", "loginjp".
	for _, w := range lureWords {
		if len(w) >= 2 && strings.HasPrefix(p, w) {
			rest := p[len(w):]
			for _, w2 := range lureWords {
				if rest == w2 {
					return true
				}
			}
		}
	}
	return false
}

func isCountrySuffix(s string) bool {
	parts := strings.Split(s, ".")
	return len(parts[len(parts)-1]) == 2
}

// mixedScripts reports whether a label mixes letters of different scripts
// (Latin with Cyrillic or Greek), ignoring digits and hyphens. Japanese
// mixes (Han, Hiragana, Katakana, Latin) are normal and not reported.
func mixedScripts(s string) bool {
	var latin, cyr, greek, other bool
	for _, r := range s {
		switch {
		case r < 0x80:
			if unicode.IsLetter(r) {
				latin = true
			}
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r):
			cyr = true
		case unicode.Is(unicode.Greek, r):
			greek = true
		case unicode.IsLetter(r):
			other = true
		}
	}
	n := 0
	for _, b := range []bool{latin, cyr, greek} {
		if b {
			n++
		}
	}
	_ = other
	return n > 1
}

// MixedScripts reports whether a domain label mixes Latin with Cyrillic or
// Greek letters (a homograph sign by itself).
func MixedScripts(domain string) bool {
	u, err := idna.Lookup.ToUnicode(strings.ToLower(domain))
	if err != nil {
		u = domain
	}
	for _, l := range strings.Split(u, ".") {
		if mixedScripts(l) {
			return true
		}
	}
	return false
}

// damerau returns the optimal string alignment distance between a and b,
// or max+1 as soon as it exceeds max.
func damerau(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	if len(ra) > 64 || len(rb) > 64 {
		return max + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			if v < rowMin {
				rowMin = v
			}
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// StartsWith reports whether a display name begins with one of the
// brand's names (after brackets and punctuation): "Amazon Shipping",
// "【重要】三井住友カード" claim to be the brand; "Lockergnome Apple Core"
// only mentions it.
func StartsWith(name string, b Brand) bool {
	n := normText(name)
	n = strings.TrimLeft(n, " \t\"'")
	// A leading tag: "【重要】", "[notice]".
	for _, br := range [][2]string{{"【", "】"}, {"[", "]"}, {"(", ")"}, {"「", "」"}} {
		if strings.HasPrefix(n, br[0]) {
			if i := strings.Index(n, br[1]); i > 0 && i < 40 {
				inner := n[len(br[0]):i]
				if StartsWith(inner, b) {
					return true
				}
				n = n[i+len(br[1]):]
			}
			break
		}
	}
	n = strings.TrimLeft(n, " \t\"'<>|:：-*!#")
	for _, bn := range append([]string{b.Name}, b.Names...) {
		if strings.HasPrefix(n, normText(bn)) {
			return true
		}
	}
	// The first word in a confusable spelling ("Micros0ft Support").
	f := strings.Fields(n)
	if len(f) == 0 {
		return false
	}
	for _, c := range Claimed(f[0]) {
		if c.Name == b.Name {
			return true
		}
	}
	return false
}
