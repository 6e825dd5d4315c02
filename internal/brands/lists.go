package brands

import (
	"bufio"
	_ "embed"
	"strings"
)

// The maintained lists of free webmail / consumer mailbox domains and of
// disposable-address domains (one per line, "#" comments).
var (
	//go:embed data/freemail.txt
	freemailText string
	//go:embed data/disposable.txt
	disposableText string

	freemailSet   = parseList(freemailText)
	disposableSet = parseList(disposableText)
)

func parseList(s string) map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m[strings.ToLower(l)] = true
	}
	return m
}

// InList reports whether domain or one of its parents is in set.
func InList(set map[string]bool, domain string) bool {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	for d != "" {
		if set[d] {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
	}
	return false
}

// Freemail reports whether domain is a free webmail or consumer mailbox
// domain (gmail.com, hotmail.com, yahoo.co.jp, docomo.ne.jp, plala.or.jp ...).
func Freemail(domain string) bool { return InList(freemailSet, domain) }

// Disposable reports whether domain hands out throw-away addresses.
func Disposable(domain string) bool { return InList(disposableSet, domain) }

// FreemailList and DisposableList return copies of the built-in lists.
func FreemailList() map[string]bool   { return copySet(freemailSet) }
func DisposableList() map[string]bool { return copySet(disposableSet) }

func copySet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
