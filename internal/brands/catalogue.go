package brands

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/BurntSushi/toml"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// The catalogue is data: one TOML file per region under data/, embedded,
// and the administrator's files named by [brands] files in the
// configuration. Each file is a list of [[brand]] tables:
//
//	[[brand]]
//	name = "三井住友カード"          # canonical name, unique
//	kind = "card"                    # family, see kinds
//	sector = "card"                  # finer sector, see sectors (default: kind)
//	country = "jp"                   # ISO 3166 code, "" for global brands
//	global = false                   # owns its name under many ccTLDs
//	group = "smbc"                   # brands of one group own each other's domains
//	names = ["三井住友カード", "SMBCカード", "Vpass"]
//	strict_names = ["Orange"]        # claim only in brand context (see Claimed)
//	context = ["Mobile", "facture"]  # words that make a strict name a claim
//	domains = ["smbc-card.com", "vpass.ne.jp"]
//	word_domains = ["orange.fr"]     # owned, but an ordinary word: no cousin/typo targets
//	keywords = ["smbc-card", "vpass"]
//
// An administrator's [[brand]] whose name is already in the catalogue
// extends that brand (its lists are added, scalar fields given replace
// the built-in ones); disable = true removes it.

//go:embed data/brands-*.toml data/government.toml
var dataFS embed.FS

// ErrCatalogue is returned (wrapped) for a catalogue file that does not
// parse or validate.
var ErrCatalogue = errors.New("brands: catalogue")

// kinds are the families analyzers may look at; sectors are finer.
var (
	kinds = set("tech", "bank", "card", "broker", "crypto", "payment", "shipping", "retail", "telecom",
		"hosting", "webmail", "government", "utility", "transport", "security", "social")
	sectors = set("bank", "card", "broker", "payment", "crypto", "shipping", "post", "government", "tax",
		"police", "telecom", "security", "tech", "social", "retail", "travel", "webmail", "hosting",
		"utility", "transport", "insurance", "points", "media", "health", "automotive")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// entry is one [[brand]] table as written.
type entry struct {
	Name        string   `toml:"name"`
	Kind        string   `toml:"kind"`
	Sector      string   `toml:"sector"`
	Country     string   `toml:"country"`
	Global      *bool    `toml:"global"`
	Group       string   `toml:"group"`
	Names       []string `toml:"names"`
	StrictNames []string `toml:"strict_names"`
	Context     []string `toml:"context"`
	Domains     []string `toml:"domains"`
	WordDomains []string `toml:"word_domains"`
	Keywords    []string `toml:"keywords"`
	Disable     bool     `toml:"disable"`
}

type catalogueFile struct {
	Brand []entry `toml:"brand"`
}

// Catalogue is a validated brand list with its lookup index.
type Catalogue struct {
	brands []Brand
	ix     *index
	// lookalikes remembers MatchLookalike's answers (the same link hosts
	// come back message after message); cleared when full.
	lkMu       sync.Mutex
	lookalikes lookalikeMemo
	// extras remembers the targets of MatchLookalike's extra domains.
	extras map[string][]target
	// claims remembers Claimed's answers for short texts (brand indexes).
	claimMu sync.Mutex
	claims  map[string][]int32
}

// maxLookalikeMemo bounds the remembered MatchLookalike answers.
const maxLookalikeMemo = 8192

// Brands returns the catalogue's brands.
func (c *Catalogue) Brands() []Brand { return c.brands }

var (
	current atomic.Pointer[Catalogue]
	// builtinOnce parses the embedded files once (the tests check that
	// they load, so a failure here is a build defect).
	builtinOnce = sync.OnceValue(func() *Catalogue {
		c, err := load(nil)
		if err != nil {
			panic(err)
		}
		return c
	})
)

// catalogue returns the catalogue in use: the built-in one unless
// Configure or Use installed another.
func catalogue() *Catalogue {
	if c := current.Load(); c != nil {
		return c
	}
	c := builtinOnce()
	current.CompareAndSwap(nil, c)
	return current.Load()
}

// Use installs a catalogue for the package functions (ByDomain, Claimed,
// MatchLookalike, All ...). nil restores the built-in catalogue.
func Use(c *Catalogue) {
	if c == nil {
		c = builtinOnce()
	}
	current.Store(c)
}

// Configure loads the built-in catalogue with the administrator's files
// (glob patterns) and installs it.
func Configure(patterns []string) error {
	c, err := Load(patterns)
	if err != nil {
		return err
	}
	Use(c)
	return nil
}

// Load reads the embedded catalogue and then the files matching the
// patterns, in order (a pattern that matches nothing is no error; a
// plain path that does not exist is).
func Load(patterns []string) (*Catalogue, error) {
	files, err := expand(patterns)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return builtinOnce(), nil
	}
	return load(files)
}

func load(files []string) (*Catalogue, error) {
	var all []entry
	var from []string
	names, _ := dataFS.ReadDir("data")
	for _, n := range names {
		if !strings.HasSuffix(n.Name(), ".toml") {
			continue
		}
		b, err := dataFS.ReadFile("data/" + n.Name())
		if err != nil {
			return nil, err
		}
		es, err := parseFile(b, "builtin:"+n.Name())
		if err != nil {
			return nil, err
		}
		for range es {
			from = append(from, "builtin:"+n.Name())
		}
		all = append(all, es...)
	}
	builtinN := len(all)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCatalogue, err)
		}
		es, err := parseFile(b, f)
		if err != nil {
			return nil, err
		}
		for range es {
			from = append(from, f)
		}
		all = append(all, es...)
	}
	return build(all, from, builtinN)
}

// expand resolves glob patterns to files, sorted within each pattern.
func expand(patterns []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range patterns {
		if strings.TrimSpace(p) == "" {
			continue
		}
		var ms []string
		if strings.ContainsAny(p, "*?[") {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("%w: bad pattern %q: %v", ErrCatalogue, p, err)
			}
			ms = m
		} else {
			if _, err := os.Stat(p); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrCatalogue, err)
			}
			ms = []string{p}
		}
		sort.Strings(ms)
		for _, m := range ms {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// parseFile decodes one file strictly: unknown keys are errors.
func parseFile(b []byte, name string) ([]entry, error) {
	var f catalogueFile
	md, err := toml.Decode(string(b), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: %s: %s", ErrCatalogue, name, pe.ErrorWithPosition())
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrCatalogue, name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, 0, len(und))
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("%w: %s: unknown keys %s (a [[brand]] knows name, kind, sector, country, global, group, names, strict_names, context, domains, word_domains, keywords, disable)",
			ErrCatalogue, name, strings.Join(keys, ", "))
	}
	return f.Brand, nil
}

// build merges the entries (later ones with an existing name extend it),
// validates them and makes the index.
func build(es []entry, from []string, builtinN int) (*Catalogue, error) {
	var list []Brand
	byName := map[string]int{}
	var wordDomains []map[string]bool
	var origin []string
	for i, e := range es {
		where := fmt.Sprintf("%s: brand %q", from[i], e.Name)
		e.Name = strings.TrimSpace(e.Name)
		if e.Name == "" {
			return nil, fmt.Errorf("%w: %s: a [[brand]] has no name", ErrCatalogue, from[i])
		}
		j, exists := byName[e.Name]
		if exists && i < builtinN {
			return nil, fmt.Errorf("%w: %s: defined twice (also in %s)", ErrCatalogue, where, origin[j])
		}
		if e.Disable {
			if !exists {
				return nil, fmt.Errorf("%w: %s: disable names no known brand", ErrCatalogue, where)
			}
			list[j].Name = "" // dropped below
			delete(byName, e.Name)
			continue
		}
		if !exists {
			if e.Kind == "" {
				return nil, fmt.Errorf("%w: %s: kind is missing", ErrCatalogue, where)
			}
			j = len(list)
			byName[e.Name] = j
			list = append(list, Brand{Name: e.Name})
			wordDomains = append(wordDomains, map[string]bool{})
			origin = append(origin, from[i])
		}
		b := &list[j]
		if e.Kind != "" {
			if !kinds[e.Kind] {
				return nil, fmt.Errorf("%w: %s: unknown kind %q", ErrCatalogue, where, e.Kind)
			}
			b.Kind = e.Kind
		}
		if e.Sector != "" {
			if !sectors[e.Sector] {
				return nil, fmt.Errorf("%w: %s: unknown sector %q", ErrCatalogue, where, e.Sector)
			}
			b.Sector = e.Sector
		}
		if e.Country != "" {
			if len(e.Country) != 2 || strings.ToLower(e.Country) != e.Country {
				return nil, fmt.Errorf("%w: %s: country %q is not a lower-case ISO 3166 code", ErrCatalogue, where, e.Country)
			}
			b.Country = e.Country
		}
		if e.Global != nil {
			b.Global = *e.Global
		}
		if e.Group != "" {
			b.Group = e.Group
		}
		for _, n := range e.Names {
			if err := checkName(n); err != nil {
				return nil, fmt.Errorf("%w: %s: names: %v", ErrCatalogue, where, err)
			}
			b.Names = appendNew(b.Names, n)
		}
		for _, n := range e.StrictNames {
			if err := checkName(n); err != nil {
				return nil, fmt.Errorf("%w: %s: strict_names: %v", ErrCatalogue, where, err)
			}
			b.Strict = appendNew(b.Strict, n)
			b.Names = appendNew(b.Names, n)
		}
		for _, c := range e.Context {
			if strings.TrimSpace(c) == "" {
				return nil, fmt.Errorf("%w: %s: context: empty word", ErrCatalogue, where)
			}
			b.Context = appendNew(b.Context, strings.TrimSpace(c))
		}
		for _, d := range append(append([]string(nil), e.Domains...), e.WordDomains...) {
			if err := checkDomain(d); err != nil {
				return nil, fmt.Errorf("%w: %s: domains: %v", ErrCatalogue, where, err)
			}
			b.Domains = appendNew(b.Domains, d)
		}
		for _, d := range e.WordDomains {
			wordDomains[j][d] = true
		}
		for _, k := range e.Keywords {
			if !validKeyword(k) {
				return nil, fmt.Errorf("%w: %s: keyword %q: want lower-case ASCII letters, digits and hyphens, 3 or more", ErrCatalogue, where, k)
			}
			b.Keywords = appendNew(b.Keywords, k)
		}
	}
	// Drop disabled brands, then check what every brand needs.
	kept := list[:0]
	var keptWord []map[string]bool
	var keptOrigin []string
	for j, b := range list {
		if b.Name == "" {
			continue
		}
		kept = append(kept, b)
		keptWord = append(keptWord, wordDomains[j])
		keptOrigin = append(keptOrigin, origin[j])
	}
	list, wordDomains, origin = kept, keptWord, keptOrigin
	owner := map[string]int{}
	nameOwner := map[string]int{}
	for j := range list {
		b := &list[j]
		where := fmt.Sprintf("%s: brand %q", origin[j], b.Name)
		if b.Sector == "" {
			b.Sector = b.Kind
			if !sectors[b.Sector] {
				b.Sector = ""
			}
		}
		if len(b.Domains) == 0 {
			return nil, fmt.Errorf("%w: %s: no domains", ErrCatalogue, where)
		}
		for _, d := range b.Domains {
			if k, dup := owner[d]; dup {
				return nil, fmt.Errorf("%w: %s: domain %s is already %q's (brands of one owner share domains through group)", ErrCatalogue, where, d, list[k].Name)
			}
			owner[d] = j
		}
		for _, n := range append([]string{b.Name}, b.Names...) {
			k := normText(n)
			if o, dup := nameOwner[k]; dup && o != j {
				return nil, fmt.Errorf("%w: %s: name %q is already %q's", ErrCatalogue, where, n, list[o].Name)
			}
			nameOwner[k] = j
		}
		// A domain listed with its parent is redundant.
		for _, d := range b.Domains {
			for _, p := range b.Domains {
				if d != p && strings.HasSuffix(d, "."+p) {
					return nil, fmt.Errorf("%w: %s: domain %s is under %s, listed too", ErrCatalogue, where, d, p)
				}
			}
		}
	}
	// Groups: each brand owns its group's domains too (its own first, so
	// Domains[0] stays its main domain).
	own := make([][]string, len(list))
	groups := map[string][]int{}
	for j, b := range list {
		own[j] = b.Domains
		if b.Group != "" {
			groups[b.Group] = append(groups[b.Group], j)
		}
	}
	for j := range list {
		if list[j].Group == "" {
			continue
		}
		ds := append([]string(nil), own[j]...)
		for _, k := range groups[list[j].Group] {
			if k != j {
				for _, d := range own[k] {
					ds = appendNew(ds, d)
				}
			}
		}
		list[j].Domains = ds
	}
	c := &Catalogue{brands: list}
	c.ix = buildIndex(list, own, wordDomains)
	return c, nil
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func checkName(n string) error {
	t := strings.TrimSpace(n)
	if t == "" || t != n {
		return fmt.Errorf("%q: empty or padded with spaces", n)
	}
	nt := normText(n)
	if len(nt) < 2 {
		return fmt.Errorf("%q: too short to name a brand", n)
	}
	return nil
}

// checkDomain wants a lower-case ASCII (punycode) domain under a public
// suffix: a registrable domain, or a host under one where the registrable
// domain is shared between brands (bk.mufg.jp, jp-bank.japanpost.jp).
func checkDomain(d string) error {
	if d == "" || d != strings.ToLower(strings.TrimSpace(d)) || strings.HasSuffix(d, ".") || strings.HasPrefix(d, ".") {
		return fmt.Errorf("%q: want a lower-case domain without dots at either end", d)
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || a != d {
		return fmt.Errorf("%q: want the ASCII (punycode) form of a valid domain", d)
	}
	ps, icann := publicsuffix.PublicSuffix(d)
	if ps == d {
		return fmt.Errorf("%q is a public suffix, not a domain one owner holds", d)
	}
	if !icann && !strings.Contains(ps, ".") {
		return fmt.Errorf("%q: %q is not a known top-level domain", d, ps)
	}
	return nil
}

func validKeyword(k string) bool {
	if len(k) < 3 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
