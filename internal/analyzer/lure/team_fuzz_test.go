package lure

import "testing"

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
