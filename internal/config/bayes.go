package config

// Bayes holds the [bayes] section. (Owned by the bayes work; add fields here.)
type Bayes struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
}

func defaultBayes() Bayes {
	return Bayes{Enabled: true}
}
