package config

import "fmt"

// Rules holds the [rules] section: the declarative content rules.
type Rules struct {
	// Enabled turns the content rules on. Default true.
	Enabled bool `toml:"enabled"`
	// Shipped loads the rule sets built into sekisho (phishing, lures, BEC,
	// sextortion, advance-fee fraud, spam, event lures). Default true.
	Shipped bool `toml:"shipped"`
	// Files are the administrator's rule files (globs allowed), read at
	// start; a rule with the name of a shipped rule replaces it. Default none.
	Files []string `toml:"files"`
	// Disable lists rules that are not evaluated. Default none.
	Disable []string `toml:"disable"`
}

func defaultRules() Rules {
	return Rules{Enabled: true, Shipped: true}
}

func init() {
	validators = append(validators, func(c *Config) error {
		for _, d := range c.Rules.Disable {
			if len(d) < 6 || d[:5] != "RULE_" {
				return fmt.Errorf("config: rules.disable: %q is not a RULE_ name", d)
			}
		}
		return nil
	})
}
