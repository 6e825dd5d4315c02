package config

import (
	"reflect"
	"testing"
)

// TestAttachExamples checks that the [attach] and [clamav] example
// fragments parse strictly and state the defaults.
func TestAttachExamples(t *testing.T) {
	for _, f := range []string{"example/40-attach.toml", "example/41-clamav.toml"} {
		b, err := exampleFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(string(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		d := Default()
		d.finish()
		if !reflect.DeepEqual(c.Attach, d.Attach) && !(len(c.Attach.ExtraPasswords) == 0 && len(d.Attach.ExtraPasswords) == 0 && eqIgnoringNil(c.Attach, d.Attach)) {
			t.Errorf("%s: attach %+v != defaults %+v", f, c.Attach, d.Attach)
		}
		if !reflect.DeepEqual(c.ClamAV, d.ClamAV) {
			t.Errorf("%s: clamav %+v != defaults %+v", f, c.ClamAV, d.ClamAV)
		}
	}
	for _, bad := range []string{"[attach]\nmax_depth = 99", "[clamav]\nfail_safe = \"maybe\"", "[attach]\nnope = 1", "[attach]\nmax_ratio = 1.0"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func eqIgnoringNil(a, b Attach) bool {
	a.ExtraPasswords, b.ExtraPasswords = nil, nil
	return reflect.DeepEqual(a, b)
}
