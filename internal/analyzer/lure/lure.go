// Package lure finds the marks of today's phishing and bulk spam that no
// single older check sees: who the message claims to be (a public
// authority, the recipient's own IT desk, a brand named in the subject or
// the sign-off) against where it really comes from and links to; sending
// and link infrastructure that is machine-made (random domain and address
// names) or rented (cheap TLDs, free platform tenants); phishing-kit link
// paths and links that carry the recipient's address; and the shape of
// the mail (one image and a link, a few words and a button, text hidden to
// poison filters, styled Unicode letters, look-alike letters from other
// scripts, the recipient's address in the subject).
//
// It runs after the other analyzers (pipeline.StageFinal) and reads their
// symbols where it combines them; it only reports.
package lure

import (
	"bytes"
	"context"
	"encoding/base64"
	"math/bits"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
	"unsafe"

	asc "github.com/sekisho/sekisho/internal/ascii"
	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/link/lists"
	"github.com/sekisho/sekisho/internal/link/namestat"
	"github.com/sekisho/sekisho/internal/link/normalize"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/textgate"
)

// Analyzer implements the checks. It is safe for concurrent use.
type Analyzer struct {
	domains []string // the organisation's own domains ([general] domains)
}

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Staged   = (*Analyzer)(nil)
)

// New builds the analyzer ([lure] enabled).
func New(cfg *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.Lure.Enabled {
		return nil, nil
	}
	return []pipeline.Analyzer{&Analyzer{domains: cfg.General.Domains}}, nil
}

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "lure" }

// Stage implements pipeline.Staged.
func (a *Analyzer) Stage() pipeline.Stage { return pipeline.StageFinal }

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	m := t.Msg
	if t.Env.Outbound || t.Env.AuthUser != "" {
		return nil
	}
	from, haveFrom := m.PrimaryFromAddress()
	fromDom := strings.ToLower(from.Domain)
	rcpts := recipients(t)
	bounce := isBounce(m, t.Env)

	if haveFrom && fromDom != "" && !bounce {
		a.checkSenderInfra(t, from, fromDom)
	}
	if haveFrom && !bounce {
		if fromDom != "" && !validDomain(fromDom) {
			t.Add(SymFromBadDomain, fromDom)
		}
		if brokenList(m.Headers.Get("From")) {
			t.Add(SymFromBrokenList, trunc(m.FromHeader, 60))
		}
	}
	a.checkText(t, m, from, rcpts)
	links := webLinks(t)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	a.checkLinks(t, links, rcpts, fromDom)
	a.checkShape(t, m, links)
	if haveFrom && !bounce {
		a.checkPixels(t, m, fromDom, links)
	}
	if haveFrom && !bounce {
		a.checkClaims(t, m, from, fromDom, links, rcpts)
	}
	return nil
}

// checkPixels reports a tracking pixel, in mail linking at most three
// sites, served from a site that is neither the sender's nor any link's: a newsletter's pixel comes from its own or
// its mailing service's domain, which its links use too; a lure built from
// a copied page, or a spam run watching which addresses are read, loads
// it from somewhere else.
func (a *Analyzer) checkPixels(t *pipeline.Task, m *mail.Message, fromDom string, links []*webLink) {
	var pixels []mail.URL
	for _, u := range t.URLs() {
		if u.Pixel && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
			pixels = append(pixels, u)
		}
	}
	if len(pixels) == 0 {
		return
	}
	// Newsletters of media groups link many sites and load pixels from
	// their own networks and analytics services: only short mail, whose
	// few links all go elsewhere, tells.
	sites := map[string]bool{}
	for _, w := range links {
		sites[w.final().Registrable] = true
	}
	if len(sites) > 3 {
		return
	}
	related := map[string]bool{namestat.Registrable(fromDom): true}
	for _, h := range []string{"Sender", "Return-Path", "List-Unsubscribe"} {
		for _, f := range strings.FieldsFunc(m.Headers.Get(h), func(r rune) bool { return strings.ContainsRune("<>@/:, ", r) }) {
			if strings.Contains(f, ".") {
				related[namestat.Registrable(strings.ToLower(f))] = true
			}
		}
	}
	for _, w := range links {
		for i := range w.chain.Links {
			if r := w.chain.Links[i].Registrable; r != "" {
				related[r] = true
			}
		}
	}
	for _, p := range pixels {
		reg := namestat.Registrable(p.Host)
		if reg == "" || related[reg] || a.own(p.Host) {
			continue
		}
		if b, ok := brands.ByDomain(fromDom); ok && b.Owns(p.Host) {
			continue
		}
		t.Add(SymPixelUnrelated, p.Host)
		return
	}
}

// ---- sender infrastructure ----

// platformSuffixes are services whose customers get a subdomain that can
// send mail: a tenant name proves nothing about who is behind it.
var platformSuffixes = []string{"onmicrosoft.com", "zendesk.com", "freshdesk.com", "freshservice.com",
	"firebaseapp.com", "web.app", "appspot.com", "herokuapp.com", "my.salesforce.com", "force.com",
	"mailchimpapp.com", "wixsite.com", "godaddysites.com", "azurewebsites.net", "vercel.app", "netlify.app",
	"pages.dev", "workers.dev", "github.io", "blogspot.com", "weebly.com", "helpscoutapp.com", "hubspotemail.net"}

func (a *Analyzer) checkSenderInfra(t *pipeline.Task, from mail.Address, dom string) {
	reg := namestat.Registrable(dom)
	if reg == "" || a.own(dom) {
		return
	}
	// Webmail providers are brands too (gmail.com is Google's): the
	// mailbox name is checked before their domains are let off.
	if brands.Freemail(dom) && namestat.RandomLocal(from.Local) == "" {
		if tail := namestat.NameWithRandomTail(from.Name, from.Local); tail != "" {
			t.Add(SymNameRandomTail, from.Local+"@"+dom)
		}
	}
	if _, brand := brands.ByDomain(dom); brand {
		return
	}
	if l := namestat.RandomLabel(dom, reg); l != "" {
		t.Add(SymFromRandomDomain, dom)
	}
	tok := namestat.RandomLocal(from.Local)
	if tok != "" && !brands.Freemail(dom) {
		t.Add(SymFromRandomLocal, from.Local+"@")
	} else if tok != "" {
		// Random names at a webmail provider: bulk-registered mailboxes.
		t.Add(SymFromRandomLocal, from.Local+"@"+dom)
	}
	if tld := namestat.SuffixOf(dom); lists.CheapTLDs[tld] {
		t.Add(SymFromAbusedTLD, "."+tld)
	}
	for _, p := range platformSuffixes {
		if n := len(dom) - len(p); n > 0 && dom[n-1] == '.' && dom[n:] == p { // dom ends in "."+p
			t.Add(SymFromPlatformTenant, dom)
			return
		}
	}
	if _, ok := lists.FreeHosting.MatchDomain(dom); ok {
		t.Add(SymFromPlatformTenant, dom)
	}
}

// validDomain reports a host name a reply could reach: two or more labels
// of letters, digits and hyphens (or an IDN), not an address literal.
func validDomain(d string) bool {
	d = strings.TrimSuffix(d, ".")
	if !strings.Contains(d, ".") || strings.HasPrefix(d, "[") {
		return strings.HasPrefix(d, "[")
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0x80 && unicode.IsLetter(r) || r >= 0x80 && unicode.IsDigit(r) || r == '_') {
				return false
			}
		}
	}
	return true
}

// brokenList reports a From field with an unquoted comma that splits it
// into a piece without an address ("Brand, <x@y>", "Offer, jehd <x@y>"):
// no mail program writes that, bulk toolkits do, and clients then show
// the first piece as the sender.
func brokenList(v string) bool {
	if v == "" || len(v) > 4096 || !strings.Contains(v, ",") {
		return false
	}
	depth, paren, inQ, start := 0, 0, false, 0
	pieces := []string{}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			if paren == 0 {
				inQ = !inQ
			}
		case '(':
			if !inQ {
				paren++
			}
		case ')':
			if !inQ && paren > 0 {
				paren--
			}
		case '<':
			if !inQ && paren == 0 {
				depth++
			}
		case '>':
			if !inQ && depth > 0 {
				depth--
			}
		case ',':
			if !inQ && paren == 0 && depth == 0 {
				pieces = append(pieces, v[start:i])
				start = i + 1
			}
		}
	}
	pieces = append(pieces, v[start:])
	for _, p := range pieces {
		p = strings.TrimSpace(p)
		if p != "" && !strings.Contains(p, "@") && !strings.HasSuffix(p, ";") && !strings.Contains(p, ":") {
			return true
		}
	}
	return false
}

// own reports one of the organisation's domains.
func (a *Analyzer) own(dom string) bool {
	for _, d := range a.domains {
		if dom == d || strings.HasSuffix(dom, "."+d) {
			return true
		}
	}
	return false
}

// ---- header text: styled letters, mixed scripts, emoji, own address ----

func (a *Analyzer) checkText(t *pipeline.Task, m *mail.Message, from mail.Address, rcpts []string) {
	subj := m.Subject
	name := from.Name
	if s := styledOrMixed(subj); s != "" {
		t.Add(SymFancyText, "subject: "+s)
	} else if s := styledOrMixed(name); s != "" {
		t.Add(SymFancyText, "from: "+s)
	}
	if n := countEmoji(subj); n >= 2 || n >= 1 && reReplyPrefix.MatchString(subj) && len(m.InReplyTo) == 0 && len(m.References) == 0 {
		if reReplyPrefix.MatchString(subj) && len(m.InReplyTo) == 0 && len(m.References) == 0 {
			t.Add(SymReplyEmojiSubject, trunc(subj, 60))
		} else if n >= 3 {
			t.Add(SymEmojiSubject, trunc(subj, 60))
		}
	}
	if countEmoji(name) >= 1 {
		t.Add(SymEmojiName, trunc(name, 40))
	}
	if tok := namestat.RandomToken(subj); tok != "" {
		t.Add(SymRandomToken, "subject: "+tok)
	} else if tok := namestat.RandomToken(name); tok != "" {
		t.Add(SymRandomToken, "from: "+tok)
	}
	if j, ok := joinSpacedWords(name); ok {
		t.Add(SymSpacedLetters, "from: "+trunc(j, 40))
	} else if j, ok := joinSpacedWords(subj); ok {
		t.Add(SymSpacedLetters, "subject: "+trunc(j, 60))
	}
	lowSubj := strings.ToLower(subj)
	lowName := strings.ToLower(name)
	for _, r := range rcpts {
		if len(r) < 6 {
			continue
		}
		if strings.Contains(lowSubj, r) || strings.Contains(lowName, r) {
			t.Add(SymRcptInSubject, r)
			break
		}
	}
	if from.Addr != "" && !isBounce(m, t.Env) && !isList(m) {
		fa := strings.ToLower(from.Addr)
		for _, r := range rcpts {
			if r == fa {
				t.Add(SymFromIsRcpt, r)
				break
			}
		}
	}
}

// joinSpacedWords is brands.JoinSpacedLetters of s's words joined by
// single spaces, which joins nothing (ok false) unless three words in a
// row are one letter each: looked at first, without building the text.
func joinSpacedWords(s string) (string, bool) {
	run := 0
	for w := range strings.FieldsSeq(s) {
		if r, n := utf8.DecodeRuneInString(w); n == len(w) && unicode.IsLetter(r) {
			if run++; run >= 3 {
				return brands.JoinSpacedLetters(strings.Join(strings.Fields(s), " "))
			}
		} else {
			run = 0
		}
	}
	return "", false
}

var reReplyPrefix = regexp.MustCompile(`(?i)^\s*(re|fwd?|aw|wg|tr|rv|enc|res|rif|sv|vs)\s*:`)

// styledOrMixed returns a word written in styled Unicode letters
// (Mathematical Alphanumeric Symbols: "𝗟𝗔𝗦𝗧 𝗖𝗛𝗔𝗡𝗖𝗘") or a word that mixes
// Latin letters with look-alike Cyrillic or Greek ones ("Lеԁgеr").
func styledOrMixed(s string) string {
	if asc.Is(s) {
		// No styled letter, no format character or mark, no Cyrillic
		// or Greek letter: nothing to find (and "" for "").
		return ""
	}
	return styledOrMixedAny(s)
}

// styledOrMixedAny is styledOrMixed on any text.
func styledOrMixedAny(s string) string {
	if s == "" {
		return ""
	}
	styled := 0
	for _, r := range s {
		if r >= 0x1D400 && r <= 0x1D7FF {
			styled++
		}
	}
	if styled >= 3 {
		return "styled letters"
	}
	// Invisible characters or foreign combining marks between Latin
	// letters ("Am\u073Fazon", "pay\u200Bpal") split a word for filters only.
	var prev rune
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && i+1 < len(rs) && isLatinLetter(prev) && isLatinLetter(rs[i+1]) &&
			(unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) && (unicode.Is(unicode.Syriac, r) || unicode.Is(unicode.Arabic, r) || unicode.Is(unicode.Hebrew, r) || unicode.Is(unicode.Thaana, r) || unicode.Is(unicode.Nko, r))) {
			return "hidden character in a word"
		}
		prev = r
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) }) {
		lat, other := 0, 0
		for _, r := range w {
			switch {
			case r < 0x250 && unicode.IsLetter(r):
				lat++
			case unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r) || r >= 0x0500 && r <= 0x052F || unicode.Is(unicode.Syriac, r) || unicode.Is(unicode.Armenian, r) || unicode.Is(unicode.Cherokee, r):
				other++
			}
		}
		if lat >= 1 && other >= 1 && lat+other >= 3 {
			return w
		}
	}
	return ""
}

func isLatinLetter(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }

func isEmoji(r rune) bool {
	return r >= 0x1F300 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x1F000 && r <= 0x1F2FF || r == 0x2B50 || r == 0x2B55
}

func countEmoji(s string) int {
	n := 0
	for _, r := range s {
		if isEmoji(r) {
			n++
		}
	}
	return n
}

// ---- links ----

type webLink struct {
	u     mail.URL
	chain normalize.Chain
}

func (w *webLink) final() *normalize.Link { return w.chain.Final() }

// webLinks are the message's web links (not images), resolved, at most 300.
func webLinks(t *pipeline.Task) []*webLink {
	var out []*webLink
	var store []webLink // blocks that double: pointers into a full one stay valid
	seen := map[string]bool{}
	// The URL analyzer's chains, where it resolved the link already.
	v, _ := t.Get(normalize.TaskKeyResolved)
	res, _ := v.(*normalize.Resolved)
	for _, u := range t.URLs() {
		if u.Source == "src" || seen[u.Raw] || len(out) >= 300 {
			continue
		}
		seen[u.Raw] = true
		ch, ok := res.Lookup(u.Raw)
		if !ok || !ch.Final().IsWeb() || ch.Final().Host == "" {
			continue
		}
		if len(store) == cap(store) {
			store = make([]webLink, 0, max(4, 2*cap(store)))
		}
		store = append(store, webLink{u: u, chain: ch})
		out = append(out, &store[len(store)-1])
	}
	return out
}

var (
	reUnsub = regexp.MustCompile(`(?i)unsub|opt-?out|abmelde|abbestell|désinscri|desinscri|desabon|uitschrijv|afmeld|cancelar|descadastr|disiscri|annulla|preferenc|manage|配信停止|解除`)
	// unsubWords are reUnsub's ASCII alternatives, lower-cased.
	unsubWords = []string{"unsub", "optout", "opt-out", "abmelde", "abbestell", "desinscri", "desabon", "uitschrijv", "afmeld", "cancelar", "descadastr", "disiscri", "annulla", "preferenc", "manage"}
)

// isUnsub reports whether reUnsub matches s. A substring search on the
// text with its ASCII letters lower-cased gives the same answer: (?i)
// folds an ASCII letter only to its other case, but for k and s (the
// Kelvin sign and the long s, left to the regexp), and é to É; the
// alternatives are whole runes, which a substring search finds only at
// rune starts, as the regexp does (an invalid byte is one rune to it).
func isUnsub(s string) bool {
	ascii := asc.Is(s)
	if !ascii && (strings.Contains(s, "\u212a") || strings.Contains(s, "ſ")) {
		return reUnsub.MatchString(s)
	}
	var buf [512]byte
	l := buf[:0]
	if len(s) > len(buf) {
		l = make([]byte, 0, len(s))
	}
	return unsubIn(asc.AppendLower(l, s), ascii)
}

// isUnsubLink is isUnsub(raw + " " + anchor) without building the joined
// text: its ASCII-lower-cased bytes go straight into the buffer (a Kelvin
// sign or a long s, which the regexp answers for, lies within one of the
// two: the space joining them is no part of either).
func isUnsubLink(raw, anchor string) bool {
	ascii := asc.Is(raw) && asc.Is(anchor)
	if len(raw)+1+len(anchor) > 512 || (!ascii && (strings.Contains(raw, "\u212a") || strings.Contains(raw, "ſ") ||
		strings.Contains(anchor, "\u212a") || strings.Contains(anchor, "ſ"))) {
		return isUnsub(raw + " " + anchor)
	}
	var buf [512]byte
	l := asc.AppendLower(buf[:0], raw)
	l = append(l, ' ')
	return unsubIn(asc.AppendLower(l, anchor), ascii)
}

// unsubIn is isUnsub's search in the lower-cased text.
func unsubIn(l []byte, ascii bool) bool {
	for _, w := range unsubWordBytes {
		if bytes.Contains(l, w) {
			return true
		}
	}
	if !ascii {
		for _, w := range unsubWordsUTF8 {
			if bytes.Contains(l, w) {
				return true
			}
		}
	}
	return false
}

// unsubWordsUTF8 are reUnsub's alternatives with non-ASCII letters, in
// each case form (ASCII letters lower-cased).
var unsubWordsUTF8 = [][]byte{[]byte("désinscri"), []byte("dÉsinscri"), []byte("配信停止"), []byte("解除")}

// unsubWordBytes are unsubWords as byte slices: isUnsub looks them up in
// its lower-cased copy without converting it to a string per word (which
// allocated a copy of the text for every word).
var unsubWordBytes = func() [][]byte {
	out := make([][]byte, len(unsubWords))
	for i, w := range unsubWords {
		out[i] = []byte(w)
	}
	return out
}()

func (a *Analyzer) checkLinks(t *pipeline.Task, links []*webLink, rcpts []string, fromDom string) {
	randomDone, kitDone, rcptDone, proxyDone := false, false, false, false
	sites := map[string]bool{}
	for _, w := range links {
		if r := w.final().Registrable; r != "" {
			sites[r] = true
		}
	}
	digest := namestat.DigestFactor(len(sites))
	for _, w := range links {
		f := w.final()
		host := f.Host
		reg := f.Registrable
		if reg == "" {
			reg = namestat.Registrable(host)
		}
		_, brand := brands.ByDomain(host)
		if !randomDone && !brand && !a.own(host) && reg != "" {
			if _, short := lists.Shorteners.MatchDomain(host); !short {
				if l := namestat.RandomLabel(host, reg); l != "" {
					t.AddScaled(SymURLRandomDomain, digest, host)
					randomDone = true
				}
			}
		}
		for i := range w.chain.Links {
			h := &w.chain.Links[i]
			if !proxyDone && (strings.HasSuffix(h.Host, ".translate.goog") || strings.HasSuffix(h.Host, ".ampproject.org")) {
				t.Add(SymURLProxyWrapper, h.Host)
				proxyDone = true
			}
		}
		pathq := f.URL
		if i := strings.Index(pathq, host); i >= 0 {
			pathq = pathq[i+len(host):]
		}
		if !kitDone && !brand && namestat.KitPath(pathq) {
			t.Add(SymURLKitPath, trunc(host+pathq, 80))
			kitDone = true
		}
		// An unsubscribe link carries the address legitimately (looked
		// at only when one does).
		if !rcptDone && len(rcpts) > 0 {
			if r := rcptInLink(w.u.Raw, rcpts); r != "" && !isUnsubLink(w.u.Raw, w.u.Anchor) {
				t.Add(SymURLRcptInLink, host)
				rcptDone = true
			}
		}
	}
}

// rcptInLink finds a recipient's address carried in a link's fragment, or
// base64-encoded anywhere in it (a kit pre-fills the login form with it).
func rcptInLink(raw string, rcpts []string) string {
	// Lower-casing neither makes nor removes a '#', and lower-cases
	// what follows one as it would on its own (the '#' is a character of
	// its own: decoding reaches it on every text): the fragment is
	// lower-cased, not the whole link.
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		frag := strings.ToLower(raw[i+1:])
		if u, err := url.QueryUnescape(frag); err == nil {
			frag = u
		}
		for _, r := range rcpts {
			if strings.Contains(frag, r) {
				return r
			}
		}
	}
	var runBuf [8]string
	var src, dst [512]byte
	for _, m := range appendB64Runs(runBuf[:0], raw, 8) {
		for _, enc := range b64Encodings {
			var b []byte
			var err error
			if len(m) <= len(src) {
				// DecodeString's answer, into the stack buffer.
				b, err = enc.AppendDecode(dst[:0], append(src[:0], m...))
			} else {
				b, err = enc.DecodeString(m)
			}
			if err != nil {
				continue
			}
			var dec string
			if asc.Is(view(b)) {
				// strings.ToLower of ASCII, in place (b is the scratch's
				// or a fresh slice); read only in this loop.
				dec = view(asc.AppendLower(b[:0], view(b)))
			} else {
				dec = strings.ToLower(string(b))
			}
			for _, r := range rcpts {
				if strings.Contains(dec, r) {
					return r
				}
			}
			break
		}
	}
	return ""
}

// b64Byte holds the bytes of a base64 run (standard and URL alphabets).
var b64Byte = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-") {
		t[c] = true
	}
	return t
}()

// b64Runs returns the first n runs of 12 or more base64 bytes in s, each
// with up to two '=' of padding after it: the matches of
// `[A-Za-z0-9+/_-]{12,}={0,2}`, found by a byte scan.
func b64Runs(s string, n int) []string { return appendB64Runs(nil, s, n) }

// b64Encodings are the alphabets rcptInLink tries, in order.
var b64Encodings = []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}

// view is a string over b, valid while b is not written to.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// appendB64Runs is b64Runs appending to out.
func appendB64Runs(out []string, s string, n int) []string {
	n += len(out)
	for i := 0; i < len(s) && len(out) < n; {
		if !b64Byte[s[i]] {
			i++
			continue
		}
		j := i
		for j < len(s) && b64Byte[s[j]] {
			j++
		}
		if j-i < 12 {
			i = j
			continue
		}
		for k := 0; k < 2 && j < len(s) && s[j] == '='; k++ {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// ---- shape ----

func (a *Analyzer) checkShape(t *pipeline.Task, m *mail.Message, links []*webLink) {
	html := false
	for _, p := range m.TextParts {
		if p.ContentType == "text/html" {
			html = true
		}
	}
	// The counts are only compared with 250 and 400: counting stops
	// there (letterCount(s, max) is the count, or max when it reaches it).
	visible := letterCount(m.Text, 250)
	images := 0
	for _, u := range t.URLs() {
		if u.Source == "src" {
			images++
		}
	}
	for _, p := range m.Attachments {
		if strings.HasPrefix(p.ContentType, "image/") {
			images++
		}
	}
	hosts := map[string]bool{}
	cta := 0
	for _, w := range links {
		if isUnsubLink(w.u.Raw, w.u.Anchor) {
			continue
		}
		reg := w.final().Registrable
		if reg == "" {
			reg = w.final().Host
		}
		hosts[reg] = true
		cta++
	}
	thread := len(m.InReplyTo) > 0 || len(m.References) > 0
	switch {
	case html && images >= 1 && cta >= 1 && visible < 80:
		t.Add(SymImageLinkOnly, "")
	case cta >= 1 && len(hosts) <= 2 && visible > 0 && visible < 250 && !thread && len(m.Attachments) == 0 && !isList(m):
		t.Add(SymShortCTA, "")
	}
	if hidden := letterCount(m.HiddenText, 400); hidden >= 400 {
		t.Add(SymHiddenPoison, "")
	}
}

// letterCount counts letters and digits in s, stopping at max. ASCII
// bytes are looked up in a table (the ASCII letters and digits are the
// ASCII characters unicode.IsLetter and unicode.IsDigit report), other
// characters decoded.
func letterCount(s string, max int) int {
	// The count is min(letters and digits, max), but 1 at the first for
	// max <= 0: eight ASCII bytes at a time (alnum8) while they last and
	// max > 0, the others one by one.
	n := 0
	for i := 0; i < len(s); {
		if len(s)-i >= 8 && max > 0 {
			w := s[i : i+8]
			u := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if u&hi8 == 0 {
				if n += bits.OnesCount64(alnum8(u)); n >= max {
					return max
				}
				i += 8
				continue
			}
		}
		ok, size := alnumAt(s, i)
		i += size
		if !ok {
			continue
		}
		if n++; n >= max {
			return n
		}
	}
	return n
}

// alnumAt reports whether the character at i of s is a letter or a
// digit (unicode.IsLetter, unicode.IsDigit; ASCII bytes by a table), and
// its length.
func alnumAt(s string, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiAlnum[c], 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r), size
}

// hi8 has the top bit of each byte of a word.
const hi8 = 0x8080808080808080

// alnum8 returns the bottom bit of each byte of u set where the byte is
// an ASCII letter or digit (u: eight ASCII bytes, none with its top bit
// set, so no sum carries into the next byte).
func alnum8(u uint64) uint64 {
	const ones = 0x0101010101010101
	dig := (u + (0x80-'0')*ones) &^ (u + (0x80-'9'-1)*ones)
	l := u | 0x20*ones // upper case letters to lower, others elsewhere
	let := (l + (0x80-'a')*ones) &^ (l + (0x80-'z'-1)*ones)
	return (dig | let) & hi8 >> 7
}

var asciiAlnum = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// ---- claims: authorities, the recipient's IT desk, brands ----

// authorityWords and authorityCJK are reAuthority's alternatives: the
// words between \b, and the Japanese names.
const (
	authorityWords = `tax (?:office|authority|department|refund)|internal revenue|irs|hmrc|customs|border (?:force|protection)|police|interpol|fbi|europol|court|tribunal|ministry of|department of (?:justice|treasury)|social security|united nations|imf|world bank|` +
		`finanzamt|bundeszentralamt|steuerverwaltung|zoll(?:amt)?|polizei|bundeskriminalamt|gericht|staatsanwaltschaft|` +
		`belastingdienst|douane|politie|rechtbank|digid|` +
		`impots|finances publiques|dgfip|gendarmerie|ministère|ameli|assurance maladie|antai|` +
		`receita federal|polícia|policia|tribunal de justiça|detran|sefaz|gov\.br|autoridade tribut[aá]ria|finan[çc]as|intima[çc][ãa]o|cita[çc][ãa]o|notifica[çc][ãa]o judicial|processo judicial|a[çc][ãa]o tribut[aá]ria|justi[çc]a federal|` +
		`notificaci[óo]n judicial|juzgado|citaci[óo]n|demanda judicial|` +
		`agencia tributaria|hacienda|guardia civil|` +
		`agenzia (?:delle )?entrate|guardia di finanza|polizia|carabinieri|inps`
	authorityCJK = `国税庁|税務署|警察|警視庁|裁判所|税関|年金機構|市役所|区役所|総務省|厚生労働省|法務省`
)

var (
	// Public authorities that lures borrow. Matched on the NFKC-lower-cased
	// display name and subject.
	reAuthority = textgate.MustCompile(`(?i)\b(?:` + authorityWords + `)\b|` + authorityCJK)
	// reAuthority's two branches apart (findAuthority): the words
	// anchored, without the \b before them, and the Japanese names.
	reAuthorityAt  = regexp.MustCompile(`(?i)^(?:` + authorityWords + `)\b`)
	reAuthorityCJK = regexp.MustCompile(`(?i)` + authorityCJK)
	// Government mail domains by suffix.
	reGovDomain = regexp.MustCompile(`(?i)(?:^|\.)(?:gov|mil|gouv\.fr|gov\.[a-z]{2}|go\.jp|lg\.jp|gob\.[a-z]{2}|gv\.at|admin\.ch|bund\.de|belgium\.be|overheid\.nl|belastingdienst\.nl|rijksoverheid\.nl|europa\.eu|service-public\.fr|impots\.gouv\.fr|elster\.de|bzst\.de|hmrc\.gov\.uk|gov\.uk|agenziaentrate\.it|agenziaentrate\.gov\.it|inps\.it|portaldasfinancas\.gov\.pt|seg-social\.es|ameli\.fr|assurance-maladie\.fr)$`)
	// The recipient's own IT or mail service desk.
	reServiceDesk = textgate.MustCompile(`(?i)\b(?:it[ -]?(?:support|help ?desk|service ?desk|department|team|admin)|help ?desk|service ?desk|(?:e-?mail|mail|mailbox|webmail|system|network|server|domain|account) (?:administrator|admin|support|team|security|service|helpdesk|notification|quota)|administrator|sysadmin|webmaster|postmaster|mail delivery (?:system|subsystem)|e-?mail (?:upgrade|verification|security)|` +
		`it-abteilung|systemadministrator|postfach-?(?:verwaltung|administrator)|administrateur|messagerie|beheerder|helpdesk|administrador|suporte técnico|suporte ti|amministratore|posta elettronica)\b|システム管理者|情報システム部|ヘルプデスク|メール管理者|メールサーバー管理|サーバー管理者|メールシステム|管理者`)
)

// authorityMax is the longest match of reAuthorityAt in bytes.
var authorityMax = func() int {
	p, err := syntax.Parse(`(?i)(?:`+authorityWords+`)`, syntax.Perl)
	if err != nil {
		panic(err)
	}
	n := textgate.MaxLen(p, 0)
	if n < 0 {
		panic("lure: authorityWords unbounded")
	}
	return n
}()

// findAuthority is reAuthority.FindString(s). The unanchored regex, one
// alternation of a hundred names tried from every byte, cost about 60 µs
// on a subject; here the words branch runs anchored, and only from the
// places its \b allows (where the text turns from a word character to
// another or back) that hold an ASCII letter or a byte above 0x7F (every
// word opens with a letter, whose case variants are ASCII letters, the
// Kelvin sign and the long s), on the longest match's length of text
// and a rune of margin; the Japanese names, which a word never begins
// with, by their own regex. The leftmost match wins, as the
// unanchored regex's does; the places are visited in the regex's own
// order (forward by rune), and \b reads the same bytes as the regex
// (a word character is an ASCII byte, never part of a longer rune).
func findAuthority(s string) string {
	if !reAuthority.MayMatch(s) {
		return ""
	}
	limit, cjk := len(s), ""
	if !asc.Is(s) {
		if loc := reAuthorityCJK.FindStringIndex(s); loc != nil {
			limit, cjk = loc[0], s[loc[0]:loc[1]]
		}
	}
	for p := 0; p < limit; {
		c := s[p]
		w := 1
		if c >= utf8.RuneSelf {
			_, w = utf8.DecodeRuneInString(s[p:])
		}
		if isWordByte(c) != (p > 0 && isWordByte(s[p-1])) && (c >= utf8.RuneSelf || 'a' <= c|0x20 && c|0x20 <= 'z') && authorityHeads.may(s[p:]) {
			if m := reAuthorityAt.FindString(s[p:min(len(s), p+authorityMax+utf8.UTFMax)]); m != "" {
				return m
			}
		}
		p += w
	}
	return cjk
}

// authorityHeads holds the first three bytes of authorityWords' strings.
var authorityHeads = func() *heads {
	p, err := syntax.Parse(authorityWords, syntax.Perl)
	if err != nil {
		panic(err)
	}
	h, ok := headsOf(p)
	if !ok {
		panic("lure: authorityWords not enumerable")
	}
	return h
}()

// heads is a set of the first three bytes of the strings of a finite
// language written in lower case, ASCII letters compared
// case-insensitively (a bit per hash of the three bytes, bit 0x20 set).
// A text whose first three bytes are ASCII and not in the set matches
// none of the strings, even under (?i): an ASCII byte matches a
// character written in lower case only as itself or as its upper case
// (the Kelvin sign and the long s are not ASCII).
type heads struct{ bits [1 << 15 / 64]uint64 }

func headKey(a, b, c byte) uint { return uint(a|0x20)&31<<10 | uint(b|0x20)&31<<5 | uint(c|0x20)&31 }

// may reports whether s may open with one of the strings.
func (h *heads) may(s string) bool {
	if len(s) < 3 || s[0]|s[1]|s[2] >= utf8.RuneSelf {
		return true
	}
	k := headKey(s[0], s[1], s[2])
	return h.bits[k/64]&(1<<(k%64)) != 0
}

// headsOf enumerates the strings re matches (literals, classes,
// concatenations, alternations, optional parts, without case folding)
// and keeps their first three bytes. Strings of under three bytes, or
// whose first three characters are not all ASCII, or written with a
// Kelvin sign or long s, or too many strings: not ok.
func headsOf(re *syntax.Regexp) (*heads, bool) {
	strs, ok := textgate.Strings(re, 4096)
	if !ok {
		return nil, false
	}
	h := &heads{}
	for _, s := range strs {
		if strings.ContainsAny(s, "\u212a\u017f") {
			return nil, false
		}
		if len(s) < 3 {
			return nil, false
		}
		if s[0]|s[1]|s[2] >= utf8.RuneSelf {
			continue // ASCII text never matches it; other text is not tested
		}
		if 'A' <= s[0] && s[0] <= 'Z' || 'A' <= s[1] && s[1] <= 'Z' || 'A' <= s[2] && s[2] <= 'Z' {
			return nil, false // not written in lower case
		}
		k := headKey(s[0], s[1], s[2])
		h.bits[k/64] |= 1 << (k % 64)
	}
	return h, true
}

// isWordByte is \b's word character (syntax.IsWordChar) for one byte.
func isWordByte(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '_'
}

func (a *Analyzer) checkClaims(t *pipeline.Task, m *mail.Message, from mail.Address, fromDom string, links []*webLink, rcpts []string) {
	name := strings.ToLower(from.Name)

	// A public authority named by the sender, the subject or the sign-off,
	// from a domain that is no government's.
	sign := signOffText(m.Text)
	team := strings.ToLower(sign)
	authText := name + "\n" + team
	if lureSymbol(t) {
		authText += "\n" + strings.ToLower(m.Subject)
	}
	if fromDom != "" {
		// The wording first: most messages name no authority.
		if s := findAuthority(authText); s != "" && !reGovDomain.MatchString(fromDom) {
			if b, ok := brands.ByDomain(fromDom); !ok || !isAuthorityKind(b.Kind) {
				t.Add(SymAuthorityClaim, s+" ← "+fromDom)
			}
		}
	}

	// The recipient's own IT desk or mail administrator, from outside.
	if fromDom != "" && !a.own(fromDom) && !sameOrg(fromDom, rcpts) {
		if s := reServiceDesk.FindString(name); s != "" {
			t.Add(SymServiceDeskClaim, s+" ← "+fromDom)
		} else if t.Has("RULE_PHISH_PASSWORD_EXPIRY") || t.Has("RULE_PHISH_ACCOUNT_SUSPENDED") || t.Has("RULE_PHISH_VERIFY_ACCOUNT") || t.Has("RULE_PHISH_CREDENTIAL_LURE") {
			// The symbols first: the regex on the subject counts only with one.
			if s := reServiceDesk.FindString(strings.ToLower(m.Subject)); s != "" {
				t.Add(SymServiceDeskClaim, s+" ← "+fromDom)
			}
		}
	}

	// The display name misspells a brand ("Conta Microsft", "NetfIix",
	// "Arnazon"): a claim made to slip past name checks.
	if !t.Has("FROM_DISPLAY_BRAND") {
		if b, tok, ok := typoBrand(from.Name); ok && !b.Owns(fromDom) {
			t.Add(SymBrandTypo, tok+" ≈ "+b.Name)
		}
	}

	// A brand claimed by the subject (as a notice) or the sign-off, while
	// neither the sender, the reply address nor any link is the brand's.
	// The display name is the sender analyzer's (FROM_DISPLAY_BRAND).
	if t.Has("FROM_DISPLAY_BRAND") || t.Has("URL_BRAND_UNRELATED_LINKS") {
		return
	}
	var claims []brands.Brand
	if lureSymbol(t) {
		claims = append(claims, brands.Claimed(m.Subject)...)
	} else if b, ok := subjectIsBrand(m.Subject); ok {
		// A subject that is nothing but the brand ("Trust Wallet",
		// "Ledger") speaks as the brand as much as a display name does.
		claims = append(claims, b)
	}
	claims = append(claims, brands.Claimed(sign)...)
	for _, b := range claims {
		if b.Owns(fromDom) {
			return
		}
		related := false
		for _, r := range m.ReplyTo {
			if b.Owns(r.Domain) {
				related = true
			}
		}
		for _, w := range links {
			for i := range w.chain.Links {
				if b.Owns(w.chain.Links[i].Host) {
					related = true
				}
			}
		}
		if related {
			continue
		}
		t.Add(SymBrandClaim, b.Name+" ← "+fromDom)
		return
	}
}

// subjectIsBrand reports a subject that is only a brand's name.
func subjectIsBrand(subject string) (brands.Brand, bool) {
	sub := strings.Trim(subject, " \t\"'“”【】[]()|:-–—!.")
	if sub == "" || len(sub) > 40 {
		return brands.Brand{}, false
	}
	cs := brands.Claimed(sub)
	if len(cs) != 1 {
		return brands.Brand{}, false
	}
	if strings.EqualFold(sub, cs[0].Name) {
		return cs[0], true
	}
	for _, n := range cs[0].Names {
		if strings.EqualFold(sub, n) {
			return cs[0], true
		}
	}
	return brands.Brand{}, false
}

// typoBrand finds a word of the display name that is one edit (or a
// confusable skeleton) away from a brand keyword of six or more letters,
// without being the keyword itself.
func typoBrand(name string) (brands.Brand, string, bool) {
	if name == "" || len(name) > 200 {
		return brands.Brand{}, "", false
	}
	toks := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '|' })
	if len(toks) > 12 {
		toks = toks[:12]
	}
	idx := typoIndexFor(brands.All())
	for _, tok := range toks {
		if utf8.RuneCountInString(tok) < 6 || utf8.RuneCountInString(tok) > 20 {
			continue
		}
		low := strings.ToLower(tok)
		if isKeyword(low) {
			continue
		}
		if e := idx.first(low, brands.Skeleton(tok)); e != nil {
			return idx.brands[e.brand], tok, true
		}
	}
	return brands.Brand{}, "", false
}

// typoIndex holds the brand keywords typoBrand compares names with (six
// or more letters, no dot or hyphen), in catalogue order, by skeleton and
// by length: a name word is compared with the few keywords that can be
// its typo, not with the whole catalogue.
type typoIndex struct {
	brands  []brands.Brand // the catalogue indexed
	entries []typoEntry
	bySkel  map[string][]int32
	byLen   map[int][]int32 // keywords of seven or more bytes
}

type typoEntry struct {
	brand int
	kw    string
	skel  string // brands.Skeleton(kw)
}

var typoIdx atomic.Pointer[typoIndex]

// typoIndexFor returns the index of the catalogue (rebuilt when another
// catalogue is in use).
func typoIndexFor(all []brands.Brand) *typoIndex {
	if x := typoIdx.Load(); x != nil && len(x.brands) == len(all) && (len(all) == 0 || &x.brands[0] == &all[0]) {
		return x
	}
	x := &typoIndex{brands: all, bySkel: map[string][]int32{}, byLen: map[int][]int32{}}
	for bi, b := range all {
		for _, k := range b.Keywords {
			if len(k) < 6 || strings.ContainsAny(k, ".-") {
				continue
			}
			id := int32(len(x.entries))
			sk := keywordSkeleton(k)
			x.entries = append(x.entries, typoEntry{brand: bi, kw: k, skel: sk})
			x.bySkel[sk] = append(x.bySkel[sk], id)
			if len(k) >= 7 {
				x.byLen[len(k)] = append(x.byLen[len(k)], id)
			}
		}
	}
	typoIdx.Store(x)
	return x
}

// first returns the first keyword, in catalogue order, that the word low
// (skeleton sk) is a typo of: not the keyword nor holding it, and of the
// same skeleton or (seven letters or more) one edit away.
func (x *typoIndex) first(low, sk string) *typoEntry {
	best := int32(-1)
	try := func(ids []int32) {
		for _, id := range ids {
			if best >= 0 && id >= best {
				return
			}
			e := &x.entries[id]
			k := e.kw
			if sk != e.skel && (len(k) < 7 || low[0] != k[0] && low[len(low)-1] != k[len(k)-1]) {
				// Not the skeleton, and no edit of a word keeps
				// neither its first nor its last byte (editDistance1).
				continue
			}
			if low == k || strings.Contains(low, k) {
				continue
			}
			if sk == e.skel || len(k) >= 7 && editDistance1(low, k) {
				best = id
				return
			}
		}
	}
	try(x.bySkel[sk])
	for d := -1; d <= 1; d++ {
		try(x.byLen[len(low)+d])
	}
	if best < 0 {
		return nil
	}
	return &x.entries[best]
}

// keywordSkels remembers the skeletons of brand keywords (a pure function
// of the keyword; the catalogue holds a few thousand).
var (
	keywordSkels sync.Map
	keywordSkelN atomic.Int64
)

func keywordSkeleton(k string) string {
	if s, ok := keywordSkels.Load(k); ok {
		return s.(string)
	}
	s := brands.Skeleton(k)
	if keywordSkelN.Add(1) <= 1<<16 {
		keywordSkels.Store(k, s)
	}
	return s
}

// keywordSet holds the brand keywords, lower-cased, and those of five or
// more bytes by their first five.
var keywordSet = sync.OnceValue(func() *kwSet {
	ks := &kwSet{all: map[string]bool{}, by5: map[string][]string{}}
	for _, b := range brands.All() {
		for _, k := range b.Keywords {
			k = strings.ToLower(k)
			if ks.all[k] {
				continue
			}
			ks.all[k] = true
			if len(k) >= 5 {
				ks.by5[k[:5]] = append(ks.by5[k[:5]], k)
			}
		}
	}
	return ks
})

type kwSet struct {
	all map[string]bool
	by5 map[string][]string
}

// isKeyword reports a word that is some brand's own keyword, or contains
// one ("paypal" is PayPal, not a typo of PayPay).
func isKeyword(w string) bool {
	set := keywordSet()
	if set.all[w] {
		return true
	}
	for i := 0; i+5 <= len(w); i++ {
		for _, k := range set.by5[w[i:i+5]] {
			if strings.HasPrefix(w[i:], k) {
				return true
			}
		}
	}
	return false
}

// editDistance1 reports strings one insertion, deletion, substitution or
// transposition apart (ASCII).
func editDistance1(a, b string) bool {
	if a == b || len(a)-len(b) > 1 || len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b):
		if i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] {
			return true
		}
		return a[i+1:] == b[i+1:]
	case len(a) > len(b):
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

func isAuthorityKind(k string) bool {
	switch k {
	case "government", "tax", "post", "police", "court", "customs":
		return true
	}
	return false
}

// lureSymbol reports a content rule that reads as a notice or a lure.
func lureSymbol(t *pipeline.Task) bool {
	for _, h := range t.Hits() {
		if strings.HasPrefix(h.Name, "RULE_PHISH_") || strings.HasPrefix(h.Name, "RULE_LURE_") {
			return true
		}
	}
	return false
}

// sameOrg reports that the sender shares a registrable domain with a
// recipient.
func sameOrg(fromDom string, rcpts []string) bool {
	fr := namestat.Registrable(fromDom)
	for _, r := range rcpts {
		if i := strings.LastIndexByte(r, '@'); i >= 0 && namestat.Registrable(r[i+1:]) == fr && fr != "" {
			return true
		}
	}
	return false
}

// signOff returns the last lines of the visible text, where senders sign
// ("Ihr Sparkasse-Team", "Equipe Correios", "三井住友カード株式会社").
func signOff(text string) string {
	text = strings.TrimSpace(text)
	if len(text) > 400 {
		i := len(text) - 400
		for i < len(text) && !utf8.RuneStart(text[i]) {
			i++
		}
		text = text[i:]
	}
	return text
}

var reTeam = regexp.MustCompile(`(?i)(?:your|the|ihr|ihre|dein|uw|het|votre|l'|seu|sua|a|o|su|el|il|la)?\s*([\p{L}0-9&.\- ]{2,40}?)[\s-]*(?:team|teams|équipe|equipe|equipo|squadra|service client|kundenservice|klantenservice|atendimento)\b|(?:team|équipe|equipe|equipo)\s+([\p{L}0-9&.\- ]{2,40})|([\p{L}0-9・ー＆&]{2,30})(?:事務局|カスタマーセンター|サポートセンター|お客様センター)`)

// signOffText returns the brand-naming parts of the sign-off: "X team",
// "Equipe X", "X事務局".
func signOffText(text string) string {
	text = signOff(text)
	var b strings.Builder
	if asc.Is(text) {
		// The regex, a backtracking scan of the sign-off, runs from the
		// first place a match may begin, and again after each match from
		// the first place the next may begin (as FindAllStringSubmatch
		// would from the match's end: its matches are never empty, and
		// begin with no assertion), not over the rest of the text when
		// no team word is left ahead.
		var buf [8]teamAt
		at := teamsFromASCII(text, buf[:0])
		for n, pos := 0, 0; n < 4; n++ {
			from := len(text)
			for _, a := range at {
				if a.word >= pos {
					from = min(from, a.from)
				}
			}
			if from == len(text) {
				break
			}
			from = max(from, pos)
			loc := reTeam.FindStringSubmatchIndex(text[from:])
			if loc == nil {
				break
			}
			for g := 2; g+1 < len(loc); g += 2 {
				if loc[g] >= 0 && loc[g+1] > loc[g] {
					b.WriteString(text[from+loc[g] : from+loc[g+1]])
					b.WriteByte('\n')
				}
			}
			pos = from + loc[1]
		}
		return b.String()
	}
	if !mayBeTeamAny(text) {
		return ""
	}
	for _, m := range reTeam.FindAllStringSubmatch(text, 4) {
		for _, g := range m[1:] {
			if g != "" {
				b.WriteString(g)
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// teamWords are the literals one of which every match of reTeam holds
// (lower case): a substring test spares the regex, a backtracking scan
// of the whole sign-off, on most messages.
var teamWords = []string{"team", "équipe", "equipe", "equipo", "squadra", "service client", "kundenservice", "klantenservice", "atendimento",
	"事務局", "カスタマーセンター", "サポートセンター", "お客様センター"}

// mayBeTeam reports whether text may match reTeam. Lower-casing covers
// the regex's case folding, except for the long s, which (?i) folds to s.
func mayBeTeam(text string) bool {
	if asc.Is(text) {
		return mayBeTeamASCII(text)
	}
	return mayBeTeamAny(text)
}

// mayBeTeamAny is mayBeTeam on any text.
func mayBeTeamAny(text string) bool {
	l := strings.ToLower(text)
	if strings.Contains(l, "ſ") {
		l = strings.ReplaceAll(l, "ſ", "s")
	}
	for _, w := range teamWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// mayBeTeamASCII is mayBeTeam on ASCII text, in one pass without a
// lower-cased copy: ASCII text lower-cases byte by byte (no long s), and
// holds none of the words with other letters. At each byte whose
// lower case opens an ASCII team word, the words opening with it are
// compared case-insensitively.
func mayBeTeamASCII(text string) bool {
	for i := 0; i < len(text); i++ {
		if teamPairAt(text, i) && teamWordAt(text, i) {
			return true
		}
	}
	return false
}

// teamWordAt reports whether the ASCII text holds a team word at i,
// compared case-insensitively.
func teamWordAt(text string, i int) bool {
	for _, w := range teamByFirst[lowerASCII(text[i])] {
		if i+1 < len(text) && lowerASCII(text[i+1]) == w[1] && foldedAt(text, i, w) {
			return true
		}
	}
	return false
}

// teamPairAt reports whether the bytes at i may open an ASCII team word:
// the first byte's lower case opens one, and the next byte's lower case,
// by its low five bits, may follow it in one (a few bytes that are no
// letter share them: teamWordAt decides).
func teamPairAt(text string, i int) bool {
	m := teamPair[text[i]]
	return m != 0 && i+1 < len(text) && m&(1<<(lowerASCII(text[i+1])&31)) != 0
}

// teamPair holds, by byte, the low five bits of the second bytes of the
// ASCII team words its lower case opens.
var teamPair = func() (t [256]uint32) {
	for c := 0; c < 128; c++ {
		for _, w := range teamByFirst[lowerASCII(byte(c))] {
			t[c] |= 1 << (w[1] & 31)
		}
	}
	return t
}()

// teamAt is an ASCII team word at word, and the offset from before which
// no match of reTeam holding it begins.
type teamAt struct{ word, from int }

// teamsFromASCII appends the team words of the ASCII text and their
// bounds. Every match in ASCII text holds an ASCII team word: the third
// branch needs Japanese words, the second begins with the word, and the
// first ends with it, after [\s-]*, at most 40 characters of the name (40
// bytes of ASCII), \s* and a prefix word of at most five bytes. Walking
// back over those from an occurrence of a word (over the longest runs of
// white space and hyphens, as no match's runs are longer) gives the
// bound; the regex looks at nothing before a match (its \b follows the
// team word), so from the bound it finds the same matches.
//
// Each offset's pair of bytes is looked up in teamPairs, seven offsets
// from one eight-byte load: the pairs it holds are exactly those that
// open an ASCII team word (either case), fewer than teamPairAt lets
// through, and teamWordAt decides as before. The loop of teamPairAt
// cost about 20 instructions a byte of sign-off.
func teamsFromASCII(text string, out []teamAt) []teamAt {
	i := 0
	for ; i+8 <= len(text); i += 7 {
		b := text[i : i+8]
		u := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		for k := 0; k < 7; k, u = k+1, u>>8 {
			if p := uint16(u); teamPairs[p>>6]&(1<<(p&63)) != 0 && teamWordAt(text, i+k) {
				out = teamBound(text, i+k, out)
			}
		}
	}
	for ; i+1 < len(text); i++ {
		if p := uint16(text[i]) | uint16(text[i+1])<<8; teamPairs[p>>6]&(1<<(p&63)) != 0 && teamWordAt(text, i) {
			out = teamBound(text, i, out)
		}
	}
	return out
}

// teamPairs holds the first two bytes of the ASCII team words (the
// first in the low byte), in either case each.
var teamPairs = func() (t [1 << 16 / 64]uint64) {
	for _, w := range teamWords {
		if !asc.Is(w) {
			continue
		}
		for _, a := range []byte{w[0], upperASCII(w[0])} {
			for _, b := range []byte{w[1], upperASCII(w[1])} {
				p := uint16(a) | uint16(b)<<8
				t[p>>6] |= 1 << (p & 63)
			}
		}
	}
	return t
}()

// upperASCII upper-cases an ASCII letter (other bytes as they are).
func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// teamBound appends the team word at i of the ASCII text with its bound.
func teamBound(text string, i int, out []teamAt) []teamAt {
	k := i
	for k > 0 && (asciiWhite(text[k-1]) || text[k-1] == '-') {
		k--
	}
	k = max(k-40, 0)
	for k > 0 && asciiWhite(text[k-1]) {
		k--
	}
	return append(out, teamAt{word: i, from: max(k-8, 0)})
}

// asciiWhite holds \s (and \v).
func asciiWhite(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// teamByFirst lists the ASCII team words by their first byte.
var teamByFirst = func() (t [128][]string) {
	for _, w := range teamWords {
		if asc.Is(w) {
			t[w[0]] = append(t[w[0]], w)
		}
	}
	return t
}()

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c & 0x7F
}

// foldedAt reports whether the ASCII text, lower-cased, holds the lower-case
// word w at i.
func foldedAt(text string, i int, w string) bool {
	if len(text)-i < len(w) {
		return false
	}
	for j := 1; j < len(w); j++ {
		if lowerASCII(text[i+j]) != w[j] {
			return false
		}
	}
	return true
}

// ---- helpers ----

// recipients are the envelope recipients, or the To/Cc addresses when the
// envelope is unknown (a stored message), lower-cased.
func recipients(t *pipeline.Task) []string {
	var out []string
	for _, r := range t.Env.Rcpts {
		out = append(out, strings.ToLower(strings.Trim(r, "<> ")))
	}
	if len(out) == 0 {
		for _, l := range [][]mail.Address{t.Msg.To, t.Msg.Cc} {
			for _, a := range l {
				if a.Domain != "" && len(out) < 50 {
					out = append(out, strings.ToLower(a.Addr))
				}
			}
		}
	}
	return out
}

// isList reports mail from a mailing list.
func isList(m *mail.Message) bool {
	return m.Headers.Has("List-Id") || m.Headers.Has("List-Post") || m.Headers.Has("Mailing-List")
}

// isBounce reports a delivery report: null envelope sender, a
// multipart/report, or a MAILER-DAEMON/postmaster sender.
func isBounce(m *mail.Message, env pipeline.Envelope) bool {
	if m.Root != nil && m.Root.ContentType == "multipart/report" {
		return true
	}
	if len(m.From) > 0 {
		l := strings.ToLower(m.From[0].Local)
		if l == "mailer-daemon" || l == "postmaster" || strings.HasPrefix(l, "microsoftexchange") {
			return true
		}
	}
	return false
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
