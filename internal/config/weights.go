package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// A weights file, as 'sekisho tune' writes it and [policy] weights_file
// loads it:
//
//	# comments: how and on what the weights were fitted
//	[weights]
//	HDR_MISSING_DATE = 0.5
//	URL_SHORTENER = 1.75
//
// Nothing else is allowed in it. Whether each name is a known symbol is
// checked by the policy, which knows the registered symbols.

// ErrWeightsFile is returned (wrapped) when a weights file cannot be used.
var ErrWeightsFile = errors.New("config: weights file")

// maxFileWeight bounds a weight read from a file: larger values are
// mistakes (the reject threshold is 15 by default).
const maxFileWeight = 1000

var weightNameRe = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)

// ParseWeights decodes the text of a weights file; name is used in errors.
// Unknown keys, malformed symbol names and non-finite or absurd weights are
// refused.
func ParseWeights(text, name string) (map[string]float64, error) {
	var f struct {
		Weights map[string]float64 `toml:"weights"`
	}
	md, err := toml.Decode(text, &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w %s: %s", ErrWeightsFile, name, pe.ErrorWithPosition())
		}
		return nil, fmt.Errorf("%w %s: %v", ErrWeightsFile, name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, 0, len(und))
		for _, k := range und {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("%w %s: unknown keys %s (only a [weights] table of SYMBOL = weight)", ErrWeightsFile, name, strings.Join(keys, ", "))
	}
	out := make(map[string]float64, len(f.Weights))
	for sym, w := range f.Weights {
		if !weightNameRe.MatchString(sym) {
			return nil, fmt.Errorf("%w %s: %q is not a symbol name (see 'sekisho symbols')", ErrWeightsFile, name, sym)
		}
		if math.IsNaN(w) || math.IsInf(w, 0) || math.Abs(w) > maxFileWeight {
			return nil, fmt.Errorf("%w %s: %s = %v is not a usable weight", ErrWeightsFile, name, sym, w)
		}
		out[sym] = w
	}
	return out, nil
}

// loadWeightsFile reads [policy] weights_file into Policy.FileWeights.
func loadWeightsFile(c *Config) error {
	c.Policy.FileWeights = nil
	path := c.Policy.WeightsFile
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: policy.weights_file: %w (write one with 'sekisho tune -o FILE')", err)
	}
	w, err := ParseWeights(string(b), path)
	if err != nil {
		return err
	}
	c.Policy.FileWeights = w
	return nil
}

func init() {
	validators = append(validators, loadWeightsFile)
}
