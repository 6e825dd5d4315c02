package content

import "testing"

func TestNormalizeFoldsMixedWords(t *testing.T) {
	for in, want := range map[string]string{
		"Vеrify your pаssword": "verify your password", // Cyrillic е, а
		"Ρaypal account":       "paypal account",       // Greek capital Rho
		"Привет, мир":          "привет, мир",          // Russian stays Russian
		"Ελληνικά κείμενα":     "ελληνικά κείμενα",
		"café crème":           "café crème",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFoldMixedWords(f *testing.F) {
	f.Add("Vеrify your pаssword")
	f.Add("Привет Hello")
	f.Fuzz(func(t *testing.T, s string) {
		_ = foldMixedWords(Normalize(s))
	})
}
