package config

// Rules holds the [rules] section. (Owned by the rules work; add fields here.)
type Rules struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultRules() Rules {
	return Rules{Enabled: true}
}
