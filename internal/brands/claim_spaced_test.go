package brands

import "testing"

func TestJoinSpacedLetters(t *testing.T) {
	for in, want := range map[string]string{
		"A D A C":               "ADAC",
		"E n t r e g a fallida": "Entrega fallida",
		"Plan A or B":           "",
		"x y":                   "",
		"P a y P a l Support":   "PayPal Support",
	} {
		got, ok := JoinSpacedLetters(in)
		if want == "" {
			if ok {
				t.Errorf("%q joined to %q", in, got)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("%q: got %q %v, want %q", in, got, ok, want)
		}
	}
	if bs := Claimed("A D A C"); len(bs) == 0 || bs[0].Name != "ADAC" {
		t.Errorf("spaced ADAC not claimed: %v", bs)
	}
}
