package quarantine

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestNewID: 32 lower-case hex characters, the time first (ids made
// later sort after), then random; IDTime reads the time back.
func TestNewID(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 20, 0, 0, 123456789, time.UTC)
	prev := ""
	for i := range 1000 {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		id := newID(at)
		if len(id) != IDLen || strings.ToLower(id) != id {
			t.Fatalf("id %q", id)
		}
		if id <= prev {
			t.Fatalf("%q made after %q sorts before it", id, prev)
		}
		prev = id
		got, ok := IDTime(id)
		if !ok || !got.Equal(at.Truncate(time.Millisecond)) {
			t.Fatalf("IDTime(%q) = %v %v, want %v", id, got, ok, at)
		}
	}
	if a, b := newID(t0), newID(t0); a == b || a[:12] != b[:12] {
		t.Fatalf("same millisecond: %q %q", a, b)
	}
	if id := newID(time.Time{}); id[:12] != "000000000000" {
		t.Fatalf("before 1970: %q", id)
	}
	for _, bad := range []string{"", "0123456789abcdef01234567", strings.Repeat("A", 32), strings.Repeat("0", 31) + "g", strings.Repeat("0", 33)} {
		if _, ok := IDTime(bad); ok {
			t.Errorf("IDTime(%q) ok", bad)
		}
	}
	// A held scan's history id: the same for Record and Hold, the
	// scan's time first.
	s := &Store{}
	r := &pipeline.Result{ID: "abc", Time: t0}
	h := s.historyID(r)
	if h != s.historyID(&pipeline.Result{ID: "abc", Time: t0}) || h == s.historyID(&pipeline.Result{ID: "abd", Time: t0}) {
		t.Fatal("history id not a function of the scan")
	}
	if got, ok := IDTime(h); !ok || !got.Equal(t0.Truncate(time.Millisecond)) {
		t.Fatalf("history id %q: %v %v", h, got, ok)
	}
}

// plainSymbolColumn is symbolColumn written the plain way.
func plainSymbolColumn(syms []pipeline.SymbolResult) (string, []string) {
	var names, odd []string
	for _, s := range syms {
		n := clean(s.Name)
		if n == "" || strings.Contains(n, " ") {
			if !slices.Contains(odd, n) {
				odd = append(odd, n)
			}
			continue
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "", odd
	}
	return " " + strings.Join(names, " ") + " ", odd
}

// FuzzSymbolColumn compares symbolColumn (and hasSymbol's dedupe) with
// the plain computation; names are the fuzz input split at '|'.
func FuzzSymbolColumn(f *testing.F) {
	for _, s := range []string{"", "A", "A|A", "AB|A|B|AB", "A_B|A|B_A|A_B", "X Y|X|Y|X Y", "|A||", "BAYES_SPAM|BAYES|SPAM|BAYES_SPAM_HIGH", "\x00|\xff|a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var syms []pipeline.SymbolResult
		for _, n := range strings.Split(in, "|") {
			syms = append(syms, pipeline.SymbolResult{Name: n})
		}
		col, odd := symbolColumn(syms)
		wcol, wodd := plainSymbolColumn(syms)
		var oddNames []string
		for _, o := range odd {
			oddNames = append(oddNames, o.Name)
		}
		if col != wcol || !slices.Equal(oddNames, wodd) {
			t.Fatalf("%q: got %q %q, want %q %q", in, col, oddNames, wcol, wodd)
		}
		for _, s := range syms {
			n := clean(s.Name)
			if n != "" && !strings.Contains(n, " ") && !hasSymbol([]byte(col), n) {
				t.Fatalf("%q: %q not found in %q", in, n, col)
			}
		}
	})
}

// hasSymbol reports whether a symbols column holds name (as a word
// between spaces).
func hasSymbol(col []byte, name string) bool {
	for i := 0; ; {
		j := bytes.Index(col[i:], []byte(name))
		if j < 0 {
			return false
		}
		j += i
		if col[j-1] == ' ' && j+len(name) < len(col) && col[j+len(name)] == ' ' {
			return true
		}
		i = j + 1
	}
}
