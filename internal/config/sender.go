package config

// Sender holds the [sender] section. (Owned by the sender work; add fields here.)
type Sender struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultSender() Sender {
	return Sender{Enabled: true}
}
