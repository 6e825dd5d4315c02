package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// Corpus returns the unpacked SpamAssassin public corpus
// ($SEKISHO_CORPUS, laid out by scripts/sa-corpus.sh: all/, train/ and
// test/, each with ham/ and spam/). It is an optional input: without it
// the test is skipped with the reason — or fails when RequirePeers (CI,
// where scripts/test.sh must have unpacked it).
func Corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		NoPeer(t, "SpamAssassin corpus: SEKISHO_CORPUS not set (scripts/test.sh unpacks it with scripts/sa-corpus.sh)")
		return ""
	}
	for _, sub := range []string{"all/ham", "all/spam", "train/ham", "train/spam", "test/ham", "test/spam"} {
		if fs, _ := os.ReadDir(filepath.Join(dir, sub)); len(fs) == 0 {
			NoPeer(t, "SpamAssassin corpus: %s/%s missing or empty (unpack it with scripts/sa-corpus.sh %s)", dir, sub, dir)
			return ""
		}
	}
	return dir
}
