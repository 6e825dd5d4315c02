package lure

import (
	"slices"
	"strings"
	"testing"

	asc "github.com/sekisho/sekisho/internal/ascii"
)

// FuzzMayBeTeam: the one-pass ASCII test answers as the lower-cased
// substring search does.
func FuzzMayBeTeam(f *testing.F) {
	for _, s := range []string{"", "Thanks,\nThe Amazon TEAM", "Equipe Correios", "kundenService", "SERVICE CLIENT", "équipe", "Atendimento", "teaM", "tea", "Service  client", "ſquadra", "事務局"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := mayBeTeam(s), mayBeTeamAny(s); got != want {
			t.Fatalf("mayBeTeam(%q) = %v, want %v", s, got, want)
		}
	})
}

// signOffTextRef is signOffText as it was: the regex on the whole
// sign-off.
func signOffTextRef(text string) string {
	text = signOff(text)
	if !mayBeTeamAny(text) {
		return ""
	}
	var b strings.Builder
	for _, m := range reTeam.FindAllStringSubmatch(text, 4) {
		for _, g := range m[1:] {
			if g != "" {
				b.WriteString(g)
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// FuzzSignOffText: the regex run from the bounds teamsFromASCII gives
// finds what it finds on the whole sign-off.
func FuzzSignOffText(f *testing.F) {
	for _, s := range []string{"Thanks,\nThe Amazon Team", "Equipe Correios", "Ihr Sparkasse-Team\n\n\n", "your   \n\t  Microsoft  -- -  TEAM",
		"a team b team c team d team e team f team", strings.Repeat(" ", 300) + "x team", strings.Repeat("x", 60) + "     Service Client",
		"Équipe X", "team  Apple Support  and team  x", "the best-of-the-best - - team"} {
		f.Add(s, 0)
	}
	words := []string{"team", "Teams", "equipe", "EQUIPO", "squadra", "service client", "Kundenservice", "klantenservice", "atendimento", "your ", "the ", " ", "\n", "-", "Ihr "}
	f.Fuzz(func(t *testing.T, s string, k int) {
		if len(s) > 1000 {
			return
		}
		if k < 0 {
			k = -k
		}
		w := words[k%len(words)]
		at := (k / len(words)) % (len(s) + 1)
		s = s[:at] + w + s[at:]
		if got, want := signOffText(s), signOffTextRef(s); got != want {
			t.Fatalf("signOffText(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestSignOffTextRandom compares signOffText with the whole-text regex
// on random sign-offs built of team words, prefixes, names, white space
// and hyphens.
func TestSignOffTextRandom(t *testing.T) {
	toks := []string{"team", "TEAM", "teams", "Equipe", "equipo", "squadra", "service client", "Kundenservice", "atendimento",
		"your", "The", "ihr", "votre", "l'", " ", "  ", "\n", "\t", "-", " - ", "Amazon", "x", "ab", "Microsoft 365", ".", "&", "0", "é", "!", ",", strings.Repeat("n", 37)}
	seed := uint64(1)
	next := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return int(seed % uint64(n))
	}
	n := 1500
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for k := next(60); k >= 0; k-- {
			b.WriteString(toks[next(len(toks))])
		}
		s := b.String()
		if got, want := signOffText(s), signOffTextRef(s); got != want {
			t.Fatalf("signOffText(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzStyledOrMixed: ASCII text holds no styled or mixed word.
func FuzzStyledOrMixed(f *testing.F) {
	for _, s := range []string{"", "Amazon", "pay\u200bpal", "Lеԁgеr", "𝗟𝗔𝗦𝗧 𝗖𝗛𝗔𝗡𝗖𝗘", "A\x00b\x7fc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := styledOrMixed(s), styledOrMixedAny(s); got != want {
			t.Fatalf("styledOrMixed(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestSignOffTextCorpus compares signOffText with the whole regex on the
// sign-offs of the SA corpus.
func TestSignOffTextCorpus(t *testing.T) {
	for _, c := range corpusMessages(t) {
		if got, want := signOffText(c.m.Text), signOffTextRef(c.m.Text); got != want {
			t.Errorf("%s: signOffText = %q, want %q", c.file, got, want)
		}
	}
}

// BenchmarkSignOffText: a sign-off with a team word early and a long
// tail after its match.
func BenchmarkSignOffText(b *testing.B) {
	s := "Thanks,\nThe Example Team\n\n" + strings.Repeat("Please do not reply to this message; this mailbox is not monitored. ", 5)
	for range b.N {
		signOffText(s)
	}
}

// teamsFromASCIIRef is teamsFromASCII as it was: teamPairAt and
// teamWordAt at every byte.
func teamsFromASCIIRef(text string, out []teamAt) []teamAt {
	for i := 0; i < len(text); i++ {
		if teamPairAt(text, i) && teamWordAt(text, i) {
			out = teamBound(text, i, out)
		}
	}
	return out
}

// FuzzTeamsFromASCII: the pair table and eight-byte loads find the same
// words, in the same order, as the byte loop.
func FuzzTeamsFromASCII(f *testing.F) {
	for _, s := range []string{"", "Thanks,\nThe Amazon TEAM", "Equipe Correios", "kundenService", "SERVICE CLIENT", "Atendimento", "teaM", "tea",
		"tEtEtEtEtEtEtEtEteam", "xxxxxxxteam", "xxxxxxteamxteams", "@`teAm\x00\x7fTe", "SqUaDrA klantenservice team-team"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !asc.Is(s) {
			return
		}
		got, want := teamsFromASCII(s, nil), teamsFromASCIIRef(s, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("teamsFromASCII(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestTeamsFromASCIIEveryOffset puts each ASCII team word, in three
// cases, at every offset of texts of every length up to 24, over
// fillers of letters that open or continue words.
func TestTeamsFromASCIIEveryOffset(t *testing.T) {
	for _, w := range teamWords {
		if !asc.Is(w) {
			continue
		}
		for _, v := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:]} {
			for _, fill := range []string{"x", "t", "e", " ", "-", "T", "@"} {
				for n := 0; n <= 24; n++ {
					for at := 0; at <= n; at++ {
						s := strings.Repeat(fill, at) + v + strings.Repeat(fill, n-at)
						if got, want := teamsFromASCII(s, nil), teamsFromASCIIRef(s, nil); !slices.Equal(got, want) {
							t.Fatalf("teamsFromASCII(%q) = %v, want %v", s, got, want)
						}
					}
				}
			}
		}
	}
}
