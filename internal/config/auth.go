package config

// Auth holds the [auth] section. (Owned by the auth work; add fields here.)
type Auth struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultAuth() Auth {
	return Auth{Enabled: true}
}
