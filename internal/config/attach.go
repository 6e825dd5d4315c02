package config

// Attach holds the [attach] section. (Owned by the attach work; add fields here.)
type Attach struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultAttach() Attach {
	return Attach{Enabled: true}
}
