package fuzzy

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/net/html"

	"github.com/sekisho/sekisho/internal/link/namestat"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/store/fuzzystore"
)

// Bounds of what one message gives.
const (
	maxText       = 64 << 10
	maxShingles   = 2000
	minShingles   = 12 // fewer: too little text for a signature
	maxHTML       = 256 << 10
	maxLinkDoms   = 20
	maxAttach     = 8
	maxAttachSize = 16 << 20
	minAttachSize = 512
	shingleWidth  = 3
	tagGram       = 4
)

// Features are a message's normalised features, as hashes.
type Features struct {
	Text   []uint64 // shingles of the visible text
	Tags   []uint64 // shingles of the HTML tag skeleton
	Links  []uint64 // link registrable domains
	Attach []string // SHA-256 of attachments worth matching
}

// Extract computes a message's features: word shingles of the visible
// text per paragraph (so shuffled paragraphs give the same set), with
// numbers, long random tokens, links and addresses normalised away; the
// HTML tag skeleton; the set of link domains; attachment hashes (not
// images: a copied brand logo is no campaign).
func Extract(m *mail.Message) Features {
	var f Features
	text := m.Text
	if len(text) > maxText {
		text = text[:maxText]
	}
	f.Text = textShingles(text)
	for _, p := range m.TextParts {
		if p.HTML != "" {
			f.Tags = tagShingles(p.HTML)
			break
		}
	}
	seen := map[string]bool{}
	for _, u := range m.URLs {
		if len(seen) >= maxLinkDoms {
			break
		}
		h := strings.TrimSuffix(u.Host, ".")
		if h == "" {
			continue
		}
		r := namestat.Registrable(h)
		if r == "" {
			r = h
		}
		if !seen[r] {
			seen[r] = true
			f.Links = append(f.Links, xxhash.Sum64String("d:"+r))
		}
	}
	for _, p := range m.Attachments {
		if len(f.Attach) >= maxAttach {
			break
		}
		if len(p.Body) < minAttachSize || len(p.Body) > maxAttachSize || strings.HasPrefix(p.ContentType, "image/") || p.IsInline {
			continue
		}
		s := sha256.Sum256(p.Body)
		f.Attach = append(f.Attach, hex.EncodeToString(s[:]))
	}
	return f
}

// textShingles are hashes of shingleWidth consecutive tokens within a
// paragraph.
func textShingles(text string) []uint64 {
	set := map[uint64]struct{}{}
	var toks []string
	flush := func() {
		if len(toks) == 0 {
			return
		}
		if len(toks) < shingleWidth {
			if len(toks) > 1 {
				set[xxhash.Sum64String(strings.Join(toks, " "))] = struct{}{}
			}
		} else {
			for i := 0; i+shingleWidth <= len(toks) && len(set) < maxShingles; i++ {
				set[xxhash.Sum64String(strings.Join(toks[i:i+shingleWidth], " "))] = struct{}{}
			}
		}
		toks = toks[:0]
	}
	for _, para := range splitParagraphs(text) {
		toks = tokens(para, toks)
		flush()
		if len(set) >= maxShingles {
			break
		}
	}
	out := make([]uint64, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	return out
}

func splitParagraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(s, "\n\n")
}

// tokens appends the normalised tokens of s: lower-case words; a word
// with a digit becomes "#", a long one (a random token) "~"; each Han,
// Hiragana or Katakana character is a token of its own. Links and
// addresses (a whitespace-separated field with "://" or "@", or starting
// "www.") are left out: their domains are features of their own.
func tokens(s string, out []string) []string {
	for len(s) > 0 {
		i := strings.IndexFunc(s, unicode.IsSpace)
		field := s
		if i >= 0 {
			field, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if field == "" || strings.Contains(field, "://") || strings.Contains(field, "@") || strings.HasPrefix(strings.ToLower(field), "www.") {
			continue
		}
		out = fieldTokens(field, out)
	}
	return out
}

func fieldTokens(s string, out []string) []string {
	start := -1
	emit := func(w string) {
		w = strings.ToLower(w)
		switch {
		case strings.ContainsFunc(w, unicode.IsDigit):
			w = "#"
		case utf8.RuneCountInString(w) > 20:
			w = "~"
		}
		if n := len(out); n > 0 && w == "#" && out[n-1] == "#" {
			return // "12 345" and "12345" alike
		}
		out = append(out, w)
	}
	for i, r := range s {
		cjk := r >= 0x2E80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
		word := !cjk && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if !word && start >= 0 {
			emit(s[start:i])
			start = -1
		}
		if cjk {
			out = append(out, string(r))
			continue
		}
		if word && start < 0 {
			start = i
		}
	}
	if start >= 0 {
		emit(s[start:])
	}
	return out
}

// tagShingles are hashes of tagGram consecutive start-tag names.
func tagShingles(src string) []uint64 {
	if len(src) > maxHTML {
		src = src[:maxHTML]
	}
	z := html.NewTokenizer(strings.NewReader(src))
	var tags []string
	set := map[uint64]struct{}{}
	for len(set) < maxShingles {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, _ := z.TagName()
		tags = append(tags, string(name))
		if len(tags) >= tagGram {
			set[xxhash.Sum64String("h:"+strings.Join(tags[len(tags)-tagGram:], "<"))] = struct{}{}
		}
	}
	out := make([]uint64, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	return out
}

// seeds are the MinHash permutations (splitmix64 of the index).
var seeds = func() [fuzzystore.K]uint64 {
	var s [fuzzystore.K]uint64
	x := uint64(0x5EC15E0)
	for i := range s {
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		s[i] = z ^ (z >> 31)
	}
	return s
}()

func mix(h, seed uint64) uint32 {
	z := h ^ seed
	z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCD
	z = (z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53
	return uint32(z ^ (z >> 33))
}

// Entry turns features into a store entry. The signature is the MinHash
// of the text shingles, the link domains and at most a third as many tag
// shingles (the text decides; a shared template alone does not), and
// exists only with at least minShingles text shingles.
func (f *Features) Entry() *fuzzystore.Entry {
	e := &fuzzystore.Entry{Attach: f.Attach}
	if len(f.Text) < minShingles {
		return e
	}
	e.HasSig = true
	for i := range e.Sig {
		e.Sig[i] = ^uint32(0)
	}
	add := func(hs []uint64) {
		for _, h := range hs {
			for i, s := range seeds {
				if v := mix(h, s); v < e.Sig[i] {
					e.Sig[i] = v
				}
			}
		}
	}
	add(f.Text)
	add(f.Links)
	tags := f.Tags
	if n := len(f.Text) / 3; len(tags) > n {
		// The n smallest hashes: the same subset for the same skeleton.
		tags = append([]uint64(nil), tags...)
		slices.Sort(tags)
		tags = tags[:n]
	}
	add(tags)
	return e
}
