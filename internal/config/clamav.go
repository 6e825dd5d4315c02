package config

// ClamAV holds the [clamav] section. (Owned by the clamav work; add fields here.)
type ClamAV struct {
	// Enabled turns the feature on. Default false (clamd is optional).
	Enabled bool `toml:"enabled"`
}

func defaultClamAV() ClamAV {
	return ClamAV{Enabled: false}
}
