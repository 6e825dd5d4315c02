package config

import (
	"fmt"
	"time"
)

// Bayes holds the [bayes] section: the learning statistical classifier.
type Bayes struct {
	// Enabled turns the classifier on. Default true.
	Enabled bool `toml:"enabled"`
	// Backend is where learned state lives: "file" (one file under
	// general.data_dir, no server) or "redis" (shared by several
	// instances). Default "file".
	Backend string `toml:"backend"`
	// File is the store file name, relative to general.data_dir unless
	// absolute. Default "bayes.db".
	File string `toml:"file"`
	// RedisURL is the Redis server for backend "redis"
	// (redis://[:password@]host:port/db). Default "redis://127.0.0.1:6379/0".
	RedisURL string `toml:"redis_url"`
	// RedisPrefix prefixes every Redis key. Default "sekisho:bayes:".
	RedisPrefix string `toml:"redis_prefix"`
	// Per keeps separate learned classes per recipient "domain" or "user"
	// besides the global one ("" = global only). A class votes once it has
	// min_learns of each kind; until then the global class decides.
	// Default "".
	Per string `toml:"per"`
	// MinLearns is how many spam and how many ham messages a class must
	// have learned before it votes. Default 200.
	MinLearns int `toml:"min_learns"`
	// Bigrams adds orthogonal sparse bigrams (word pairs within a window
	// of 5) to single words. Default true.
	Bigrams bool `toml:"bigrams"`
	// CharGrams adds hashed character n-grams of this length over the
	// subject and the first 3,000 characters of the text (they catch
	// spellings words miss: obfuscations, inflections, unsegmented
	// scripts). 0 turns them off. Default 0: on the SpamAssassin corpus they
	// raised the cross-validated AUC a little (0.99885 to 0.99911) but not the
	// trained eval, for 40 % more CPU per message.
	CharGrams int `toml:"char_grams"`
	// MaxFeatures bounds the file store (distinct features); beyond it,
	// features seen only once are dropped when the file is written.
	// 0 = unbounded. Default 5000000.
	MaxFeatures int `toml:"max_features"`
	// SyncInterval is how often the file store is written when it has
	// changed (and other writers' learning is merged). Default "1m".
	SyncInterval Duration `toml:"sync_interval"`
	// Autolearn learns mail the other checks are sure about. Default false.
	Autolearn bool `toml:"autolearn"`
	// AutolearnSpamScore: learn as spam at or above this score, counted
	// without the classifier's own symbols. Default 12.
	AutolearnSpamScore float64 `toml:"autolearn_spam_score"`
	// AutolearnHamScore: learn as ham at or below this score (without the
	// classifier's symbols). Default -1.
	AutolearnHamScore float64 `toml:"autolearn_ham_score"`
}

func defaultBayes() Bayes {
	return Bayes{
		Enabled: true, Backend: "file", File: "bayes.db",
		RedisURL: "redis://127.0.0.1:6379/0", RedisPrefix: "sekisho:bayes:",
		MinLearns: 200, Bigrams: true, MaxFeatures: 5000000,
		SyncInterval:       Duration{time.Minute},
		AutolearnSpamScore: 12, AutolearnHamScore: -1,
	}
}

func init() {
	validators = append(validators, func(c *Config) error {
		b := c.Bayes
		switch b.Backend {
		case "file", "redis":
		default:
			return fmt.Errorf("bayes.backend: %q is not file or redis", b.Backend)
		}
		switch b.Per {
		case "", "domain", "user":
		default:
			return fmt.Errorf("bayes.per: %q is not \"\", domain or user", b.Per)
		}
		if b.CharGrams < 0 || b.CharGrams > 8 {
			return fmt.Errorf("bayes.char_grams: %d is not between 0 and 8", b.CharGrams)
		}
		if b.MinLearns < 1 {
			return fmt.Errorf("bayes.min_learns: must be at least 1")
		}
		if b.MaxFeatures < 0 {
			return fmt.Errorf("bayes.max_features: must not be negative")
		}
		if b.Autolearn && b.AutolearnHamScore >= b.AutolearnSpamScore {
			return fmt.Errorf("bayes.autolearn_ham_score must be below autolearn_spam_score")
		}
		return nil
	})
}
