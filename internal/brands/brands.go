// Package brands knows the often-impersonated brands and organisations
// (global and Japanese) with their real domains, and finds lookalike
// domains: Unicode confusable skeletons (UTS #39 via
// go.mau.fi/util/confusable), punycode/IDN (golang.org/x/net/idna) and
// mixed scripts, edit distance and typo patterns (micros0ft, rn→m, vv→w),
// added words (-support, -login, -secure) and cousin domains on other
// TLDs. It is shared by the sender (impersonation) and URL analyzers.
package brands

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	asc "github.com/sekisho/sekisho/internal/ascii"
	"github.com/sekisho/sekisho/internal/link/psl"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Brand is an often-impersonated organisation.
type Brand struct {
	Name     string   // canonical name, e.g. "Microsoft"
	Names    []string // names and spellings that claim it in display names and text: "Office 365", "マイクロソフト" (Strict ones included)
	Domains  []string // registrable domains it (or its group) really sends from or links to: its own first
	Keywords []string // lower-case tokens that name it inside a domain: "microsoft", "office365"
	Kind     string   // "tech", "bank", "card", "broker", "crypto", "payment", "shipping", "retail", "telecom", "hosting", "webmail", "government", "utility", "transport", "security", "social"
	// Global brands own their name under many country TLDs, so the same
	// name on another ccTLD is not reported as a cousin domain.
	Global bool
	// Sector is finer than Kind: "post", "tax", "police", "points" ...
	Sector string
	// Country is the ISO 3166 code of a national brand, "" for global ones.
	Country string
	// Group names the owner of several brands (楽天カード, 楽天銀行 ... are
	// "rakuten"): each owns the others' domains too.
	Group string
	// Strict names are ordinary words ("Orange", "Free", "Apple"): they
	// claim the brand only as written (case-sensitive) and in brand
	// context (see Claimed).
	Strict []string
	// Context words next to a strict name make it a claim: "Mobile",
	// "facture", "アカウント".
	Context []string
}

// All returns the brands of the catalogue in use (built-in plus the
// administrator's files).
func All() []Brand { return catalogue().brands }

type index struct {
	keywords []keyword
	byDomain map[string]int // registrable or full domain -> brand index
	targets  []target
	bySkel   map[string][]int32 // target skeleton -> targets
	byLabel  map[string][]int32 // target label -> targets
	names    nameIndex
	kwBy2    map[uint16][]int32 // keyword skeletons by their first two bytes
	// typoCands are the targets a typo may imitate (5+ letters, not a
	// word), in order, with what rules most of them out at once.
	typoCands []typoCand
	// typoByLen[L] are the typoCands (in their order) whose skeleton
	// length is within their edit allowance of L, for L from 5 (a
	// shorter query is never a typo) to 257 (the longest skeleton, 255,
	// plus 2): the query's length picks its bucket instead of every
	// candidate being tested for it.
	typoByLen [][]typoCand
}

type typoCand struct {
	i      int32
	n, max uint8 // runes in the skeleton, edits allowed
	mask   uint64
}

// typoLenOK reports whether a query skeleton of l runes is within c's
// edit allowance of its length.
func typoLenOK(l int, c typoCand) bool {
	d := l - int(c.n)
	return d <= int(c.max) && -d <= int(c.max)
}

type keyword struct {
	skel  string
	brand int
}

type target struct {
	domain string // registrable domain
	label  string // domain minus public suffix, e.g. "microsoft"
	suffix string
	skel   string
	rskel  []rune // skel as runes, for the edit distance
	mask   uint64 // runeMask(rskel): a bound on the edit distance
	nlabel int    // runes in label
	brand  int    // -1 for extra (protected) domains
	global bool
	word   bool // the label is an ordinary word: a homoglyph target only
}

// buildIndex indexes the brands: own[i] are brand i's own domains (not
// its group's), word[i] those of them that are ordinary words.
func buildIndex(list []Brand, own [][]string, word []map[string]bool) *index {
	ix := &index{byDomain: map[string]int{}}
	for i, b := range list {
		for _, k := range b.Keywords {
			if len(k) >= 4 {
				ix.keywords = append(ix.keywords, keyword{skel: Skeleton(k), brand: i})
			}
		}
		for _, d := range own[i] {
			ix.byDomain[d] = i
			if Registrable(d) != d {
				// A host under a shared registrable domain (bk.mufg.jp,
				// keishicho.metro.tokyo.lg.jp) is owned, but the shared
				// domain's name is not the brand's to protect.
				continue
			}
			t := makeTarget(d, i, b.Global)
			t.word = word[i][d]
			ix.targets = append(ix.targets, t)
		}
	}
	ix.bySkel, ix.byLabel = map[string][]int32{}, map[string][]int32{}
	for i, t := range ix.targets {
		ix.bySkel[t.skel] = append(ix.bySkel[t.skel], int32(i))
		ix.byLabel[t.label] = append(ix.byLabel[t.label], int32(i))
	}
	for i, t := range ix.targets {
		if t.nlabel >= 5 && !t.word && len(t.rskel) <= 255 {
			max := uint8(1)
			if t.nlabel >= 9 {
				max = 2
			}
			ix.typoCands = append(ix.typoCands, typoCand{i: int32(i), n: uint8(len(t.rskel)), max: max, mask: t.mask})
		}
	}
	ix.typoByLen = make([][]typoCand, 255+2+1)
	for l := 5; l < len(ix.typoByLen); l++ {
		for _, c := range ix.typoCands {
			if typoLenOK(l, c) {
				ix.typoByLen[l] = append(ix.typoByLen[l], c)
			}
		}
	}
	ix.names = buildNames(list)
	ix.kwBy2 = map[uint16][]int32{}
	for k, kw := range ix.keywords {
		if len(kw.skel) >= 4 {
			ix.kwBy2[key2(kw.skel)] = append(ix.kwBy2[key2(kw.skel)], int32(k))
		}
	}
	return ix
}

// keywordsIn returns, in catalogue order, the keywords (of a 4+ byte
// skeleton) that hs contains: those addedWord may accept.
func (ix *index) keywordsIn(hs string, buf []int32) []int32 {
	out := buf[:0]
	for i := 0; i+4 <= len(hs); i++ {
		for _, k := range ix.kwBy2[key2(hs[i:])] {
			if strings.HasPrefix(hs[i:], ix.keywords[k].skel) && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// runeMask has one bit per rune (modulo 64) of rs. An edit changes at most
// two bits of it, so popcount(a^b) > 2*d proves a distance over d.
func runeMask(rs []rune) uint64 {
	var m uint64
	for _, r := range rs {
		m |= 1 << (uint(r) & 63)
	}
	return m
}

func makeTarget(d string, brand int, global bool) target {
	reg := Registrable(d)
	label, suffix := splitSuffix(reg)
	sk := Skeleton(label)
	rs := []rune(sk)
	return target{domain: reg, label: label, suffix: suffix, skel: sk, rskel: rs, mask: runeMask(rs), nlabel: utf8.RuneCountInString(label), brand: brand, global: global}
}

// Registrable returns the registrable domain (public suffix plus one
// label) of a host, lower-case, the host itself when it cannot tell.
func Registrable(host string) string {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	host = toASCII(host)
	r, ok := psl.EffectiveTLDPlusOne(host)
	if !ok {
		return host
	}
	return r
}

// plainLDH reports a lower-case letters-digits-hyphens name without an
// "xn--" label: IDNA maps it to itself or fails, and either way the
// callers below keep it as it is.
func plainLDH(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return !strings.Contains(s, "xn--")
}

// toASCII is idna.Lookup.ToASCII, s itself when that fails or is empty.
func toASCII(s string) string {
	if plainLDH(s) {
		return s
	}
	if a, err := idna.Lookup.ToASCII(s); err == nil && a != "" {
		return a
	}
	return s
}

// toUnicode is idna.Lookup.ToUnicode, s itself (and false) when that
// fails or is empty.
func toUnicode(s string) (string, bool) {
	if plainLDH(s) {
		return s, true
	}
	if u, err := idna.Lookup.ToUnicode(s); err == nil && u != "" {
		return u, true
	}
	return s, false
}

func splitSuffix(reg string) (label, suffix string) {
	ps, _ := psl.PublicSuffix(reg)
	if ps == "" || len(ps) >= len(reg) {
		return reg, ""
	}
	return strings.TrimSuffix(reg[:len(reg)-len(ps)], "."), ps
}

// ByDomain returns the brand owning a domain (any subdomain of one of its
// registered domains).
func ByDomain(domain string) (Brand, bool) {
	c := catalogue()
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	d = toASCII(d)
	// Longest match first: exact host, then each parent.
	for d != "" {
		if i, ok := c.ix.byDomain[d]; ok {
			return c.brands[i], true
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
		// d is x or ends in "." + x (without building that string).
		if d == x || len(d) > len(x) && d[len(d)-len(x)-1] == '.' && d[len(d)-len(x):] == x {
			return true
		}
	}
	return false
}

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// normText folds width and case (NFKC, lower), curly apostrophes and
// spaces.
func normText(s string) string {
	return lowerSameLen(foldText(s))
}

// foldText is NFKC with curly apostrophes made straight and spaces
// collapsed, case kept.
func foldText(s string) string {
	cased, _ := foldTextLower(s, false)
	return cased
}

// foldTextLower is foldText and, when lower is set, lowerSameLen of it,
// in one pass.
func foldTextLower(s string, lower bool) (string, string) {
	var b, l []byte
	b, l = appendFoldTextLower(b, l, s, lower)
	return string(b), string(l)
}

// appendFoldTextLower is foldTextLower into b[:0] and l[:0] (l untouched
// unless lower is set).
func appendFoldTextLower(b, l []byte, s string, lower bool) ([]byte, []byte) {
	if !asc.Is(s) {
		s = norm.NFKC.String(s) // ASCII text is in NFKC already
	}
	b = slices.Grow(b[:0], len(s))
	if lower {
		l = slices.Grow(l[:0], len(s))
	}
	space := true // drop leading spaces
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if i+8 <= len(s) {
				// Eight ASCII bytes without a back quote or two white
				// space characters in a row (counting the byte before)
				// in one step: white space made spaces, lower-cased.
				if w := load64(s[i:]); w&hiBits == 0 {
					up, ws, bq := asciiFoldBlock(w)
					if bq == 0 && ws&(ws<<8) == 0 && (!space || ws&0x80 == 0) {
						m := (ws >> 7) * 0xFF
						w = w&^m | m&(' '*ones)
						b = binary.LittleEndian.AppendUint64(b, w)
						if lower {
							l = binary.LittleEndian.AppendUint64(l, w|up>>2)
						}
						space = ws>>63 != 0
						i += 8
						continue
					}
				}
			}
			i++
			switch c {
			case ' ', '\t', '\n', '\r', '\v', '\f':
				if !space {
					b = append(b, ' ')
					if lower {
						l = append(l, ' ')
					}
					space = true
				}
				continue
			case '`':
				c = '\''
			}
			b = append(b, c)
			if lower {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				l = append(l, c)
			}
			space = false
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsSpace(r):
			if !space {
				b = append(b, ' ')
				if lower {
					l = append(l, ' ')
				}
				space = true
			}
			continue
		case r == '’' || r == '‘' || r == '‛':
			b = append(b, '\'')
			if lower {
				l = append(l, '\'')
			}
		default:
			b = append(b, s[i-n:i]...)
			if lower {
				if lr := unicode.ToLower(r); lr != r && utf8.RuneLen(lr) == n {
					l = utf8.AppendRune(l, lr)
				} else {
					l = append(l, s[i-n:i]...)
				}
			}
		}
		space = false
	}
	if len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
		if lower {
			l = l[:len(l)-1]
		}
	}
	return b, l
}

// hiBits has the top bit of each byte of a word, ones the bottom bit.
const (
	hiBits = 0x8080808080808080
	ones   = 0x0101010101010101
)

// load64 is the first eight bytes of s, little-endian.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// asciiFoldBlock classifies the eight ASCII bytes of w (none with its top bit
// set): the top bit of each byte of up is set for an upper-case letter,
// of ws for white space (' ' \t \n \v \f \r), of bq for '`'. Each byte is
// below 0x80, so no sum carries into the next.
func asciiFoldBlock(w uint64) (up, ws, bq uint64) {
	up = (w + (0x80-'A')*ones) &^ (w + (0x80-'Z'-1)*ones) & hiBits
	ws = (w+(0x80-'\t')*ones)&^(w+(0x80-'\r'-1)*ones)&hiBits | ^((w^' '*ones)+0x7F*ones)&hiBits
	bq = ^((w ^ '`'*ones) + 0x7F*ones) & hiBits
	return up, ws, bq
}

// lowerSameLen lower-cases the letters whose lower case has the same UTF-8
// length, so that byte offsets in the result are offsets in s.
func lowerSameLen(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c >= 'A' && c <= 'Z' {
				if b == nil {
					b = []byte(s)
				}
				b[i] = c + 'a' - 'A'
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if l := unicode.ToLower(r); l != r && utf8.RuneLen(l) == n {
			if b == nil {
				b = []byte(s)
			}
			utf8.EncodeRune(b[i:], l)
		}
		i += n
	}
	if b == nil {
		return s
	}
	return string(b)
}

// Skeleton maps a string to its confusable skeleton (UTS #39), folded to
// lower case, so that "micros0ft", "rnicrosoft" and "mіcrosoft" (Cyrillic
// і) all become the skeleton of "microsoft".
func Skeleton(s string) string {
	return string(skeletonBytes(s))
}

// skeletonRef is Skeleton as the confusable package computes it: the
// reference the fold table is tested against.
func skeletonRef(s string) string {
	return typoDigits.Replace(skel0(s))
}

// typoDigits folds the common typo digits too (the UTS #39 table keeps
// digits). Built once: a Replacer is safe for concurrent use.
var typoDigits = strings.NewReplacer("0", "o", "1", "l", "vv", "w", "3", "e", "5", "s", "4", "a", "|", "l")

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
	// German, Dutch, French, Italian, Spanish and Portuguese lures.
	"de", "sicherheit", "konto", "kunden", "paket", "sendung", "zustellung", "pakket", "bezorging",
	"colis", "suivi", "livraison", "facture", "compte", "espace", "spedizione", "envio", "paquete",
	"entrega", "entregas", "encomenda", "encomendas", "rastreio", "pagamento", "aduana", "multas",
	"wallet",
}

// MatchLookalike reports whether domain imitates a protected brand or one
// of the extra protected domains (the organisation's own and partners').
func MatchLookalike(domain string, extra []string) (Lookalike, bool) {
	cat := catalogue()
	// The memo key is built on the stack (most are short); a new answer
	// copies it into the memo's arena.
	var buf [256]byte
	kb := append(buf[:0], domain...)
	for _, e := range extra {
		kb = append(kb, 0)
		kb = append(kb, e...)
	}
	cat.lkMu.Lock()
	l, found, ok := cat.lookalikes.get(kb)
	cat.lkMu.Unlock()
	if ok {
		return l, found
	}
	l, found = matchLookalike(cat, domain, extra)
	cat.lkMu.Lock()
	cat.lookalikes.put(kb, l, found)
	cat.lkMu.Unlock()
	return l, found
}

func matchLookalike(cat *Catalogue, domain string, extra []string) (Lookalike, bool) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if d == "" || len(d) > 253 {
		return Lookalike{}, false
	}
	ascii := toASCII(d)
	uni, ok := toUnicode(ascii)
	if !ok {
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
	ix := cat.ix
	// The extra (protected) domains are looked at after the brands'.
	xt := cat.extraTargets(extra)
	for i := range xt {
		if xt[i].domain == reg {
			return Lookalike{}, false
		}
	}
	// with returns the targets found by key in m, then the extra ones
	// that pass keep.
	with := func(m map[string][]int32, key string, keep func(t *target) bool) []*target {
		var out []*target
		for _, i := range m[key] {
			out = append(out, &ix.targets[i])
		}
		for i := range xt {
			if keep(&xt[i]) {
				out = append(out, &xt[i])
			}
		}
		return out
	}
	// A made-up TLD (a typo such as ".comm") does not resolve: no threat.
	// (".invalid" is how callers ask about a bare name: a local part.)
	if _, icann := psl.PublicSuffix(reg); !icann && !strings.HasSuffix(reg, ".invalid") {
		return Lookalike{}, false
	}
	label, suffix := splitSuffix(reg)
	ulabel, _ := toUnicode(label)
	isIDN := strings.Contains(ascii, "xn--") || !asc.Is(uni)
	mixed := mixedScripts(ulabel)
	skel := Skeleton(ulabel)

	brandOf := func(t *target) Brand {
		if t.brand < 0 {
			return Brand{Name: t.domain, Domains: []string{t.domain}, Kind: "protected"}
		}
		return cat.brands[t.brand]
	}
	// 1. Same skeleton, different label: homoglyphs.
	for _, t := range with(ix.bySkel, skel, func(t *target) bool { return t.skel == skel }) {
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
	for _, t := range with(ix.byLabel, ulabel, func(t *target) bool { return t.label == ulabel }) {
		if len(t.label) < 4 || ulabel != t.label || suffix == t.suffix || t.word {
			continue
		}
		if t.global && isCountrySuffix(suffix) {
			continue
		}
		// A made-up TLD (a typo such as ".comm") does not resolve.
		if _, icann := psl.PublicSuffix(reg); !icann {
			continue
		}
		if owned(brandOf(t), reg) {
			continue
		}
		return Lookalike{Brand: brandOf(t), Target: t.domain, Kind: "cousin_tld"}, true
	}
	// 3. Brand keyword plus lure words (label or any host label).
	hostLabels := strings.Split(strings.TrimSuffix(ascii, "."+suffix), ".")
	var kwArr [16]int32
	kwBuf := kwArr[:0]
	for i, hl := range hostLabels {
		hs := Skeleton(hl)
		// The longest keyword wins: "smbc-card-secure" is 三井住友カード's
		// smbc-card, not 三井住友銀行's smbc.
		best := -1
		kwBuf = ix.keywordsIn(hs, kwBuf)
		for _, k32 := range kwBuf {
			k, kw := int(k32), ix.keywords[k32]
			if !addedWord(hs, kw.skel) {
				continue
			}
			if hs == kw.skel && i == len(hostLabels)-1 {
				// The registrable label is the brand's name itself
				// (yahoo.com.au): its suffix was judged above.
				continue
			}
			if best < 0 || len(kw.skel) > len(ix.keywords[best].skel) {
				best = k
			}
		}
		if best >= 0 {
			kw := ix.keywords[best]
			b := cat.brands[kw.brand]
			kind := "added_word"
			if hs == kw.skel {
				// Only the brand's name as a subdomain label
				// (outlook.vendor.example): weaker than a made-up
				// brand-plus-lure name.
				kind = "brand_subdomain"
			}
			return Lookalike{Brand: b, Target: b.Domains[0], Kind: kind}, true
		}
		for i := range xt {
			t := &xt[i]
			if len(t.label) < 4 {
				continue
			}
			if addedWord(hs, t.skel) {
				return Lookalike{Brand: brandOf(t), Target: t.domain, Kind: "added_word"}, true
			}
		}
	}
	// 4. Edit distance on the registrable label.
	rskel := []rune(skel)
	qmask := runeMask(rskel)
	var dl distBuf
	typo := func(t *target) bool {
		n := t.nlabel
		// Both names of 5+ letters: "post" is not a typo of "bpost".
		if n < 5 || len(rskel) < 5 || ulabel == t.label || t.word {
			return false
		}
		max := 1
		if n >= 9 {
			max = 2
		}
		if d := len(rskel) - len(t.rskel); d > max || -d > max {
			return false
		}
		if bits.OnesCount64(qmask^t.mask) > 2*max {
			return false
		}
		dist := dl.damerau(rskel, t.rskel, max)
		return dist > 0 && dist <= max
	}
	// The candidates of the query's length (typoLenOK holds for them).
	var cands []typoCand
	if len(rskel) < len(ix.typoByLen) {
		cands = ix.typoByLen[len(rskel)]
	}
	for _, c := range cands {
		// typo's cheap conditions first, from the compact list.
		if bits.OnesCount64(qmask^c.mask) > 2*int(c.max) {
			continue
		}
		t := &ix.targets[c.i]
		if typo(t) {
			if owned(brandOf(t), reg) {
				continue
			}
			return Lookalike{Brand: brandOf(t), Target: t.domain, Kind: "typo"}, true
		}
	}
	for i := range xt {
		t := &xt[i]
		if typo(t) {
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

// extraTargets returns the targets of the extra protected domains,
// remembered (the list is the configuration's: the same on every call).
// The slice is shared: read only.
func (cat *Catalogue) extraTargets(extra []string) []target {
	if len(extra) == 0 {
		return nil
	}
	var kb strings.Builder
	for _, e := range extra {
		kb.WriteString(strconv.Itoa(len(e)))
		kb.WriteByte(':')
		kb.WriteString(e)
	}
	key := kb.String()
	cat.lkMu.Lock()
	xt, ok := cat.extras[key]
	cat.lkMu.Unlock()
	if ok {
		return xt
	}
	for _, e := range extra {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		xt = append(xt, makeTarget(e, -1, false))
	}
	cat.lkMu.Lock()
	if cat.extras == nil || len(cat.extras) >= 64 {
		cat.extras = map[string][]target{}
	}
	cat.extras[key] = xt
	cat.lkMu.Unlock()
	return xt
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

// lureSkels are the lure words' skeletons: the label is compared as a
// skeleton, so "mail" must be found as its skeleton "rnail".
var lureSkels = func() []string {
	out := make([]string, len(lureWords))
	for i, w := range lureWords {
		out[i] = Skeleton(w)
	}
	return out
}()

func isLure(p string) bool {
	for _, w := range lureSkels {
		if p == w {
			return true
		}
	}
	// Two lure words run together: "supportcenter", "loginjp".
	for _, w := range lureSkels {
		if len(w) >= 2 && strings.HasPrefix(p, w) {
			rest := p[len(w):]
			for _, w2 := range lureSkels {
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

// distBuf holds the rows of one caller's edit distances.
// Fixed rows: no allocation (names over 64 runes are not compared).
type distBuf struct{ rows [3][65]int32 }

// damerau returns the optimal string alignment distance between a and b,
// or max+1 as soon as it exceeds max.
func damerau(a, b string, max int) int {
	var d distBuf
	return d.damerau([]rune(a), []rune(b), max)
}

func (buf *distBuf) damerau(ra, rb []rune, max int) int {
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	if len(ra) > 64 || len(rb) > 64 {
		return max + 1
	}
	n := len(rb) + 1
	prev2, prev, cur := buf.rows[0][:n], buf.rows[1][:n], buf.rows[2][:n]
	for j := range prev {
		prev[j] = int32(j)
	}
	max32 := int32(max)
	for i := 1; i <= len(ra); i++ {
		cur[0] = int32(i)
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := int32(1)
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
		if rowMin > max32 {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[len(rb)])
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
