package config

import (
	"os"
	"reflect"
	"testing"
)

// The example fragment states every [bayes] key with its default.
func TestBayesExampleIsDefault(t *testing.T) {
	b, err := os.ReadFile("example/10-bayes.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Bayes, defaultBayes()) {
		t.Fatalf("example %+v\ndefault %+v", c.Bayes, defaultBayes())
	}
}

func TestBayesValidation(t *testing.T) {
	for _, bad := range []string{
		"[bayes]\nbackend = \"sql\"\n",
		"[bayes]\nper = \"team\"\n",
		"[bayes]\nmin_learns = 0\n",
		"[bayes]\nmax_features = -1\n",
		"[bayes]\nautolearn = true\nautolearn_ham_score = 20.0\n",
		"[bayes]\nunknown_key = 1\n",
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted: %q", bad)
		}
	}
	if _, err := Parse("[bayes]\nbackend = \"redis\"\nper = \"domain\"\nautolearn = true\n"); err != nil {
		t.Fatal(err)
	}
}
