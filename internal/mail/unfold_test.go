package mail

import (
	"strings"
	"testing"
)

// FuzzUnfoldArena: values unfolded into one parser's arena are plain
// unfold's, and stay so while the arena fills and is replaced.
func FuzzUnfoldArena(f *testing.F) {
	f.Add("a\r\n b|c\n\td|plain|\r\r\n\n|x\r\n y\r\n z", 7)
	f.Fuzz(func(t *testing.T, s string, hint int) {
		var p parser
		p.foldHint = hint % 64
		if p.foldHint < 0 {
			p.foldHint = -p.foldHint
		}
		pieces := strings.Split(s, "|")
		got := make([]string, len(pieces))
		for i, v := range pieces {
			got[i] = p.unfold(v)
		}
		for i, v := range pieces {
			if want := unfold(v); got[i] != want {
				t.Fatalf("piece %d %q: %q, want %q", i, v, got[i], want)
			}
		}
	})
}
