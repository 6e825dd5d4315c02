package quarantine

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/sekisho/sekisho/internal/jsonw"
)

var descTexts = []string{
	"The learning classifier finds this message typical of legitimate mail learned here (score scales with its confidence).",
	"学習型分類器が、このメッセージをこれまで学習した正常なメールに典型的だと判断しました(スコアは確信度に比例)。",
	`Quotes " and backslashes \ and <html> & friends, long enough to be kept`,
	"Control \x00\x01\x1f\x7f characters and a line\u2028separator\u2029, long enough",
	"Invalid UTF-8 \xff\xfe and a cut rune \xe3\x81 at the end of a long text \xe3",
	"short",
	strings.Repeat("長い説明", 600), // longer than descMaxLen
}

// TestDescCacheSameBytes: a description is written as jsonw.AppendString
// writes it, the first time (encoded) and the next (from the cache),
// after whatever the buffer already holds.
func TestDescCacheSameBytes(t *testing.T) {
	for _, s := range descTexts {
		want := jsonw.AppendString([]byte("prefix,"), s)
		for range 3 {
			if got := appendDescJSON([]byte("prefix,"), s); string(got) != string(want) {
				t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
			}
		}
	}
}

// TestDescCacheHits: a description met again is not encoded again.
func TestDescCacheHits(t *testing.T) {
	s := strings.Clone(descTexts[1])
	appendDescJSON(nil, s)
	n := descMisses.Load()
	for range 10 {
		appendDescJSON(nil, s)
	}
	if d := descMisses.Load() - n; d != 0 {
		t.Fatalf("%d misses for a text met again", d)
	}
}

// TestDescCacheReusedAddress: a text made over a buffer that is then
// overwritten (the same address and length, other bytes) is encoded for
// what it says now, not served the encoding of what the buffer held.
func TestDescCacheReusedAddress(t *testing.T) {
	buf := []byte(strings.Repeat("a", 40))
	s := unsafe.String(&buf[0], len(buf))
	if got := appendDescJSON(nil, s); string(got) != `"`+strings.Repeat("a", 40)+`"` {
		t.Fatalf("got %s", got)
	}
	copy(buf, strings.Repeat("<", 40))
	want := jsonw.AppendString(nil, s)
	if got := appendDescJSON(nil, s); string(got) != string(want) {
		t.Fatalf("after the buffer changed:\n got %s\nwant %s", got, want)
	}
}

// TestDescCacheConcurrent: scans encode verdicts on many goroutines at
// once (run with -race); texts that share slots replace each other.
func TestDescCacheConcurrent(t *testing.T) {
	texts := append([]string(nil), descTexts...)
	for i := range 3 * descSlots {
		texts = append(texts, fmt.Sprintf("description number %d, with some Japanese: 説明 %d", i, i))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b []byte
			for i := range 20000 {
				s := texts[(i*7+g*13)%len(texts)]
				b = appendDescJSON(b[:0], s)
				if want := jsonw.AppendString(nil, s); string(b) != string(want) {
					t.Errorf("%q: got %s want %s", s, b, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
