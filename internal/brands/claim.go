package brands

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	asc "github.com/sekisho/sekisho/internal/ascii"
)

// Claimed finds brand names in a display name, subject or text. Every
// name is looked up at once (a multi-pattern matcher keyed by the first
// two bytes), in four views of the text:
//
//   - as written after NFKC (case kept): short upper-case ASCII names
//     ("DHL", "UPS", "KDDI") and strict names, case-sensitive;
//   - lower-cased: the other names ("sparkasse", "三井住友カード");
//   - confusable skeleton: ASCII names of 5+ letters ("Micros0ft");
//   - without spaces: non-ASCII names ("楽天 カード").
//
// ASCII names match whole words only ("ing" inside "banking" is not ING).
// A strict name (an ordinary word such as "Orange", "Free", "Apple",
// "LINE", "au") claims only as written and in brand context: it is the
// whole text, it stands in brackets (【au】, [Orange]), it opens the text
// before a separator ("Orange : votre facture", "Free | Espace abonné"),
// or the word next to it is one of the brand's context words ("Apple
// Support", "Mijn ING", "auお客さまサポート"). A name inside a longer name
// of another brand does not claim that brand ("SMBC" in "SMBC日興証券").
// Brands come in the order they are first named.
func Claimed(text string) []Brand {
	if text == "" {
		return nil
	}
	if len(text) > 4096 {
		text = text[:4096]
	}
	c := catalogue()
	if len(text) > maxClaimMemoText {
		return brandsAt(c.brands, c.ix.names.claimed(c.brands, text))
	}
	// Short texts (display names, subjects) come back: the analyzers of
	// one message ask about the same name, and senders repeat.
	c.claimMu.Lock()
	idx, ok := c.claims[text]
	c.claimMu.Unlock()
	if !ok {
		idx = c.ix.names.claimed(c.brands, text)
		c.claimMu.Lock()
		if c.claims == nil || len(c.claims) >= maxClaimMemo {
			c.claims = make(map[string][]int32, 256)
		}
		// A copy: text may be a slice of a much larger header.
		c.claims[strings.Clone(text)] = idx
		c.claimMu.Unlock()
	}
	return brandsAt(c.brands, idx)
}

// brandsAt returns the brands at the indexes (a new slice: the caller's).
func brandsAt(list []Brand, idx []int32) []Brand {
	if len(idx) == 0 {
		return nil
	}
	out := make([]Brand, len(idx))
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}

// Claimed's answers for texts of up to maxClaimMemoText bytes are
// remembered, maxClaimMemo of them at most (cleared when full).
const (
	maxClaimMemoText = 256
	maxClaimMemo     = 4096
)

type nameIndex struct {
	cased, lower, skel, nospace matcher
}

// matcher finds many patterns at once: a pattern of 4+ bytes is keyed by
// a hash of its first four bytes, a shorter one by its first two, each key
// with a bitset that rejects most text positions at the cost of one load.
type matcher struct {
	pats          []namePat
	bits4, bits2  [1 << 16 / 64]uint64
	cand4, cand2  map[uint16][]int32
	short, longer bool
	// first has, for each byte, firstWord set when a whole-word pattern
	// starts with it, firstAny when another pattern does: a position whose
	// byte starts no pattern, or only whole-word ones while a letter or
	// digit precedes it, is passed over at once.
	first [256]uint8
}

const (
	firstWord = 1 << iota
	firstAny
)

type namePat struct {
	pat    string
	brand  int
	word   bool // ASCII: whole words only
	strict bool
}

func key4(s string) uint16 {
	k := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
	return uint16((k * 2654435761) >> 16)
}

func key2(s string) uint16 { return uint16(s[0])<<8 | uint16(s[1]) }

func (m *matcher) add(p namePat) {
	if len(p.pat) < 2 {
		return
	}
	if m.cand4 == nil {
		m.cand4, m.cand2 = map[uint16][]int32{}, map[uint16][]int32{}
	}
	for _, q := range m.pats {
		if q.pat == p.pat && q.brand == p.brand {
			return
		}
	}
	i := int32(len(m.pats))
	m.pats = append(m.pats, p)
	if p.word {
		m.first[p.pat[0]] |= firstWord
	} else {
		m.first[p.pat[0]] |= firstAny
	}
	if len(p.pat) >= 4 {
		k := key4(p.pat)
		m.bits4[k>>6] |= 1 << (k & 63)
		m.cand4[k] = append(m.cand4[k], i)
		m.longer = true
	} else {
		k := key2(p.pat)
		m.bits2[k>>6] |= 1 << (k & 63)
		m.cand2[k] = append(m.cand2[k], i)
		m.short = true
	}
}

// each calls fn for every occurrence of every pattern in s.
func (m *matcher) each(s string, fn func(p *namePat, i int)) {
	try := func(cands []int32, i int) {
		for _, pi := range cands {
			p := &m.pats[pi]
			if strings.HasPrefix(s[i:], p.pat) {
				if p.word && !wordAt(s, i, i+len(p.pat)) {
					continue
				}
				fn(p, i)
			}
		}
	}
	for i := 0; i+1 < len(s); i++ {
		switch m.first[s[i]] {
		case 0:
			continue
		case firstWord:
			if i > 0 && isAlnumByte(s[i-1]) {
				continue // wordAt would say no
			}
		}
		if m.longer && i+3 < len(s) {
			if k := key4(s[i:]); m.bits4[k>>6]&(1<<(k&63)) != 0 {
				try(m.cand4[k], i)
			}
		}
		if m.short {
			if k := key2(s[i:]); m.bits2[k>>6]&(1<<(k&63)) != 0 {
				try(m.cand2[k], i)
			}
		}
	}
}

// wordAt reports whether s[i:j] is a whole word: no letter or digit of an
// alphabetic script on either side ("nicos" is not a word of
// "electrónicos"). Japanese and Chinese text has no spaces, so kana and
// Han beside an ASCII name do not join it ("SMBCカード").
func wordAt(s string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		if joins(r) {
			return false
		}
	}
	if j < len(s) {
		r, _ := utf8.DecodeRuneInString(s[j:])
		if joins(r) {
			return false
		}
	}
	return true
}

func joins(r rune) bool {
	if r < 0x80 {
		return isAlnumByte(byte(r))
	}
	return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func buildNames(list []Brand) nameIndex {
	var ni nameIndex
	for i, b := range list {
		strict := map[string]bool{}
		for _, n := range b.Strict {
			strict[n] = true
		}
		for _, n := range append([]string{b.Name}, b.Names...) {
			cased := foldText(n)
			lower := lowerSameLen(cased)
			ascii := asc.Is(lower)
			switch {
			case strict[n]:
				ni.cased.add(namePat{pat: cased, brand: i, word: ascii, strict: true})
			case ascii && len(strings.TrimSpace(n)) <= 4 && strings.ToUpper(n) == n:
				// "DHL", "UPS", "KDDI", "SMBC", "JCB", "MUFG": as written.
				ni.cased.add(namePat{pat: cased, brand: i, word: true})
			case ascii:
				ni.lower.add(namePat{pat: lower, brand: i, word: true})
				if len(lower) >= 5 {
					// Names with an i or l are looked up there even when
					// undisguised: the text may carry the other letter.
					if sk := claimSkeleton(lower); sk != lower || strings.ContainsAny(lower, "il") {
						ni.skel.add(namePat{pat: sk, brand: i, word: true})
					}
				}
			default:
				ni.lower.add(namePat{pat: lower, brand: i})
				if ns := strings.ReplaceAll(lower, " ", ""); ns != lower {
					ni.nospace.add(namePat{pat: ns, brand: i})
				}
			}
		}
	}
	return ni
}

type nameHit struct {
	brand, start, end int
}

// claimScratch is claimed's working memory, reused across calls: the
// folded views of the text (read through unsafe strings that live only
// during the call) and the hit lists.
type claimScratch struct {
	cased, lower, skel []byte
	hits, hs           []nameHit
	found              []int
}

var claimScratchPool = sync.Pool{New: func() any { return new(claimScratch) }}

// maxScratch bounds the buffers a scratch keeps between calls.
const maxScratch = 64 << 10

// view is a string over b, valid while b is not written to.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (ni *nameIndex) claimed(list []Brand, text string) []int32 {
	sc := claimScratchPool.Get().(*claimScratch)
	out := ni.claimedScratch(sc, list, text)
	if cap(sc.cased)+cap(sc.lower)+cap(sc.skel) <= maxScratch {
		claimScratchPool.Put(sc)
	}
	return out
}

func (ni *nameIndex) claimedScratch(sc *claimScratch, list []Brand, text string) []int32 {
	sc.cased, sc.lower = appendFoldTextLower(sc.cased, sc.lower, text, true)
	// Neither view is kept past this call: the scratch is reused.
	cased, lower := view(sc.cased), view(sc.lower)
	hits := sc.hits[:0]
	// As written and lower-cased: one set of offsets.
	ni.cased.each(cased, func(p *namePat, i int) {
		if p.strict && !strictContext(cased, i, i+len(p.pat), list[p.brand].Context) {
			return
		}
		hits = append(hits, nameHit{p.brand, i, i + len(p.pat)})
	})
	ni.lower.each(lower, func(p *namePat, i int) {
		hits = append(hits, nameHit{p.brand, i, i + len(p.pat)})
	})
	hits = dropInner(hits)
	found := sc.found[:0]
	for _, h := range hits {
		if !slices.Contains(found, h.brand) {
			found = append(found, h.brand)
		}
	}
	hs := sc.hs[:0]
	// Skeleton and space-free views find what the text disguises.
	more := func(m *matcher, s string) {
		if len(m.pats) == 0 {
			return
		}
		hs = hs[:0]
		m.each(s, func(p *namePat, i int) {
			hs = append(hs, nameHit{p.brand, i, i + len(p.pat)})
		})
		for _, h := range dropInner(hs) {
			if !slices.Contains(found, h.brand) {
				found = append(found, h.brand)
				hits = append(hits, h)
			}
		}
	}
	if len(ni.skel.pats) > 0 {
		sc.skel = appendClaimSkeleton(sc.skel[:0], lower)
		more(&ni.skel, view(sc.skel))
	}
	// Letters spaced apart to slip past filters ("A D A C", "P a y P a l").
	if d, ok := JoinSpacedLetters(cased); ok {
		hs = hs[:0]
		ni.cased.each(d, func(p *namePat, i int) {
			if p.strict && !strictContext(d, i, i+len(p.pat), list[p.brand].Context) {
				return
			}
			hs = append(hs, nameHit{p.brand, i, i + len(p.pat)})
		})
		ni.lower.each(lowerSameLen(d), func(p *namePat, i int) {
			hs = append(hs, nameHit{p.brand, i, i + len(p.pat)})
		})
		for _, h := range dropInner(hs) {
			if !slices.Contains(found, h.brand) {
				found = append(found, h.brand)
				hits = append(hits, h)
			}
		}
	}
	if strings.Contains(lower, " ") && !asc.Is(lower) {
		more(&ni.nospace, strings.ReplaceAll(lower, " ", ""))
	}
	sc.hits, sc.hs, sc.found = hits[:0], hs[:0], found[:0]
	if len(hits) == 0 {
		return nil
	}
	slices.SortStableFunc(hits, func(a, b nameHit) int {
		if a.start != b.start {
			return cmp.Compare(a.start, b.start)
		}
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return cmp.Compare(lb, la)
		}
		return cmp.Compare(a.brand, b.brand)
	})
	var out []int32
	for _, h := range hits {
		if !slices.Contains(out, int32(h.brand)) {
			out = append(out, int32(h.brand))
		}
	}
	return out
}

// dropInner removes the hits that lie inside a longer hit of another
// brand: "SMBC" inside "SMBC日興証券", "楽天" inside "楽天カード".
func dropInner(hs []nameHit) []nameHit {
	if len(hs) < 2 {
		return hs
	}
	out := hs[:0:0]
	for i, a := range hs {
		inner := false
		for j, b := range hs {
			if i != j && a.brand != b.brand && b.start <= a.start && a.end <= b.end && b.end-b.start > a.end-a.start {
				inner = true
				break
			}
		}
		if !inner {
			out = append(out, a)
		}
	}
	return out
}

const (
	openers  = "【[(「『（［〔<《〈"
	closers  = "】])」』）］〕>》〉"
	quotes   = " \"'“”«»"
	trimSet  = " \"'“”«»【】[]()「」『』（）［］〔〕<>《》〈〉:：|｜-–—/／.,、。*#~"
	sepAfter = ":：|｜-–—/／<(（【["
)

// strictContext reports whether the strict name at s[i:j] stands where a
// brand is named: the whole text, in brackets, at the start before a
// separator, or beside one of the brand's context words.
func strictContext(s string, i, j int, context []string) bool {
	if strings.Trim(s, trimSet) == s[i:j] {
		return true
	}
	before := strings.TrimRight(s[:i], quotes)
	after := strings.TrimLeft(s[j:], quotes)
	if r, _ := utf8.DecodeLastRuneInString(before); r != utf8.RuneError && strings.ContainsRune(openers, r) {
		if r2, _ := utf8.DecodeRuneInString(after); r2 != utf8.RuneError && strings.ContainsRune(closers, r2) {
			return true
		}
	}
	if strings.Trim(before, trimSet) == "" {
		if r, _ := utf8.DecodeRuneInString(after); r != utf8.RuneError && strings.ContainsRune(sepAfter, r) {
			return true
		}
	}
	next := strings.TrimLeft(after, trimSet)
	prev := strings.TrimRight(before, trimSet)
	// "Katie from Ledger", "Noy @ Orange", "Anna von Sparkasse": a person
	// introduced as speaking for the brand, which ends the text.
	if strings.Trim(after, trimSet) == "" && personOf(before) {
		return true
	}
	for _, c := range context {
		if n := len(c); len(next) >= n && strings.EqualFold(next[:n], c) && (!asc.Is(c) || n == len(next) || !isAlnumByte(next[n])) {
			return true
		}
		if n := len(c); len(prev) >= n && strings.EqualFold(prev[len(prev)-n:], c) && (!asc.Is(c) || n == len(prev) || !isAlnumByte(prev[len(prev)-n-1])) {
			return true
		}
	}
	return false
}

// claimSkeleton is the view in which disguised names are looked up: the
// confusable skeleton without combining marks ("Amܿazܿon" is Amazon), with
// i and l as one letter, since a capital I and a small l look alike in
// most fonts ("ltaucard", "Iedger").
func claimSkeleton(s string) string {
	return string(claimFold(skeletonBytes(s)))
}

// appendClaimSkeleton appends claimSkeleton(s) to b.
func appendClaimSkeleton(b []byte, s string) []byte {
	if out, ok := appendClaimSkeletonASCII(b, s); ok {
		return out
	}
	n := len(b)
	b, ok := appendSkel0(b, s)
	if !ok {
		b = append(b[:n], skel0(s)...)
	}
	sk := claimFold(applyTypo(b[n:]))
	// claimFold falls back to a new slice when a lower case is longer
	// than the bytes read (claimFoldSlow): then b[n:] does not hold it.
	if len(sk) > 0 && &sk[0] != &b[n] {
		return append(b[:n], sk...)
	}
	return b[:n+len(sk)]
}

// appendClaimSkeletonASCII is appendClaimSkeleton in one pass over an
// ASCII text whose every byte has a table skeleton of ASCII bytes
// (claimASCII); ok is false, and b unchanged, for any other text.
//
// Every such byte is a segment of its own (appendSkel0), so the skeleton
// is the bytes' skeletons in a row; applyTypo and claimFold then map
// byte by byte (claimASCII has the three steps of each byte but the
// typo "vv" → "w", which joins two skeleton bytes and is done here).
func appendClaimSkeletonASCII(b []byte, s string) ([]byte, bool) {
	n := len(b)
	b = slices.Grow(b, len(s))
	// v: the last byte written is a "v" that a next "v" turns into "w".
	v := false
	for i := 0; i < len(s); i++ {
		if x := claimOne[s[i]]; x != 0 {
			b = append(b, x)
			v = false
			continue
		}
		e := &claimASCII[s[i]]
		if !e.ok {
			return b[:n], false
		}
		for j := 0; j < len(e.skel); j++ {
			c := e.skel[j]
			if c == 'v' {
				if v {
					b[len(b)-1] = 'w'
					v = false
					continue
				}
				v = true
			} else {
				v = false
			}
			b = append(b, c)
		}
	}
	return b, true
}

// claimASCIIEntry is one ASCII byte's skeleton in the claim view.
type claimASCIIEntry struct {
	skel string // its table skeleton, typo digits and claimFold applied
	ok   bool   // the byte is a safe segment start with an ASCII skeleton
}

// claimASCII holds, for each ASCII byte, its skeleton with the typo
// digits and claimFold applied byte by byte.
var claimASCII = func() (t [256]claimASCIIEntry) {
	for c := range utf8.RuneSelf {
		e := asciiFold[c]
		if !e.safe || !asc.Is(e.skel) {
			continue
		}
		sk := []byte(e.skel)
		for j, x := range sk {
			x = typoByte[x]
			if x >= 'A' && x <= 'Z' {
				x += 'a' - 'A'
			}
			if x == 'l' {
				x = 'i'
			}
			sk[j] = x
		}
		t[c] = claimASCIIEntry{skel: string(sk), ok: true}
	}
	return t
}()

// claimOne is claimASCII's one-byte skeletons but "v", 0 for the others.
var claimOne = func() (t [256]byte) {
	for c, e := range claimASCII {
		if e.ok && len(e.skel) == 1 && e.skel != "v" {
			t[c] = e.skel[0]
		}
	}
	return t
}()

// claimFold turns a skeleton into the claim view in place: lower case,
// combining marks dropped, l as i.
func claimFold(sk []byte) []byte {
	j := 0
	for i := 0; i < len(sk); {
		c := sk[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c == 'l' {
				c = 'i'
			}
			sk[j] = c
			i++
			j++
			continue
		}
		r, n := utf8.DecodeRune(sk[i:])
		i += n
		r = unicode.ToLower(r)
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if r == 'l' {
			r = 'i'
		}
		// The lower case may be longer than the rune (and than the bytes
		// read so far): write it into a new slice then.
		if j+utf8.RuneLen(r) > i {
			return append(append([]byte(nil), sk[:j]...), claimFoldSlow(string(sk[i-n:]))...)
		}
		j += utf8.EncodeRune(sk[j:], r)
	}
	return sk[:j]
}

// claimFoldSlow is claimFold into a new slice.
func claimFoldSlow(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'l':
			r = 'i'
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}

// claimSkeletonRef is the reference claimSkeleton.
func claimSkeletonRef(s string) string {
	sk := strings.ToLower(skeletonRef(s))
	b := make([]byte, 0, len(sk))
	for _, r := range sk {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'l':
			r = 'i'
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// personOf reports whether before (the text ahead of a strict name that
// ends the text) is a name followed by "from", "at", "@", "von" or "van":
// one to three words, the first capitalised.
func personOf(before string) bool {
	f := strings.Fields(before)
	if len(f) < 2 || len(f) > 4 {
		return false
	}
	switch strings.ToLower(f[len(f)-1]) {
	case "from", "at", "@", "von", "van":
	default:
		return false
	}
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(f[0], quotes))
	return unicode.IsUpper(r)
}

// JoinSpacedLetters joins runs of three or more single letters written
// apart ("A D A C" → "ADAC", "E n t r e g a fallida" → "Entrega fallida"),
// the spacing senders use so that filters do not see the word. It reports
// whether it joined anything.
func JoinSpacedLetters(s string) (string, bool) {
	if !hasSpacedLetters(s) {
		return s, false
	}
	toks := strings.Split(s, " ")
	single := func(t string) bool {
		r, n := utf8.DecodeRuneInString(t)
		return n == len(t) && n > 0 && unicode.IsLetter(r)
	}
	var b strings.Builder
	joined := false
	for i := 0; i < len(toks); {
		j := i
		for j < len(toks) && single(toks[j]) {
			j++
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if j-i >= 3 {
			b.WriteString(strings.Join(toks[i:j], ""))
			joined = true
			i = j
			continue
		}
		if j == i {
			j = i + 1
		}
		b.WriteString(strings.Join(toks[i:j], " "))
		i = j
	}
	return b.String(), joined
}

// hasSpacedLetters is the allocation-free test in front of
// JoinSpacedLetters: three one-letter words in a row.
func hasSpacedLetters(s string) bool {
	// One pass over the bytes: most words are short, and a call to find
	// each space costs more than the word.
	run, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != ' ' {
			continue
		}
		w := s[start:i]
		start = i + 1
		if len(w) == 0 || len(w) > utf8.UTFMax {
			run = 0
			continue
		}
		r, n := utf8.DecodeRuneInString(w)
		if n == len(w) && unicode.IsLetter(r) {
			if run++; run >= 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
