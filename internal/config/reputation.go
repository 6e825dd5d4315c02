package config

import (
	"fmt"
	"strings"
	"time"
)

// Reputation holds the [reputation] section: learned reputation of
// senders, domains, networks and link domains (docs/reputation.md).
type Reputation struct {
	// Enabled turns the feature on. Default false: turn it on where
	// sekisho sees live mail (reputation is learned from live verdicts
	// and feedback, never from scan or eval).
	Enabled bool `toml:"enabled"`
	// Redis, when set, keeps the state in Redis so that several sekisho
	// instances share it (redis://[:password@]host:port/db). Default "":
	// an SQLite file under general.data_dir.
	Redis string `toml:"redis"`
	// RedisPrefix prefixes every Redis key. Default "sekisho:rep:".
	RedisPrefix string `toml:"redis_prefix"`
	// HalfLife is the time after which an observation counts half.
	// Default "720h" (30 days).
	HalfLife Duration `toml:"half_life"`
	// MinEvidence is the weighted number of observations at which a
	// symbol reaches its full score; fewer give a proportionally smaller
	// score, and fewer than 3 none. Default 20.
	MinEvidence float64 `toml:"min_evidence"`
	// FeedbackWeight is how many verdicts one piece of feedback (learn,
	// release, user report) counts as. Default 5.
	FeedbackWeight float64 `toml:"feedback_weight"`
	// SprayRecipients: a sender domain first seen less than spray_window
	// ago that has already written to this many recipients (this message
	// included) gets REP_NEW_DOMAIN_SPRAY. Default 50.
	SprayRecipients int `toml:"spray_recipients"`
	// SprayWindow is how long a domain counts as new. Default "24h".
	SprayWindow Duration `toml:"spray_window"`
}

func defaultReputation() Reputation {
	return Reputation{RedisPrefix: "sekisho:rep:", HalfLife: Duration{720 * time.Hour}, MinEvidence: 20,
		FeedbackWeight: 5, SprayRecipients: 50, SprayWindow: Duration{24 * time.Hour}}
}

// Fuzzy holds the [fuzzy] section: campaign fuzzy hashes (docs/fuzzy.md).
type Fuzzy struct {
	// Enabled turns the feature on. Default false.
	Enabled bool `toml:"enabled"`
	// Redis, when set, keeps the hashes in Redis so that several sekisho
	// instances share them. Default "": an SQLite file under
	// general.data_dir (bulk counters in memory).
	Redis string `toml:"redis"`
	// RedisPrefix prefixes every Redis key. Default "sekisho:fuzzy:".
	RedisPrefix string `toml:"redis_prefix"`
	// Threshold is the estimated similarity (Jaccard, 0..1) of a message
	// to a campaign's learned copy at which it belongs to the campaign.
	// Default 0.5.
	Threshold float64 `toml:"threshold"`
	// HeldToKnown: a campaign whose copies the policy held this many
	// times counts as known spam without being learned. 0 = only learned
	// and reported copies make a campaign known. Default 5.
	HeldToKnown int `toml:"held_to_known"`
	// BulkCopies: FUZZY_BULK fires when this many copies (this one
	// included) were seen in the last hour. Default 20.
	BulkCopies int `toml:"bulk_copies"`
	// RetentionDays: campaigns not seen for this long are forgotten. Default 30.
	RetentionDays int `toml:"retention_days"`
}

func defaultFuzzy() Fuzzy {
	return Fuzzy{RedisPrefix: "sekisho:fuzzy:", Threshold: 0.5, HeldToKnown: 5, BulkCopies: 20, RetentionDays: 30}
}

func init() {
	validators = append(validators, func(c *Config) error {
		r := c.Reputation
		if r.Redis != "" && !strings.HasPrefix(r.Redis, "redis://") && !strings.HasPrefix(r.Redis, "rediss://") && !strings.HasPrefix(r.Redis, "unix://") {
			return fmt.Errorf("config: reputation.redis: want a redis:// URL")
		}
		if r.HalfLife.Duration < time.Hour {
			return fmt.Errorf("config: reputation.half_life: at least 1h")
		}
		if r.MinEvidence < 3 || r.FeedbackWeight < 0 || r.SprayRecipients < 1 || r.SprayWindow.Duration <= 0 {
			return fmt.Errorf("config: reputation: min_evidence >= 3, feedback_weight >= 0, spray_recipients >= 1, spray_window > 0")
		}
		f := c.Fuzzy
		if f.Redis != "" && !strings.HasPrefix(f.Redis, "redis://") && !strings.HasPrefix(f.Redis, "rediss://") && !strings.HasPrefix(f.Redis, "unix://") {
			return fmt.Errorf("config: fuzzy.redis: want a redis:// URL")
		}
		if f.Threshold < 0.2 || f.Threshold > 1 {
			return fmt.Errorf("config: fuzzy.threshold: between 0.2 and 1")
		}
		if f.HeldToKnown < 0 || f.BulkCopies < 2 || f.RetentionDays < 1 {
			return fmt.Errorf("config: fuzzy: held_to_known >= 0, bulk_copies >= 2, retention_days >= 1")
		}
		return nil
	})
}
