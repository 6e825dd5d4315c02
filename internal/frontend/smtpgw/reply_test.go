package smtpgw

import "testing"

// TestRelayedText: the gateway's 250 carries one enhanced code, not the
// next hop's too ("250 2.0.0 Ok: 2.0.0 Ok: queued as …" was the bug).
func TestRelayedText(t *testing.T) {
	for in, want := range map[string]string{
		"2.0.0 Ok: queued as 4dN3xS0QZlz9sBq":  "Ok: queued as 4dN3xS0QZlz9sBq",
		"Ok: queued as ABC":                    "Ok: queued as ABC",
		"2.6.0 <x@y> Queued mail for delivery": "Ok: <x@y> Queued mail for delivery",
		"":                                     "Ok",
		"2.0.0":                                "Ok",
		"OK id=1abc":                           "OK id=1abc",
		"2.0.0 Ok\r\n  queued":                 "Ok    queued",
	} {
		if got := relayedText(in); got != want {
			t.Errorf("relayedText(%q) = %q, want %q", in, got, want)
		}
	}
}
