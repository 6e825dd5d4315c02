// Package lists holds link lists: the embedded reference lists (URL
// shorteners, dynamic-DNS providers, free hosting, throw-away TLDs) and the
// local block and allow lists an administrator keeps in files, reloaded when
// a file changes. The same Index type is the hook for threat feeds: they Add
// entries, the URL analyzer Matches links against them.
//
// List file format: one entry per line; "#" starts a comment.
//
//	example.com                  the domain and all its subdomains
//	=www.example.com             exactly this host
//	https://example.com/phish/   URL prefix (scheme and host lower-cased)
//	*.example.*/login*           glob over host+path ("*" any run, "?" one character)
//	/regexp/                     RE2 regular expression over the whole normalised URL
package lists

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Kind is the kind of a list entry.
type Kind int

// Entry kinds.
const (
	Domain Kind = iota // a domain and its subdomains
	Host               // exactly one host
	Prefix             // URL prefix
	Glob               // glob over host+path
	Regexp             // regular expression over the URL
)

// Entry is one list entry.
type Entry struct {
	Kind   Kind
	Value  string // as given (lower-cased for domains, hosts and prefixes)
	Source string // file:line, feed name ...
	re     *regexp.Regexp
}

// Target is what a link offers for matching.
type Target struct {
	URL  string // normalised URL ("https://host/path?query")
	Host string // lower-case ASCII host
}

// Index is a concurrency-safe set of entries.
type Index struct {
	mu       sync.RWMutex
	domains  map[string]Entry
	hosts    map[string]Entry
	prefixes []Entry
	globs    []Entry
	regexps  []Entry
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{domains: map[string]Entry{}, hosts: map[string]Entry{}}
}

// Limits on one index (a feed gone wild must not eat the memory).
const (
	MaxEntries  = 2_000_000
	MaxPatterns = 20_000 // globs and regexps (matched one by one)
)

// ErrFull is returned when an index holds its maximum of entries.
var ErrFull = fmt.Errorf("lists: index full")

// Add adds one entry written in the list-file syntax.
func (ix *Index) Add(line, source string) error {
	e, err := ParseEntry(line)
	if err != nil {
		return err
	}
	e.Source = source
	return ix.AddEntry(e)
}

// AddEntry adds a parsed entry.
func (ix *Index) AddEntry(e Entry) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(ix.domains)+len(ix.hosts)+len(ix.prefixes)+len(ix.globs)+len(ix.regexps) >= MaxEntries {
		return ErrFull
	}
	switch e.Kind {
	case Domain:
		ix.domains[e.Value] = e
	case Host:
		ix.hosts[e.Value] = e
	case Prefix:
		ix.prefixes = append(ix.prefixes, e)
	case Glob, Regexp:
		if len(ix.globs)+len(ix.regexps) >= MaxPatterns {
			return ErrFull
		}
		if e.Kind == Glob {
			ix.globs = append(ix.globs, e)
		} else {
			ix.regexps = append(ix.regexps, e)
		}
	}
	return nil
}

// Len returns the number of entries.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.domains) + len(ix.hosts) + len(ix.prefixes) + len(ix.globs) + len(ix.regexps)
}

// ParseEntry parses one line of the list syntax (without comments).
func ParseEntry(line string) (Entry, error) {
	s := strings.TrimSpace(line)
	if s == "" {
		return Entry{}, fmt.Errorf("lists: empty entry")
	}
	if len(s) > 2048 {
		return Entry{}, fmt.Errorf("lists: entry too long")
	}
	switch {
	case len(s) > 2 && s[0] == '/' && s[len(s)-1] == '/':
		re, err := regexp.Compile(s[1 : len(s)-1])
		if err != nil {
			return Entry{}, fmt.Errorf("lists: bad regexp %q: %w", s, err)
		}
		return Entry{Kind: Regexp, Value: s, re: re}, nil
	case strings.ContainsAny(s, "*?"):
		v := strings.ToLower(s)
		if i := strings.Index(v, "://"); i >= 0 {
			v = v[i+3:]
		}
		if _, err := path.Match(v, ""); err != nil {
			return Entry{}, fmt.Errorf("lists: bad glob %q: %w", s, err)
		}
		return Entry{Kind: Glob, Value: v}, nil
	case strings.Contains(s, "://"):
		v := s
		i := strings.Index(v, "://")
		rest := v[i+3:]
		j := strings.IndexAny(rest, "/?#")
		if j < 0 {
			j = len(rest)
		}
		v = strings.ToLower(v[:i+3+j]) + rest[j:]
		if j == len(rest) {
			v += "/"
		}
		return Entry{Kind: Prefix, Value: v}, nil
	case s[0] == '=':
		return Entry{Kind: Host, Value: strings.TrimSuffix(strings.ToLower(s[1:]), ".")}, nil
	default:
		v := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(s), "."), ".")
		if strings.ContainsAny(v, " /\t") {
			return Entry{}, fmt.Errorf("lists: bad domain %q", s)
		}
		return Entry{Kind: Domain, Value: v}, nil
	}
}

// Match returns the first entry matching the target.
func (ix *Index) Match(t Target) (Entry, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	h := t.Host
	if e, ok := ix.hosts[h]; ok {
		return e, true
	}
	for d := h; d != ""; {
		if e, ok := ix.domains[d]; ok {
			return e, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	for _, e := range ix.prefixes {
		if strings.HasPrefix(t.URL, e.Value) {
			return e, true
		}
	}
	if len(ix.globs) > 0 {
		hp := t.URL
		if i := strings.Index(hp, "://"); i >= 0 {
			hp = hp[i+3:]
		}
		hp = strings.ToLower(hp)
		for _, e := range ix.globs {
			if globMatch(e.Value, hp) {
				return e, true
			}
		}
	}
	for _, e := range ix.regexps {
		if e.re.MatchString(t.URL) {
			return e, true
		}
	}
	return Entry{}, false
}

// MatchDomain reports whether host or a parent domain is a Domain or Host entry.
func (ix *Index) MatchDomain(host string) (Entry, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if e, ok := ix.hosts[host]; ok {
		return e, true
	}
	for d := host; d != ""; {
		if e, ok := ix.domains[d]; ok {
			return e, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	return Entry{}, false
}

// globMatch matches "*" (any run, also across "/") and "?" (one byte).
// Iterative with backtracking to the last star: linear-ish, no recursion.
func globMatch(p, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && (p[px] == '?' || p[px] == s[sx]):
			px++
			sx++
		case px < len(p) && p[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// LoadReader adds every entry of a list file; bad lines are returned as
// errors (the good ones are kept).
func (ix *Index) LoadReader(data []byte, name string) []error {
	var errs []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if err := ix.Add(line, fmt.Sprintf("%s:%d", name, n)); err != nil {
			if err == ErrFull {
				errs = append(errs, err)
				break
			}
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, n, err))
		}
	}
	return errs
}

// FileList is an Index loaded from files and reloaded when one changes
// (checked at most every Interval, on use: no goroutine to stop).
type FileList struct {
	files    []string
	interval time.Duration
	onErr    func(error)

	mu      sync.Mutex
	ix      *Index
	mtimes  map[string]time.Time
	checked time.Time
}

// NewFileList loads the files now; missing files are reported through
// onErr and retried on the next check.
func NewFileList(files []string, interval time.Duration, onErr func(error)) *FileList {
	if onErr == nil {
		onErr = func(error) {}
	}
	fl := &FileList{files: files, interval: interval, onErr: onErr, ix: NewIndex(), mtimes: map[string]time.Time{}}
	fl.reload(time.Now())
	return fl
}

// Index returns the current index, reloading first when a file changed.
func (fl *FileList) Index() *Index {
	if fl == nil {
		return nil
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	now := time.Now()
	if now.Sub(fl.checked) >= fl.interval {
		fl.checked = now
		if fl.changed() {
			fl.reload(now)
		}
	}
	return fl.ix
}

func (fl *FileList) changed() bool {
	for _, f := range fl.files {
		st, err := os.Stat(f)
		var mt time.Time
		if err == nil {
			mt = st.ModTime()
		}
		if old, ok := fl.mtimes[f]; !ok || !old.Equal(mt) {
			return true
		}
	}
	return false
}

func (fl *FileList) reload(now time.Time) {
	ix := NewIndex()
	for _, f := range fl.files {
		st, err := os.Stat(f)
		if err != nil {
			fl.mtimes[f] = time.Time{}
			fl.onErr(fmt.Errorf("lists: %w", err))
			continue
		}
		fl.mtimes[f] = st.ModTime()
		if st.Size() > 256<<20 {
			fl.onErr(fmt.Errorf("lists: %s: larger than 256 MiB, ignored", f))
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			fl.onErr(fmt.Errorf("lists: %w", err))
			continue
		}
		for _, e := range ix.LoadReader(b, f) {
			fl.onErr(e)
		}
	}
	fl.ix = ix
	fl.checked = now
}

// Feeds is the process-wide index threat feeds add to (FEED_ work); the
// URL analyzer treats a match like a local block-list entry.
var Feeds = NewIndex()

//go:embed data/shorteners.txt
var shortenersTxt []byte

//go:embed data/dyndns.txt
var dyndnsTxt []byte

//go:embed data/freehosting.txt
var freehostingTxt []byte

//go:embed data/tlds.txt
var tldsTxt []byte

// Embedded reference lists.
var (
	Shorteners  = mustLoad(shortenersTxt, "shorteners")
	DynDNS      = mustLoad(dyndnsTxt, "dyndns")
	FreeHosting = mustLoad(freehostingTxt, "freehosting")
	CheapTLDs   = words(tldsTxt)
)

func mustLoad(b []byte, name string) *Index {
	ix := NewIndex()
	if errs := ix.LoadReader(b, name); len(errs) > 0 {
		panic(errs[0])
	}
	return ix
}

func words(b []byte) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && l[0] != '#' {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}
