package lure

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/brands"
)

// joinSpacedMain is what checkText asked on main: the words joined by
// single spaces, then brands.JoinSpacedLetters.
func joinSpacedMain(s string) (string, bool) {
	return brands.JoinSpacedLetters(strings.Join(strings.Fields(s), " "))
}

var spacedSeeds = []string{"", "P a y P a l", "A D A C team", "a b", "a  b\tc", "x y z\u3000w", "é ß ü", "1 2 3", "a b 1 c d",
	"\xff a b c", "a\u00a0b c d", "Re: a b c", "ab cd ef", " a b c ", "ア イ ウ"}

// FuzzJoinSpacedWordsMain: joinSpacedWords answers as main's join did
// (ok, and the joined text when ok).
func FuzzJoinSpacedWordsMain(f *testing.F) {
	for _, s := range spacedSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		j, ok := joinSpacedWords(s)
		wj, wok := joinSpacedMain(s)
		if ok != wok || ok && j != wj {
			t.Fatalf("joinSpacedWords(%q) = %q, %v; main %q, %v", s, j, ok, wj, wok)
		}
	})
}

func TestJoinSpacedWordsSeeds(t *testing.T) {
	for _, s := range spacedSeeds {
		j, ok := joinSpacedWords(s)
		wj, wok := joinSpacedMain(s)
		if ok != wok || ok && j != wj {
			t.Fatalf("joinSpacedWords(%q) = %q, %v; main %q, %v", s, j, ok, wj, wok)
		}
	}
}
