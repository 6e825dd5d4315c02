package url

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldPrefix reports whether s starts with lit (ASCII lower case) as
// (?i) matches it: each rune of s in the case-fold orbit of lit's letter
// (ſ is an s, the Kelvin sign a k). n is the bytes of s consumed.
func foldPrefix(s, lit string) (n int, ok bool) {
	for i := 0; i < len(lit); i++ {
		if n >= len(s) {
			return 0, false
		}
		c := s[n]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lit[i] {
				return 0, false
			}
			n++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[n:])
		if !inFoldOrbit(r, rune(lit[i])) {
			return 0, false
		}
		n += w
	}
	return n, true
}

// inFoldOrbit reports whether r folds to c (unicode.SimpleFold orbit).
func inFoldOrbit(r, c rune) bool {
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return r == c
}

func isRESpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// hasPasswordInput is rePasswordInput.MatchString by a byte scan:
// `(?i)<input[^>]{0,400}type\s*=\s*["']?password`.
func hasPasswordInput(s string) bool {
	checked := 0 // typePassword is false at every position before this
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			return false
		}
		i += j + 1
		k, ok := foldPrefix(s[i:], "input")
		if !ok {
			continue
		}
		p := i + k
		for n := 0; n <= 400; n++ {
			if p >= checked {
				if typePassword(s[p:]) {
					return true
				}
				checked = p + 1
			}
			if p >= len(s) {
				break
			}
			r, w := utf8.DecodeRuneInString(s[p:])
			if r == '>' {
				break
			}
			p += w
		}
	}
	return false
}

// typePassword: `(?i)type\s*=\s*["']?password` at the start of s.
func typePassword(s string) bool {
	n, ok := foldPrefix(s, "type")
	if !ok {
		return false
	}
	for n < len(s) && isRESpace(s[n]) {
		n++
	}
	if n >= len(s) || s[n] != '=' {
		return false
	}
	n++
	for n < len(s) && isRESpace(s[n]) {
		n++
	}
	if n < len(s) && (s[n] == '"' || s[n] == '\'') {
		n++
	}
	_, ok = foldPrefix(s[n:], "password")
	return ok
}

// loginWindow bounds a loginRe match in bytes (TestLoginWindow checks
// it against the pattern).
const loginWindow = 64

// findLogin is loginRe.FindString(text), run only on the windows of text
// around the literals every match holds (loginAnchors): a match contains one,
// so it lies within loginWindow bytes of it. Windows end where a \b
// cannot differ from the whole text's (next to a byte that is no word
// character) and merge when they touch, so every match of the text is a
// match of one window and the other way round; the first window with a
// match holds the leftmost one.
func findLogin(text string) string {
	if strings.Contains(text, "\u212a") || strings.Contains(text, "ſ") {
		// Case folds across byte lengths: the whole text, as before.
		if !mayBeLogin(text) {
			return ""
		}
		return loginRe.FindString(text)
	}
	// ASCII lower case keeps byte offsets; (?i) folds nothing else here.
	low := []byte(text)
	for i, c := range low {
		if c >= 'A' && c <= 'Z' {
			low[i] = c + 'a' - 'A'
		}
	}
	ls := string(low)
	type span struct{ a, b int }
	var spans []span
	tooMany := false
	loginAnchorsAt(ls, func(i, n int) bool {
		spans = append(spans, span{max(0, i-loginWindow), min(len(ls), i+n+loginWindow)})
		tooMany = len(spans) > 4096
		return !tooMany
	})
	if tooMany {
		// A text made of the words: as before.
		return loginRe.FindString(text)
	}
	if len(spans) == 0 {
		return ""
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	// Widen to rune starts next to bytes that are not word characters,
	// then merge.
	for i := range spans {
		for a := spans[i].a; a > 0 && (isWordByte(text[a-1]) || !utf8.RuneStart(text[a])); a-- {
			spans[i].a = a - 1
		}
		for b := spans[i].b; b < len(text) && (isWordByte(text[b]) || !utf8.RuneStart(text[b])); b++ {
			spans[i].b = b + 1
		}
	}
	for i := 0; i < len(spans); {
		a, b := spans[i].a, spans[i].b
		j := i + 1
		for j < len(spans) && spans[j].a <= b {
			b = max(b, spans[j].b)
			j++
		}
		if m := loginRe.FindString(text[a:b]); m != "" {
			return m
		}
		i = j
	}
	return ""
}

// isWordByte: \w of RE2 (ASCII letters, digits, underscore). A byte of a
// multi-byte rune is not one, and cutting there is no \b difference: RE2's
// \b looks at ASCII word characters only.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// asciiLower lower-cases the ASCII letters of s (byte offsets kept).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func containsAny(s string, lits ...string) bool {
	for _, l := range lits {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// The literals one of which a match of reBlob, reRedirect and reAttURL
// holds, lower case: a text lower-cased in ASCII without them cannot
// match (none of their letters is k or s, the letters (?i) folds to a
// non-ASCII rune, but in words that hold another of the literals).
var (
	blobLits     = []string{"blob", "createobjecturl", "atob", "fromcharcode", "uint8array"}
	redirectLits = []string{"http-equiv", "location"}
)

// hasBase64Run is reBase64Blob.MatchString by a byte scan: n bytes of
// [A-Za-z0-9+/] in a row (the class is ASCII: bytes are runes there).
func hasBase64Run(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
