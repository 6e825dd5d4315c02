package config

// Web holds the [web] section. (Owned by the web work; add fields here.)
type Web struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultWeb() Web {
	return Web{Enabled: true}
}
