package config

// QuarantineConfig holds the [quarantine] section. (Owned by the quarantine work; add fields here.)
type QuarantineConfig struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultQuarantine() QuarantineConfig {
	return QuarantineConfig{Enabled: true}
}
