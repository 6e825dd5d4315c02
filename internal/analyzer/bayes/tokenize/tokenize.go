// Package tokenize turns a parsed message into the features the statistical
// classifier counts: words of the subject and the visible text, URL hosts
// and paths, selected header facts and attachment names and types, plus
// orthogonal sparse bigrams (OSB: pairs of words at distance 1..Window-1,
// the feature set CRM114 and Rspamd use) over the word streams.
//
// Text is normalised with Unicode NFKC (full-width Latin and digits to
// half-width, half-width katakana to full-width), lower-cased, and digit
// runs are collapsed. Japanese (and other unspaced Han/kana text) is split
// into words with the kagome morphological analyser and the IPA
// dictionary, loaded once and only when such text appears.
//
// Every feature is finally hashed to 64 bits (xxhash) for the store; the
// readable form is kept only for explanations.
package tokenize

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/cespare/xxhash/v2"
	"github.com/ikawaha/kagome-dict/ipa"
	ktok "github.com/ikawaha/kagome/v2/tokenizer"
	"github.com/sekisho/sekisho/internal/mail"
	"golang.org/x/text/unicode/norm"
)

// Limits and shapes. Mail is hostile: every loop below is bounded by these.
const (
	Window       = 5         // OSB window: pairs at distance 1..Window-1
	MaxTextBytes = 256 << 10 // bytes of visible text tokenized
	MaxWords     = 8000      // words per stream taken into bigrams
	MaxFeatures  = 40000     // features per message
	MaxTokenLen  = 32        // longer tokens are replaced by a short shape token
	MaxCJKRun    = 1024      // runes handed to the morphological analyser at once
	maxHeaderLen = 2048      // bytes of a header value looked at
)

// Bias is the feature every message has.
const Bias = "x:bias"

// Feature is one distinct feature of a message.
type Feature struct {
	Hash uint64
	Text string // readable form, for explanations
}

// Tokens is the result of tokenizing one message.
type Tokens struct {
	Features []Feature // distinct, in first-seen order
	CJK      bool      // the message had Han/kana text (kagome was used)
}

// Hashes returns the feature hashes.
func (t *Tokens) Hashes() []uint64 {
	out := make([]uint64, len(t.Features))
	for i, f := range t.Features {
		out[i] = f.Hash
	}
	return out
}

// Options tune the tokenizer.
type Options struct {
	// NoBigrams turns off orthogonal sparse bigrams (unigrams only).
	NoBigrams bool
	// NoHeaders leaves out header features.
	NoHeaders bool
	// CharGrams adds hashed character n-grams of this length over the
	// subject and the start of the text (0: none).
	CharGrams int
}

type builder struct {
	opt  Options
	seen *hashSet
	out  []Feature
	cjk  bool
	// arena holds the texts of the features built here (prefixed words,
	// pairs): each is appended, hashed where it lies and dropped again
	// when it is not new, so a repeated feature costs no allocation.
	// finish points the features' Text into it.
	arena []byte
	spans []span
}

// span is a feature whose text is arena[lo:hi].
type span struct{ i, lo, hi int32 }

func (b *builder) add(s string) {
	if len(b.out) >= MaxFeatures || s == "" {
		return
	}
	h := xxhash.Sum64String(s)
	if !b.seen.insert(h) {
		return
	}
	b.out = append(b.out, Feature{Hash: h, Text: s})
}

// addP adds the feature prefix+s (the same as add(prefix+s), without
// building the string unless the feature is new).
func (b *builder) addP(prefix, s string) {
	if prefix == "" {
		b.add(s)
		return
	}
	if len(b.out) >= MaxFeatures {
		return
	}
	lo := len(b.arena)
	b.arena = append(b.arena, prefix...)
	b.arena = append(b.arena, s...)
	b.keep(lo)
}

// keep adds the feature whose text is arena[lo:] if it is new, and
// drops the text otherwise.
func (b *builder) keep(lo int) {
	h := xxhash.Sum64(b.arena[lo:])
	if !b.seen.insert(h) {
		b.arena = b.arena[:lo]
		return
	}
	b.spans = append(b.spans, span{i: int32(len(b.out)), lo: int32(lo), hi: int32(len(b.arena))})
	b.out = append(b.out, Feature{Hash: h})
}

// addPair adds the OSB pair prefix+a+"\x1f"+d+"\x1f"+w.
func (b *builder) addPair(prefix, a string, d int, w string) {
	if len(b.out) >= MaxFeatures {
		return
	}
	lo := len(b.arena)
	b.arena = append(b.arena, prefix...)
	b.arena = append(b.arena, a...)
	b.arena = append(b.arena, 0x1f)
	if d < 10 {
		b.arena = append(b.arena, byte('0'+d))
	} else {
		b.arena = strconv.AppendInt(b.arena, int64(d), 10)
	}
	b.arena = append(b.arena, 0x1f)
	b.arena = append(b.arena, w...)
	b.keep(lo)
}

// finish points the texts built in the arena into it (the arena is not
// written after this: the strings share its memory).
func (b *builder) finish() []Feature {
	if len(b.arena) > 0 {
		all := unsafe.String(&b.arena[0], len(b.arena))
		for _, sp := range b.spans {
			b.out[sp.i].Text = all[sp.lo:sp.hi]
		}
	}
	b.arena = nil
	return b.out
}

// stream adds a word stream's unigrams (with prefix) and its OSB pairs.
func (b *builder) stream(prefix string, words []string) {
	if len(words) > MaxWords {
		words = words[:MaxWords]
	}
	for i, w := range words {
		b.addP(prefix, w)
		if b.opt.NoBigrams {
			continue
		}
		for d := 1; d < Window && i-d >= 0; d++ {
			b.addPair(prefix, words[i-d], d, w)
		}
	}
}

// hashSet is a set of feature hashes: open addressing with linear
// probing, the slot chosen from the hash mixed with a per-process random
// seed (the hashes are unkeyed and the text is the sender's: a fixed slot
// function would let a crafted message make every insert probe long).
// Sets are pooled: a message's set is garbage once it is tokenized.
type hashSet struct {
	slots []uint64 // 0: empty
	n     int
	shift uint
	zero  bool // the hash 0 is in the set
	// spans is the builder's, kept with the set for the next message.
	spans []span
}

var (
	hashSeed = rand.Uint64() | 1
	setPool  = sync.Pool{New: func() any { return new(hashSet) }}
)

// reset empties the set, sized for about n hashes.
func (s *hashSet) reset(n int) {
	size := 1024
	for size < 2*n && size < 1<<17 {
		size <<= 1
	}
	if cap(s.slots) >= size {
		s.slots = s.slots[:size]
		clear(s.slots)
	} else {
		s.slots = make([]uint64, size)
	}
	s.n, s.zero = 0, false
	s.shift = uint(64 - bits.TrailingZeros(uint(size)))
}

// insert adds h and reports whether it was new.
func (s *hashSet) insert(h uint64) bool {
	if h == 0 {
		if s.zero {
			return false
		}
		s.zero = true
		return true
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	i := ((h ^ hashSeed) * 0x9E3779B97F4A7C15) >> s.shift
	for {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
		i = (i + 1) & mask
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	s.shift--
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := ((h ^ hashSeed) * 0x9E3779B97F4A7C15) >> s.shift
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}

// Message tokenizes a parsed message. urls are the message's URLs plus
// those analyzers added (task.URLs()); nil means msg.URLs.
func Message(msg *mail.Message, urls []mail.URL, opt Options) *Tokens {
	if msg == nil {
		return &Tokens{}
	}
	// Sized from the text (on the SpamAssassin corpus a message has about
	// 0.6 features and 7 bytes of feature text a byte of text): growing
	// these as features come costs more than the rest of the building.
	est := min(len(msg.Text)+len(msg.Subject), MaxTextBytes)
	nf := min(est*5/8+128, MaxFeatures)
	set := setPool.Get().(*hashSet)
	set.reset(nf)
	defer setPool.Put(set)
	b := &builder{opt: opt, seen: set, out: make([]Feature, 0, nf), spans: set.spans[:0],
		arena: make([]byte, 0, min(8*est+2048, 1<<20))}
	defer func() { set.spans = b.spans[:0] }()
	// A feature every message has: the linear layer's bias.
	b.add(Bias)
	if urls == nil {
		urls = msg.URLs
	}
	// Subject: its own stream with a prefix (a word in the subject means
	// more than the same word in the body).
	subj := b.Words(msg.Subject, 512)
	b.stream("s:", subj)

	text := msg.Text
	if len(text) > MaxTextBytes {
		i := MaxTextBytes
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		text = text[:i]
	}
	body := b.Words(text, MaxWords)
	b.stream("", body)
	if len(body) == 0 {
		b.add("x:nobody")
	}
	if len(msg.HiddenText) > 0 {
		b.add("x:hiddentext")
	}

	if opt.CharGrams > 0 {
		b.charGrams(msg.Subject+"\n"+text, opt.CharGrams)
	}
	b.urls(urls)
	if !opt.NoHeaders {
		b.headers(msg)
	}
	b.attachments(msg)
	return &Tokens{Features: b.finish(), CJK: b.cjk}
}

func (b *builder) urls(urls []mail.URL) {
	n := 0
	for _, u := range urls {
		if n >= 200 {
			break
		}
		n++
		host := strings.TrimSuffix(strings.ToLower(u.Host), ".")
		if host == "" {
			if u.Scheme != "" {
				b.addP("u:scheme:", u.Scheme)
			}
			continue
		}
		if isIP(host) {
			b.add("u:ip")
			host = collapseDigits(host)
		}
		// Every parent domain with at least two labels: a.b.example.com,
		// b.example.com, example.com.
		labels := strings.Split(host, ".")
		if len(labels) > 8 {
			labels = labels[len(labels)-8:]
		}
		for i := 0; i+1 < len(labels) || i == 0; i++ {
			b.addP("u:", strings.Join(labels[i:], "."))
			if i+1 >= len(labels) {
				break
			}
		}
		if u.Hidden {
			b.add("u:hidden")
		}
		if u.Source != "" && u.Source != "text" && u.Source != "href" {
			b.addP("u:src:", u.Source)
		}
		// The first two path segments, shapes collapsed.
		path := u.Raw
		if i := strings.Index(path, "://"); i >= 0 {
			path = path[i+3:]
		}
		if i := strings.IndexAny(path, "/?#"); i >= 0 {
			path = path[i:]
		} else {
			path = ""
		}
		if len(path) > 256 {
			path = path[:256]
		}
		q := ""
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			q, path = path[i:], path[:i]
		}
		segs := strings.Split(strings.Trim(path, "/"), "/")
		for i, s := range segs {
			if i >= 2 || s == "" {
				break
			}
			b.addP("up:", shape(strings.ToLower(s)))
		}
		if q != "" {
			b.add("u:query")
		}
		if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
			b.addP("u:scheme:", u.Scheme)
		}
	}
}

func (b *builder) headers(msg *mail.Message) {
	hdr := func(name string, v string) {
		if len(v) > maxHeaderLen {
			v = v[:maxHeaderLen]
		}
		for _, w := range b.Words(v, 64) {
			b.add("h:" + name + ":" + w)
		}
	}
	for i, a := range msg.From {
		if i >= 3 {
			break
		}
		b.addP("h:from-dom:", a.Domain)
		b.addP("h:from-local:", shape(strings.ToLower(a.Local)))
		hdr("from-name", a.Name)
		if a.Name == "" {
			b.add("h:from-noname")
		}
	}
	if len(msg.From) == 0 {
		b.add("h:from-none")
	}
	for i, a := range msg.ReplyTo {
		if i >= 3 {
			break
		}
		b.addP("h:rt-dom:", a.Domain)
		if len(msg.From) > 0 && a.Domain != msg.From[0].Domain {
			b.add("h:rt-differs")
		}
	}
	rc := len(msg.To) + len(msg.Cc)
	b.addP("h:rcpts:", bucket(rc))
	if len(msg.To) == 0 {
		b.add("h:to-none")
	}
	if i := strings.LastIndexByte(msg.MessageID, '@'); i >= 0 {
		b.add("h:mid-dom:" + strings.ToLower(msg.MessageID[i+1:]))
	} else if msg.MessageID == "" {
		b.add("h:mid-none")
	}
	if len(msg.InReplyTo) > 0 || len(msg.References) > 0 {
		b.add("h:threaded")
	}
	hdr("xm", msg.Headers.Get("X-Mailer"))
	hdr("ua", msg.Headers.Get("User-Agent"))
	if msg.Headers.Has("List-Id") || msg.Headers.Has("List-Unsubscribe") {
		b.add("h:list")
	}
	hdr("list-id", msg.Headers.Get("List-Id"))
	hdr("prio", msg.Headers.Get("X-Priority"))
	if msg.Headers.Has("X-MSMail-Priority") {
		b.add("h:msmail-prio")
	}
	if msg.Root != nil {
		b.addP("h:ct:", msg.Root.ContentType)
		if msg.Root.Charset != "" {
			b.addP("h:cs:", msg.Root.Charset)
		}
		if msg.Root.Encoding != "" {
			b.addP("h:cte:", msg.Root.Encoding)
		}
	}
	for i, p := range msg.TextParts {
		if i >= 8 {
			break
		}
		b.addP("h:tp:", p.ContentType)
		if p.Charset != "" {
			b.addP("h:tcs:", p.Charset)
		}
	}
	if d := msg.Headers.Get("Date"); d == "" {
		b.add("h:date-none")
	}
	// Received: the protocol, and the shape of the names and addresses in
	// the first few hops (digits collapsed), not the hop times or ids.
	for i, v := range msg.Headers.Values("Received") {
		if i >= 4 {
			break
		}
		if len(v) > 512 {
			v = v[:512]
		}
		if j := strings.IndexByte(v, ';'); j >= 0 {
			v = v[:j]
		}
		f := strings.Fields(strings.ToLower(v))
		for k := 0; k < len(f) && k < 24; k++ {
			w := strings.Trim(f[k], "()[]<>,;")
			switch {
			case w == "with" && k+1 < len(f):
				b.add("h:rcv-with:" + strings.Trim(f[k+1], "()[]<>,;"))
			case strings.Count(w, ".") >= 1 && len(w) < 80:
				b.addP("h:rcv:", collapseDigits(w))
			}
		}
	}
	b.addP("h:hops:", bucket(msg.Headers.Count("Received")))
	for _, a := range msg.Anomalies {
		// Line ends tell how the message reached sekisho (a file, a
		// milter, a gateway), not what it is: learning them would teach
		// the classifier the difference between stored training mail and
		// live mail.
		if a.Code == mail.AnomalyBareLF || a.Code == mail.AnomalyMixedEOL {
			continue
		}
		b.addP("h:anom:", a.Code)
	}
}

func (b *builder) attachments(msg *mail.Message) {
	for i, p := range msg.Attachments {
		if i >= 32 {
			break
		}
		b.addP("a:type:", p.ContentType)
		name := p.Filename
		if len(name) > 256 {
			name = name[:256]
		}
		if name == "" {
			continue
		}
		lname := strings.ToLower(norm.NFKC.String(name))
		if j := strings.LastIndexByte(lname, '.'); j >= 0 && len(lname)-j <= 8 {
			b.add("a:ext:" + lname[j+1:])
			if k := strings.LastIndexByte(lname[:j], '.'); k >= 0 && j-k <= 6 {
				b.add("a:dblext")
			}
		}
		for _, w := range b.Words(name, 16) {
			b.addP("a:name:", w)
		}
	}
}

func bucket(n int) string {
	switch {
	case n <= 2:
		return strconv.Itoa(n)
	case n <= 5:
		return "3-5"
	case n <= 10:
		return "6-10"
	case n <= 50:
		return "11-50"
	}
	return "51+"
}

func isIP(h string) bool {
	if strings.HasPrefix(h, "[") || strings.Contains(h, ":") {
		return true
	}
	for _, r := range h {
		if r != '.' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// collapseDigits replaces every run of ASCII digits by one "0".
func collapseDigits(s string) string {
	if strings.IndexAny(s, "0123456789") < 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	prev := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			if !prev {
				sb.WriteByte('0')
			}
			prev = true
			continue
		}
		prev = false
		sb.WriteByte(c)
	}
	return sb.String()
}

// shape reduces an identifier-like string (a path segment, a local part)
// to something that generalises: digits collapsed, long strings shortened.
func shape(s string) string {
	s = collapseDigits(s)
	if utf8.RuneCountInString(s) > MaxTokenLen {
		return longToken(s)
	}
	return s
}

// longToken replaces a long token by a short stand-in: its first runes and
// its length bucket, plus a hash so identical long strings still match.
func longToken(s string) string {
	n := utf8.RuneCountInString(s)
	prefix := s
	for i := range s {
		if i >= 6 {
			prefix = s[:i]
			break
		}
	}
	return "long:" + prefix + ":" + strconv.Itoa(n/16) + ":" + strconv.FormatUint(xxhash.Sum64String(s)&0xffffff, 36)
}

// Words normalises text and splits it into words: runs of letters and
// digits (with inner . - ' _ @ kept), and Japanese segmented by kagome.
// At most max words are returned.
func (b *builder) Words(s string, max int) []string {
	return words(s, max, &b.cjk)
}

// Words is the package-level word splitter (used by tests and by the
// fuzz target): the same normalisation as message tokenizing.
func Words(s string, max int) []string {
	var cjk bool
	return words(s, max, &cjk)
}

func words(s string, max int, cjk *bool) []string {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = norm.NFKC.String(s)
	s = strings.ToLower(s)
	var out []string
	i := 0
	for i < len(s) && len(out) < max {
		r, sz := utf8.DecodeRuneInString(s[i:])
		switch {
		case isCJK(r):
			j := i
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if !isCJK(r2) {
					break
				}
				j += sz2
			}
			*cjk = true
			out = appendCJK(out, s[i:j], max)
			i = j
		case isWordRune(r):
			j := i
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) || (isInner(r2) && j+sz2 < len(s) && nextIsWord(s[j+sz2:])) {
					j += sz2
					continue
				}
				break
			}
			w := s[i:j]
			// A "$" or "!" right next to a word is telling in spam.
			if i > 0 && s[i-1] == '$' {
				w = "$" + w
			}
			if w = normWord(w); w != "" {
				out = append(out, w)
			}
			if j < len(s) && s[j] == '!' {
				out = append(out, "!")
			}
			i = j
		default:
			i += sz
		}
	}
	if len(out) > max {
		out = out[:max]
	}
	return out
}

func nextIsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

func normWord(w string) string {
	n := utf8.RuneCountInString(w)
	if n < 2 {
		// Single Latin letters and digits carry nothing; single letters of
		// other alphabets (Hangul syllables, Cyrillic) are kept.
		r, _ := utf8.DecodeRuneInString(w)
		if r < 0x250 {
			return ""
		}
	}
	w = collapseDigits(w)
	if n > MaxTokenLen {
		return longToken(w)
	}
	return w
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) && !isCJK(r)
}

func isInner(r rune) bool { return r == '.' || r == '-' || r == '\'' || r == '_' || r == '@' }

// isCJK reports whether r is Han, Hiragana or Katakana (or a mark used
// inside such words: the prolonged sound mark, iteration marks).
func isCJK(r rune) bool {
	if r < 0x3000 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		r == 0x30fc || r == 0x3005 || r == 0x309d || r == 0x309e || r == 0x30fd || r == 0x30fe
}

var (
	kagomeOnce sync.Once
	kagome     *ktok.Tokenizer
)

// Segmenter returns the shared kagome tokenizer, loading the IPA
// dictionary on first use (about a second and ~100 MB).
func segmenter() *ktok.Tokenizer {
	kagomeOnce.Do(func() {
		t, err := ktok.New(ipa.DictShrink(), ktok.OmitBosEos())
		if err == nil {
			kagome = t
		}
	})
	return kagome
}

// Preload loads the dictionary now instead of at the first Japanese
// message (the daemon, at start, when little else is in memory).
func Preload() { segmenter() }

// Loaded reports whether the dictionary has been loaded (tests).
func Loaded() bool { return kagome != nil }

// appendCJK segments a run of Han/kana into words.
func appendCJK(out []string, run string, max int) []string {
	seg := segmenter()
	for len(run) > 0 && len(out) < max {
		chunk := run
		if utf8.RuneCountInString(chunk) > MaxCJKRun {
			n := 0
			for i := range chunk {
				if n == MaxCJKRun {
					chunk = chunk[:i]
					break
				}
				n++
			}
		}
		run = run[len(chunk):]
		if seg == nil {
			// No dictionary: character bigrams still generalise.
			rs := []rune(chunk)
			for i := 0; i+1 < len(rs) && len(out) < max; i++ {
				out = append(out, string(rs[i:i+2]))
			}
			continue
		}
		for _, t := range seg.Analyze(chunk, ktok.Normal) {
			w := t.Surface
			if w == "" || t.Class == ktok.DUMMY {
				continue
			}
			// Single hiragana are particles and endings (は, が, を, の):
			// noise on their own, and the bigrams keep their context.
			if utf8.RuneCountInString(w) == 1 {
				r, _ := utf8.DecodeRuneInString(w)
				if unicode.Is(unicode.Hiragana, r) {
					continue
				}
			}
			if utf8.RuneCountInString(w) > MaxTokenLen {
				w = longToken(w)
			}
			out = append(out, w)
			if len(out) >= max {
				break
			}
		}
	}
	return out
}

// charGrams adds the character n-grams of the first 3,000 runes of s
// (normalised as words are; whitespace runs collapsed).
func (b *builder) charGrams(s string, n int) {
	// Only the start is used: normalise no more than it can need (NFKC
	// rarely expands a rune by more than a few bytes).
	if len(s) > 3000*utf8.UTFMax {
		i := 3000 * utf8.UTFMax
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = strings.ToLower(norm.NFKC.String(s))
	rs := make([]rune, 0, 3000)
	sp := false
	for _, r := range s {
		if len(rs) >= 3000 {
			break
		}
		if unicode.IsSpace(r) {
			if sp {
				continue
			}
			sp, r = true, ' '
		} else {
			sp = false
		}
		rs = append(rs, r)
	}
	for i := 0; i+n <= len(rs); i++ {
		b.add("c:" + string(rs[i:i+n]))
	}
}
