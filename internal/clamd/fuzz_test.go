package clamd_test

import (
	"testing"

	"github.com/sekisho/sekisho/internal/clamd"
)

// FuzzReply: clamd's replies carry names from the scanned file.
func FuzzReply(f *testing.F) {
	for _, s := range []string{"stream: OK", "stream: Eicar-Signature FOUND", "stream: Heuristics.Limits.Exceeded FOUND", "INSTREAM size limit exceeded. ERROR", "", "stream: : FOUND FOUND"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { clamd.Reply(s) })
}
