package config

// Serve holds the [serve] section. (Owned by the serve work; add fields here.)
type Serve struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultServe() Serve {
	return Serve{Enabled: true}
}
