// Package content is sekisho's declarative content-rule engine: rules
// written in TOML (regular expressions and keyword sets on the subject,
// body, headers, links, sender name and attachment names, built-in checks
// such as checksum-validated cryptocurrency addresses, and boolean meta
// rules over other rules and any symbol), each rule a RULE_* symbol with a
// score, a category and an English and Japanese explanation.
//
// Shipped rule sets (rules/*.toml, embedded) cover credential phishing,
// invoice and parcel lures, BEC, sextortion, advance-fee fraud,
// health/pharma/dating/job/casino/energy/insurance spam, crypto and
// investment lures and event-themed lures, in English, Japanese, German,
// Dutch, French, Portuguese, Spanish and Italian. Administrators add or override rules with their own files
// ([rules] files). Text is normalised before matching (NFKC, lower case,
// zero-width characters removed); Japanese keywords also match across
// spaces and line breaks, since Japanese is written unspaced.
//
// The analyzer runs in its own stage after the late checks (StageMeta) so
// that meta rules can combine the results of every other analyzer (URL_,
// FROM_, AUTH ...); only the final stage, which reads the rules, is later.
package content

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/textgate"
)

//go:embed rules/*.toml
var shippedFS embed.FS

// Shipped returns the embedded rules, in file order.
func Shipped() ([]*Rule, error) {
	ents, err := shippedFS.ReadDir("rules")
	if err != nil {
		return nil, err
	}
	var all []*Rule
	seen := map[string]string{}
	for _, e := range ents {
		b, _ := shippedFS.ReadFile("rules/" + e.Name())
		rs, err := ParseFile(b, e.Name())
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if f, dup := seen[r.Name]; dup {
				return nil, fmt.Errorf("%w: %s defined in %s and %s", ErrRules, r.Name, f, e.Name())
			}
			seen[r.Name] = e.Name()
		}
		all = append(all, rs...)
	}
	return all, nil
}

// shippedRules compiles the shipped rules once, when an analyzer is first
// built: one-shot commands that scan nothing (version, symbols, config
// check) do not pay for compiling hundreds of regular expressions.
var shippedRules = sync.OnceValues(Shipped)

func init() {
	// Register the symbols from the declarations alone.
	ents, err := shippedFS.ReadDir("rules")
	if err != nil {
		panic(err)
	}
	for _, e := range ents {
		b, _ := shippedFS.ReadFile("rules/" + e.Name())
		var f File
		if _, err := toml.Decode(string(b), &f); err != nil {
			panic(fmt.Sprintf("content: %s: %v", e.Name(), err))
		}
		for _, d := range f.Rule {
			cat, err := pipeline.ParseCategory(d.Category)
			if err != nil {
				panic(fmt.Sprintf("content: %s: %s: %v", e.Name(), d.Name, err))
			}
			pipeline.Register(symbolDef(&Rule{RuleDef: d, category: cat}))
		}
	}
}

func symbolDef(r *Rule) pipeline.SymbolDef {
	return pipeline.SymbolDef{Name: r.Name, Weight: r.Score, Category: r.category, Group: "rules", EN: r.EN, JA: r.JA}
}

// Analyzer evaluates a rule set.
type Analyzer struct {
	rules []*Rule // non-meta first, then meta in dependency order
	lits  *litIndex
	// fieldNames are the fields the rules look at, by id (Rule.fieldIDs).
	fieldNames []string
	log        *slog.Logger
	uses       map[string]bool // the fields some rule looks at
	// nameSlot maps a rule name to its slot in evalState.fired (rules of
	// the same name share one); Rule.slot is the same per rule.
	nameSlot map[string]int
	states   sync.Pool // *evalState, reused across messages
	tasks    sync.Pool // *taskState, reused across scans
}

// taskState is what Analyze builds per scan besides Evaluate's: the
// fields of the message and the symbols reported, reused across scans.
type taskState struct {
	fields map[string]string
	seen   map[string]bool
	has    func(string) bool // seen[n], made once
}

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Staged   = (*Analyzer)(nil)
)

// New builds the rule analyzer from the shipped rules and the [rules] files.
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.Rules.Enabled {
		return nil, nil
	}
	var user []*Rule
	for _, pat := range cfg.Rules.Files {
		matches, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("content: rules.files %q: %w", pat, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("content: rules.files %q matches no file", pat)
		}
		sort.Strings(matches)
		for _, f := range matches {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("content: %w", err)
			}
			rs, err := ParseFile(b, f)
			if err != nil {
				return nil, fmt.Errorf("content: %w", err)
			}
			user = append(user, rs...)
		}
	}
	a, err := NewAnalyzer(cfg.Rules.Shipped, user, cfg.Rules.Disable)
	if err != nil {
		return nil, err
	}
	// The administrator's own examples must hold, or the file is refused.
	if len(user) > 0 {
		mine := map[string]bool{}
		for _, r := range user {
			mine[r.Name] = true
		}
		for _, e := range a.CheckExamples() {
			name, _, _ := strings.Cut(e.Error(), ":")
			if mine[name] {
				return nil, fmt.Errorf("content: %w", e)
			}
		}
	}
	if deps.Logger != nil {
		a.log = deps.Logger
	}
	return []pipeline.Analyzer{a}, nil
}

// NewAnalyzer combines the shipped rules (when withShipped) with user
// rules (a user rule of the same name replaces the shipped one) and
// disables the named rules.
func NewAnalyzer(withShipped bool, user []*Rule, disable []string) (*Analyzer, error) {
	byName := map[string]*Rule{}
	var names []string
	add := func(r *Rule) {
		if _, ok := byName[r.Name]; !ok {
			names = append(names, r.Name)
		}
		byName[r.Name] = r
	}
	if withShipped {
		shipped, err := shippedRules()
		if err != nil {
			return nil, fmt.Errorf("content: %w", err)
		}
		for _, r := range shipped {
			add(r)
		}
	}
	for _, r := range user {
		add(r)
	}
	for _, d := range disable {
		r, ok := byName[d]
		if !ok {
			return nil, fmt.Errorf("content: rules.disable: unknown rule %s", d)
		}
		c := *r
		c.Disabled = true
		byName[d] = &c
	}
	var all []*Rule
	for _, n := range names {
		all = append(all, byName[n])
	}
	for _, r := range all {
		if _, ok := pipeline.Lookup(r.Name); !ok {
			pipeline.Register(symbolDef(r))
		}
	}
	var plain, metas []*Rule
	for _, r := range all {
		if r.Disabled {
			continue
		}
		if r.meta != nil {
			metas = append(metas, r)
		} else {
			plain = append(plain, r)
		}
	}
	ordered, err := order(metas)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	return newAnalyzer(append(plain, ordered...)), nil
}

// newAnalyzer indexes the literals of the rules (copies of the rules: the
// ids belong to this analyzer).
func newAnalyzer(rules []*Rule) *Analyzer {
	a := &Analyzer{lits: newLitIndex(), log: slog.New(slog.DiscardHandler), uses: map[string]bool{}, nameSlot: map[string]int{}}
	for _, r := range rules {
		c := *r
		if sl, ok := a.nameSlot[c.Name]; ok {
			c.slot = sl
		} else {
			c.slot = len(a.nameSlot)
			a.nameSlot[c.Name] = c.slot
		}
		c.fieldIDs = make([]int, len(r.fields))
		for i, f := range r.fields {
			a.uses[f] = true
			c.fieldIDs[i] = slices.Index(a.fieldNames, f)
			if c.fieldIDs[i] < 0 {
				c.fieldIDs[i] = len(a.fieldNames)
				a.fieldNames = append(a.fieldNames, f)
			}
		}
		c.kwIDs = make([]int, len(c.keywords))
		for i, k := range c.keywords {
			if len(k) >= 2 {
				c.kwIDs[i] = a.lits.add(k)
			} else {
				c.kwIDs[i] = -1
			}
		}
		c.litIDs = make([][]int, len(c.lits))
		c.litSet = make([]int, len(c.lits))
		c.andSets = make([][]int, len(c.and))
		for i, ls := range c.lits {
			if ls == nil {
				continue
			}
			ids := make([]int, len(ls))
			for j, l := range ls {
				ids[j] = a.lits.add(l)
			}
			c.litIDs[i] = ids
			c.litSet[i] = a.lits.addSet(ids)
		}
		c.andIDs = make([][][]int, len(c.and))
		for i, sets := range c.and {
			for _, set := range sets {
				if !indexAnd(set) {
					// Looked for in the windows, not indexed.
					c.andIDs[i] = append(c.andIDs[i], nil)
					c.andSets[i] = append(c.andSets[i], -1)
					continue
				}
				ids := make([]int, len(set))
				for j, l := range set {
					ids[j] = a.lits.add(l)
				}
				c.andIDs[i] = append(c.andIDs[i], ids)
				c.andSets[i] = append(c.andSets[i], a.lits.addSet(ids))
			}
		}
		c.words = make([]*wordLit, len(c.regexes))
		for i, re := range c.regexes {
			if ids := c.litIDs[i]; len(ids) == 1 && len(c.andOf(i)) == 0 && c.factors[i].Len() == 0 {
				if w := wordLitOf(re.pat); w != nil && w.lit == r.lits[i][0] {
					w.id = ids[0]
					c.words[i] = w
				}
			}
		}
		c.setN, c.setC = a.ruleSets(&c)
		a.rules = append(a.rules, &c)
	}
	for _, r := range a.rules {
		if r.meta != nil {
			e := resolve(r.meta, a.nameSlot)
			r.cmeta = &e
		}
	}
	return a
}

// indexAnd reports whether the literals of an and set go into the
// analyzer's index. A set with a literal of three bytes or less ("the",
// "is ", "e ") is not indexed: such literals occur all over most texts,
// where the index's scan would note each occurrence for every message,
// while the set is only needed in the windows of a regex whose own
// literals occur, where findWindows looks for it (a few hundred bytes).
func indexAnd(set []string) bool {
	for _, l := range set {
		if len(l) <= 3 {
			return false
		}
	}
	return true
}

// ruleSets registers the literals one of which a text must hold for any
// pattern of the rule to match: setN on the normalised text, setC on the
// compact text of text holding CJK characters (-1: none). Both are -1
// when the rule has a pattern without index literals (a check, a regex
// without prefilter, a one-byte keyword, a compact regex that may match
// without a CJK character): such rules are always evaluated in full.
func (a *Analyzer) ruleSets(r *Rule) (setN, setC int) {
	if r.meta != nil || r.Check != "" {
		return -1, -1
	}
	var norm, comp []int
	for i := range r.regexes {
		if r.litIDs[i] == nil || r.compact[i] && !r.needCJK[i] {
			return -1, -1
		}
		norm = append(norm, r.litIDs[i]...)
		if r.compact[i] {
			comp = append(comp, r.litIDs[i]...)
		}
	}
	for i, id := range r.kwIDs {
		if id < 0 {
			return -1, -1
		}
		if r.kwCJK[i] {
			comp = append(comp, id)
		} else {
			norm = append(norm, id)
		}
	}
	setN, setC = a.lits.addSet(norm), -1
	if comp != nil {
		setC = a.lits.addSet(comp)
	}
	return setN, setC
}

// mayMatch reports whether some pattern of the rule may match (true for
// rules without sets): on a field's normalised text, a literal of setN; on
// its compact text, when it holds CJK characters, a literal of setC.
func (r *Rule) mayMatch(v *view) bool {
	if r.setN < 0 {
		return true
	}
	for _, f := range r.fieldIDs {
		// The scanned normalised view without the calls (most rules
		// look at a field scanned already).
		sr := &v.fields[f].v[0].sr
		if !v.fields[f].v[0].scanned {
			sr = v.scan(v.textID(f, false))
		}
		if sr.hasSet(r.setN) {
			return true
		}
		if r.setC >= 0 && v.cjk(f) && v.scan(v.textID(f, true)).hasSet(r.setC) {
			return true
		}
	}
	return false
}

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "content" }

// Stage implements pipeline.Staged: after the late checks, so meta rules
// see every symbol but the final stage's (which reads the rules).
func (a *Analyzer) Stage() pipeline.Stage { return pipeline.StageMeta }

// Rules returns the active rules.
func (a *Analyzer) Rules() []*Rule { return a.rules }

// maxTextBytes bounds the text one field contributes; regular expressions
// see the first maxRegexBytes of it (lures open the message).
const (
	maxTextBytes  = 256 << 10
	maxRegexBytes = 32 << 10
)

// view is the normalised text of a message, built lazily per field.
type view struct {
	raw     map[string]string // field → original text (case kept)
	names   []string          // field names by id
	fields  []fieldSlot       // by field id
	wallets *struct{ btc, eth []string }
	// walletsDone: wallets holds the addresses of this message (the
	// struct is kept across messages by a pooled view).
	walletsDone bool
	symbols     func(string) bool
	lits        *litIndex
}

// fieldSlot holds one field's normalised and compact views, and whether
// the text holds CJK characters.
type fieldSlot struct {
	v   [2]fieldView
	cjk int8 // 0: not known yet, 1: no, 2: yes
}

// fieldView is one field's normalised (or compact) text and the literals
// found in it, each computed once per message.
type fieldView struct {
	txt     string
	ready   bool
	scanned bool
	sr      scanResult
}

// newView prepares the view of a message; names are the fields by id
// (the analyzer's), others get ids as they are asked for (id).
func newView(raw map[string]string, symbols func(string) bool, lits *litIndex, names []string) *view {
	return &view{raw: raw, names: names[:len(names):len(names)], fields: make([]fieldSlot, len(names)), symbols: symbols, lits: lits}
}

// reset prepares a released view for another message, keeping its
// buffers.
func (v *view) reset(raw map[string]string, symbols func(string) bool, lits *litIndex, names []string) {
	v.raw, v.symbols, v.lits = raw, symbols, lits
	v.names = names[:len(names):len(names)]
	v.walletsDone = false
	if v.wallets != nil {
		v.wallets.btc, v.wallets.eth = nil, nil
	}
	if cap(v.fields) < len(names) {
		v.fields = make([]fieldSlot, len(names))
		return
	}
	v.fields = v.fields[:len(names)]
}

// id returns the id of a field name.
func (v *view) id(name string) int {
	for i, n := range v.names {
		if n == name {
			return i
		}
	}
	v.names = append(v.names, name)
	v.fields = append(v.fields, fieldSlot{})
	return len(v.names) - 1
}

// text returns the field's normalised text (compact: without white space).
func (v *view) text(name string, compact bool) *fieldView { return v.textID(v.id(name), compact) }

// textID is text by field id.
func (v *view) textID(f int, compact bool) *fieldView {
	fs := &v.fields[f]
	fv := &fs.v[0]
	if !fv.ready {
		var ascii bool
		fv.txt, ascii = normalize(v.raw[v.names[f]])
		fv.ready = true
		if ascii {
			fs.cjk = 1 // no CJK character in ASCII text
		}
	}
	if compact {
		c := &fs.v[1]
		if !c.ready {
			c.txt, c.ready = compactString(fv.txt), true
		}
		fv = c
	}
	return fv
}

// cjk reports whether the field text holds a CJK character (the compact
// text holds the same characters but white space).
func (v *view) cjk(f int) bool {
	if c := v.fields[f].cjk; c != 0 {
		return c == 2 // known (set once the text is ready)
	}
	return v.cjkText(f)
}

// cjkText is cjk's slow path: the text made ready, then looked at.
func (v *view) cjkText(f int) bool {
	txt := v.textID(f, false).txt // knows ASCII text holds none
	fs := &v.fields[f]
	if fs.cjk == 0 {
		fs.cjk = 1
		if hasCJK(txt) {
			fs.cjk = 2
		}
	}
	return fs.cjk == 2
}

// mayFind reports whether findRegex(r, i, f, compact) may find a match
// as far as the literals already found tell: false when the view is
// scanned and holds none of regex i's required literals, which
// findRegex would answer "" for after its calls.
func (v *view) mayFind(r *Rule, i, f int, compact bool) bool {
	if r.litIDs[i] == nil {
		return true
	}
	fv := &v.fields[f].v[b2i(compact)]
	return !fv.scanned || fv.sr.hasSet(r.litSet[i])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scan returns the literals found in the field text.
func (v *view) scan(fv *fieldView) *scanResult {
	if !fv.scanned {
		v.lits.scanInto(&fv.sr, fv.txt)
		fv.scanned = true
	}
	return &fv.sr
}

// release returns the scan tables to the index and forgets the message
// (the texts), keeping the buffers of the scan results.
func (v *view) release() {
	for f := range v.fields {
		fs := &v.fields[f]
		for i := range fs.v {
			fv := &fs.v[i]
			if fv.scanned {
				v.lits.release(&fv.sr)
				fv.scanned = false
			}
			fv.txt, fv.ready = "", false
		}
		fs.cjk = 0
	}
	v.raw, v.symbols = nil, nil
	if v.wallets != nil {
		v.wallets.btc, v.wallets.eth = nil, nil
	}
}

// has reports whether literal id occurs in the field text.
func (v *view) has(f int, compact bool, id int) bool {
	return v.scan(v.textID(f, compact)).has(id)
}

// window is how far around an occurrence of a required literal a regex
// match may reach: regexes run on these windows, not on the whole text
// (on narrower ones when their matches are shorter).
const window = 320

// maxAnchors bounds the windows placed around the occurrences of a
// regex's anchor literals; with more, the regex runs on the text.
// maxFactorAnchors is the bound for a regex with a byte factor, which
// spares the regex the windows without it (a text with many "$" and
// one large sum runs it on one window, not on the whole text).
const (
	maxAnchors       = 64
	maxFactorAnchors = 4096
)

// findRegex runs regex i of r on the field text where its prefilter lets
// it: on the windows around the occurrences of its literals when it has
// some, else on the text's head (on windows around its anchors there).
func (v *view) findRegex(r *Rule, i int, f int, compact bool) string {
	if r.needCJK[i] && !v.cjk(f) {
		// Every match holds a CJK character, and the text none.
		return ""
	}
	// The regex is compiled (lazyRe) only where it runs: not for text
	// the prefilters turn away, nor for a word literal.
	re := r.regexes[i]
	fv := v.textID(f, compact)
	txt := fv.txt
	ids := r.litIDs[i]
	if ids == nil {
		if !gateOK(txt, r.gates[i]) {
			return ""
		}
		h := head(txt)
		if !r.factors[i].In(h) {
			// No window of the head holds the factor either.
			return ""
		}
		limit := maxAnchors
		if r.factors[i].Len() > 0 {
			limit = maxFactorAnchors
		}
		if starts, ok := anchorStarts(h, r.anchors[i], limit); ok {
			return findWindows(re.get(), h, starts, r.wins[i], r.trims[i], nil, nil, nil, r.factors[i], r.leadOf(i))
		}
		if ld := r.leadOf(i); ld != nil {
			return ld.find(re.get(), h, 0, len(h))
		}
		return re.get().FindString(h)
	}
	sr := v.scan(fv)
	if !sr.hasSet(r.litSet[i]) {
		return ""
	}
	for _, set := range r.andSets[i] {
		if set >= 0 && !sr.hasSet(set) {
			return ""
		}
	}
	if w := r.wordOf(i); w != nil {
		return w.find(txt, sr)
	}
	var buf [64]int
	starts := buf[:0]
	for _, id := range ids {
		ps := sr.positions(id)
		for _, p := range ps {
			starts = append(starts, int(p))
		}
		if len(ps) == maxPositions {
			// The index keeps the first occurrences only: find the rest.
			l := sr.lits[id]
			for at := int(ps[len(ps)-1]) + 1; at < len(txt); {
				j := strings.Index(txt[at:], l)
				if j < 0 {
					break
				}
				starts = append(starts, at+j)
				at += j + 1
			}
		}
	}
	return findWindows(re.get(), txt, starts, r.wins[i], r.trims[i], sr, r.andIDs[i], r.andOf(i), r.factors[i], r.leadOf(i))
}

// wordOf returns the word literal of regex i (nil: none).
func (r *Rule) wordOf(i int) *wordLit {
	if i < len(r.words) {
		return r.words[i]
	}
	return nil
}

// wordLit is a regex that is a literal (no case folding), with \b or
// not before and after it ("\bage\b", "bloqueio preventivo"): every
// match is the literal, at an occurrence where the assertions hold, so
// the first match is the literal when one occurrence passes them. Its
// occurrences are the literal index's positions (and, past the ones it
// keeps, a search), not windows the regex runs on.
type wordLit struct {
	lit           string
	before, after bool // \b before, after the literal
	id            int  // the literal's id in the analyzer's index
}

// wordLitOf returns the word literal a pattern is (nil: none).
func wordLitOf(pattern string) *wordLit {
	p, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	subs := []*syntax.Regexp{p}
	if p.Op == syntax.OpConcat {
		subs = p.Sub
	}
	w := &wordLit{}
	if len(subs) > 0 && subs[0].Op == syntax.OpWordBoundary {
		w.before, subs = true, subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpWordBoundary {
		w.after, subs = true, subs[:len(subs)-1]
	}
	if len(subs) != 1 || subs[0].Op != syntax.OpLiteral || subs[0].Flags&syntax.FoldCase != 0 {
		return nil
	}
	w.lit = string(subs[0].Rune)
	if w.lit == "" || strings.ContainsRune(w.lit, utf8.RuneError) {
		return nil
	}
	return w
}

// find returns the literal when it occurs in txt where the assertions
// hold ("": nowhere); sr is txt's scan.
func (w *wordLit) find(txt string, sr *scanResult) string {
	ps := sr.positions(w.id)
	for _, p := range ps {
		if w.at(txt, int(p)) {
			return w.lit
		}
	}
	if len(ps) == maxPositions {
		// The index keeps the first occurrences only: find the rest.
		for at := int(ps[len(ps)-1]) + 1; at < len(txt); {
			j := strings.Index(txt[at:], w.lit)
			if j < 0 {
				break
			}
			if w.at(txt, at+j) {
				return w.lit
			}
			at += j + 1
		}
	}
	return ""
}

// at reports whether the assertions hold around the literal at p: \b
// (ASCII word characters, as regexp's) where asked.
func (w *wordLit) at(txt string, p int) bool {
	return (!w.before || wordBoundary(txt, p)) && (!w.after || wordBoundary(txt, p+len(w.lit)))
}

// wordBoundary reports whether \b holds at i of s: one of the characters
// around it is an ASCII word character and the other is not (a word
// character is one byte; a byte of a longer or invalid character is
// none).
func wordBoundary(s string, i int) bool {
	before := i > 0 && syntax.IsWordChar(rune(s[i-1]))
	after := i < len(s) && syntax.IsWordChar(rune(s[i]))
	return before != after
}

// andOf returns the and sets of regex i (nil: none).
func (r *Rule) andOf(i int) [][]string {
	if i < len(r.and) {
		return r.and[i]
	}
	return nil
}

// leadOf returns the lead of regex i (nil: none).
func (r *Rule) leadOf(i int) *lead {
	if i < len(r.leads) {
		return r.leads[i]
	}
	return nil
}

// anchorStarts returns the offsets of the anchors in text (ok false when
// there are no anchors or more than limit occurrences).
func anchorStarts(text string, anchors []string, limit int) ([]int, bool) {
	if anchors == nil {
		return nil, false
	}
	var out []int
	for _, a := range anchors {
		for at := 0; at < len(text); {
			j := strings.Index(text[at:], a)
			if j < 0 {
				break
			}
			if len(out) >= limit {
				return nil, false
			}
			out = append(out, at+j)
			at += j + 1
		}
	}
	return out, true
}

// findWindows runs re on the merged windows around starts, skipping the
// windows that lack a literal of one of the and sets or the byte factor
// every match holds. Windows reach win bytes around each start and merge
// when they overlap; a merged window is then cut to trim (how far before
// its first start a match may begin, after its last start end, plus the
// margin; -1: not cut): every match in it holds the literal at one of its
// starts, so the cut loses none, and the windows, merged as before, give
// the same first match. With a lead, the regex runs anchored from the
// places in the window where a match may begin (lead.find).
func findWindows(re *regexp.Regexp, txt string, starts []int, win int, trim [2]int, sr *scanResult, and [][]int, andLits [][]string, factor textgate.Factor, ld *lead) string {
	if len(starts) == 0 {
		return ""
	}
	sort.Ints(starts)
	lo, hi := -1, -1
	first, last := 0, 0 // the first and last start of the window
	try := func() string {
		if lo < 0 {
			return ""
		}
		if b := trim[0]; b >= 0 {
			lo = max(lo, runeStart(txt, first-b-windowMargin))
		}
		if a := trim[1]; a >= 0 {
			hi = min(hi, runeStart(txt, last+a+windowMargin))
		}
		for k, set := range and {
			if set == nil {
				// Not indexed (indexAnd): look in the window.
				if !gateOK(txt[lo:hi], andLits[k]) {
					return ""
				}
				continue
			}
			if !sr.within(set, lo, hi) {
				return ""
			}
		}
		if !factor.In(txt[lo:hi]) {
			return ""
		}
		if ld != nil {
			return ld.find(re, txt, lo, hi)
		}
		return re.FindString(txt[lo:hi])
	}
	for _, p := range starts {
		a, b := runeStart(txt, p-win), runeStart(txt, p+win)
		if lo >= 0 && a <= hi {
			hi, last = b, p
			continue
		}
		if m := try(); m != "" {
			return m
		}
		lo, hi, first, last = a, b, p, p
	}
	return try()
}

// windowMargin is how far beyond a match's reach windows extend, so that
// assertions (\b, ^, $) see the same neighbours as on the whole text.
const windowMargin = 8

// runeStart clamps i into s and moves it back to a rune boundary.
func runeStart(s string, i int) int {
	if i <= 0 {
		return 0
	}
	if i >= len(s) {
		return len(s)
	}
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return i
}

// gateOK reports whether txt holds one of lits (true when there are none).
func gateOK(txt string, lits []string) bool {
	if lits == nil {
		return true
	}
	for _, l := range lits {
		if strings.Contains(txt, l) {
			return true
		}
	}
	return false
}

func (v *view) walletsOf() ([]string, []string) {
	if !v.walletsDone {
		// The addresses of subject + "\n" + body: the line break ends
		// every word and every match of the word test, and no invalid
		// UTF-8 sequence runs across it, so the two texts are searched
		// in turn without joining them.
		b, e := findWallets2(norm1(v.raw["subject"]), norm1(v.raw["body"]))
		if v.wallets == nil {
			v.wallets = &struct{ btc, eth []string }{}
		}
		v.wallets.btc, v.wallets.eth, v.walletsDone = b, e, true
	}
	return v.wallets.btc, v.wallets.eth
}

// norm1 drops invalid UTF-8 and nothing else (no NFKC, no case folding:
// addresses are case-sensitive).
func norm1(s string) string {
	if utf8.ValidString(s) { // ToValidUTF8 would return s, decoding it rune by rune
		return s
	}
	return strings.ToValidUTF8(s, "")
}

func clip(s string) string {
	if len(s) > maxTextBytes {
		s = s[:maxTextBytes]
		for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 {
			s = s[:len(s)-1]
		}
		if len(s) > 0 && s[len(s)-1] >= 0xC0 {
			s = s[:len(s)-1]
		}
	}
	return s
}

// messageFields extracts the matchable fields of a message.
func messageFields(m *mail.Message, urls []mail.URL) map[string]string {
	return someFields(m, func() []mail.URL { return urls }, nil, nil)
}

// someFields extracts the fields in uses (all when uses is nil; subject and
// body always, for the built-in checks): fields no rule looks at are not
// built.
func someFields(m *mail.Message, urls func() []mail.URL, uses map[string]bool, f map[string]string) map[string]string {
	if f == nil {
		f = map[string]string{}
	}
	f["subject"], f["body"] = m.Subject, clip(m.Text)
	want := func(k string) bool { return uses == nil || uses[k] }
	if want("headers") {
		f["headers"] = headerText(m)
	}
	if want("urls") {
		var ub strings.Builder
		for i, u := range urls() {
			if i >= 500 {
				break
			}
			ub.WriteString(u.Raw + "\n")
		}
		f["urls"] = ub.String()
	}
	if len(m.From) > 0 {
		f["from_name"] = m.From[0].Name
		f["from_addr"] = m.From[0].Addr
	}
	if want("attachments") {
		var ab strings.Builder
		for i, p := range m.Attachments {
			if i >= 100 {
				break
			}
			if p.Filename != "" {
				ab.WriteString(p.Filename + "\n")
			}
		}
		f["attachments"] = ab.String()
	}
	if want("raw_body") {
		var raw strings.Builder
		for _, p := range m.TextParts {
			if raw.Len() > maxTextBytes {
				break
			}
			if p.HTML != "" {
				raw.WriteString(p.HTML)
			} else {
				raw.WriteString(p.Text)
			}
		}
		f["raw_body"] = clip(raw.String())
	}
	if uses == nil {
		for _, h := range m.Headers {
			k := "header:" + strings.ToLower(h.Name)
			if _, ok := f[k]; !ok {
				f[k] = h.Value
			}
		}
		return f
	}
	// Only the headers some rule looks at: the first header whose
	// lower-cased name is the field's, found without building a key per
	// header of the message.
	for k := range uses {
		name, ok := strings.CutPrefix(k, "header:")
		if !ok {
			continue
		}
		for _, h := range m.Headers {
			if lowerIs(h.Name, name) {
				f[k] = h.Value
				break
			}
		}
	}
	return f
}

// lowerIs reports whether strings.ToLower(s) == low, without building
// the lower-cased string when s is ASCII. ToLower maps an ASCII prefix of
// s to the same prefix lower-cased, whatever follows: a byte of it that
// differs from low's, or a prefix longer than low, answers at once (most
// names differ from low in their first byte).
func lowerIs(s, low string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s) == low
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if i >= len(low) || c != low[i] {
			return false
		}
	}
	return len(s) == len(low)
}

func headerText(m *mail.Message) string {
	var hb strings.Builder
	for _, h := range m.Headers {
		if hb.Len() > 64<<10 {
			break
		}
		hb.WriteString(h.Name)
		hb.WriteString(": ")
		hb.WriteString(h.Value)
		hb.WriteByte('\n')
	}
	return hb.String()
}

// Hit is a fired rule with its evidence.
type Hit struct {
	Rule     *Rule
	Evidence []string
}

// Evaluate runs the rules over the fields; symbols answers for names in
// meta expressions that are not rules (may be nil).
func (a *Analyzer) Evaluate(ctx context.Context, fieldsText map[string]string, symbols func(string) bool) []Hit {
	if symbols == nil {
		symbols = noSymbols
	}
	st, _ := a.states.Get().(*evalState)
	if st == nil {
		st = a.newEvalState()
	}
	st.v.reset(fieldsText, symbols, a.lits, a.fieldNames)
	st.symbols = symbols
	if len(st.fired) != len(a.nameSlot) {
		st.fired = make([]int8, len(a.nameSlot))
	}
	var hits []Hit
	for _, r := range a.rules {
		if ctx.Err() != nil {
			break
		}
		var ev []string
		ok := false
		if r.cmeta != nil {
			ok = r.cmeta.eval(st.fired, st.symbols)
		} else if r.meta != nil {
			ok = r.meta.eval(st.meta)
		} else {
			ok, ev = r.match(&st.v)
		}
		st.fired[r.slot] = 1
		if ok {
			st.fired[r.slot] = 2
			hits = append(hits, Hit{Rule: r, Evidence: ev})
		}
	}
	st.v.release()
	clear(st.fired)
	st.symbols = nil
	a.states.Put(st)
	return hits
}

func noSymbols(string) bool { return false }

// evalState is what Evaluate needs per message besides the hits: the
// view and whether each rule (name) fired, reused across messages.
type evalState struct {
	v     view
	fired []int8 // by name slot: 0 not evaluated yet, 1 did not fire, 2 fired
	// symbols answers for names that are no rule evaluated yet; meta is
	// the lookup meta expressions evaluate with (made once per state).
	symbols func(string) bool
	meta    func(string) bool
}

func (a *Analyzer) newEvalState() *evalState {
	st := &evalState{}
	st.meta = func(n string) bool {
		if sl, ok := a.nameSlot[n]; ok && st.fired[sl] != 0 {
			return st.fired[sl] == 2
		}
		return st.symbols(n)
	}
	return st
}

// match evaluates a pattern rule.
func (r *Rule) match(v *view) (bool, []string) {
	if !r.mayMatch(v) {
		return false, nil
	}
	var ev []string
	if r.Check != "" {
		btc, eth := v.walletsOf()
		var found []string
		switch r.Check {
		case "btc_address":
			found = btc
		case "eth_address":
			found = eth
		case "crypto_address":
			found = append(append(found, btc...), eth...)
		}
		if len(found) == 0 {
			return false, nil
		}
		ev = append(ev, found...)
		if len(r.regexes)+len(r.keywords) == 0 {
			return true, ev
		}
	}
	need := r.MinMatches
	if need == 0 {
		need = 1
	}
	n := 0
	for i := range r.regexes {
		for _, f := range r.fieldIDs {
			m := ""
			if v.mayFind(r, i, f, false) {
				m = v.findRegex(r, i, f, false)
			}
			if m == "" && r.compact[i] && v.mayFind(r, i, f, true) {
				m = v.findRegex(r, i, f, true)
			}
			if m != "" {
				n++
				if len(ev) < 5 {
					ev = append(ev, m)
				}
				break
			}
		}
		if n >= need {
			return true, ev
		}
	}
	if len(r.keywords) > 0 && !slices.Contains(r.kwCJK, false) && !r.anyCJK(v) {
		// Every keyword holds a CJK character, and no field text one:
		// none can hit (n stays below need).
		return false, nil
	}
	for i, k := range r.keywords {
		for _, f := range r.fieldIDs {
			var hit bool
			switch {
			case r.kwCJK[i] && !v.cjk(f):
				// The keyword holds a CJK character, the text none.
			case r.kwIDs[i] >= 0:
				hit = v.has(f, r.kwCJK[i], r.kwIDs[i])
			default:
				hit = strings.Contains(v.textID(f, r.kwCJK[i]).txt, k)
			}
			if hit {
				n++
				if len(ev) < 5 {
					ev = append(ev, k)
				}
				break
			}
		}
		if n >= need {
			return true, ev
		}
	}
	return false, nil
}

// anyCJK reports whether one of the rule's fields holds a CJK character.
func (r *Rule) anyCJK(v *view) bool {
	for _, f := range r.fieldIDs {
		if v.cjk(f) {
			return true
		}
	}
	return false
}

// head cuts text to maxRegexBytes at a rune boundary.
func head(s string) string {
	if len(s) <= maxRegexBytes {
		return s
	}
	n := maxRegexBytes
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// mayMatch reports whether text holds one of the required literals (true
// when none are known).
func mayMatch(text string, lits []string) bool {
	if lits == nil {
		return true
	}
	for _, l := range lits {
		if strings.Contains(text, l) {
			return true
		}
	}
	return false
}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	st, _ := a.tasks.Get().(*taskState)
	if st == nil {
		st = &taskState{fields: map[string]string{}, seen: map[string]bool{}}
		st.has = func(n string) bool { return st.seen[n] }
	}
	defer func() {
		clear(st.fields)
		clear(st.seen)
		a.tasks.Put(st)
	}()
	f := someFields(t.Msg, t.URLs, a.uses, st.fields)
	// Every other analyzer of the scan but the final stage's has reported
	// (StageMeta runs alone): meta rules read one snapshot of the symbols,
	// not a locked scan of the task's hits per name.
	seen := st.seen
	for _, h := range t.Hits() {
		seen[h.Name] = true
	}
	for _, h := range a.Evaluate(ctx, f, st.has) {
		if h.Rule.Hidden {
			continue
		}
		factor := 1.0
		if d, ok := pipeline.Lookup(h.Rule.Name); ok && d.Weight != h.Rule.Score {
			// A user file overrode a shipped rule's score.
			if d.Weight != 0 {
				factor = h.Rule.Score / d.Weight
			}
		}
		t.AddScaled(h.Rule.Name, factor, h.Evidence...)
	}
	return nil
}
