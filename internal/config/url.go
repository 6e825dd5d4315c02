package config

// URL holds the [url] section. (Owned by the url work; add fields here.)
type URL struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultURL() URL {
	return URL{Enabled: true}
}
