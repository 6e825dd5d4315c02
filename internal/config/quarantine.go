package config

import (
	"fmt"
	"time"
)

// QuarantineConfig holds the [quarantine] section: where held messages and
// the scan history are kept, for how long, and where released mail goes.
type QuarantineConfig struct {
	// Enabled keeps quarantined mail and the scan history. Default true.
	Enabled bool `toml:"enabled"`
	// Driver is "sqlite" (one file under general.data_dir, no server) or
	// "postgres" (set dsn). Default "sqlite".
	Driver string `toml:"driver"`
	// Path of the SQLite file; relative paths are under general.data_dir.
	// Default "quarantine.db".
	Path string `toml:"path"`
	// DSN for PostgreSQL, e.g. "postgres://sekisho:secret@db.example/sekisho".
	// Default empty (required with driver = "postgres").
	DSN string `toml:"dsn"`
	// Retention keeps quarantined messages this long, then deletes them.
	// Default "720h" (30 days).
	Retention Duration `toml:"retention"`
	// History records every scan (delivered mail too) with the original
	// message, so that the console can show and learn from it. Default true.
	History bool `toml:"history"`
	// HistoryRetention keeps history entries this long. Default "168h" (7 days).
	HistoryRetention Duration `toml:"history_retention"`
	// HistoryMaxMessages bounds the history; the oldest entries go first.
	// Default 100000.
	HistoryMaxMessages int `toml:"history_max_messages"`
	// HistoryMaxMessageBytes: larger messages are recorded without their
	// body (verdict and envelope only). Default 10485760 (10 MiB).
	HistoryMaxMessageBytes int `toml:"history_max_message_bytes"`
	// HistoryQueue is how many scans may wait for the history writer; when
	// it is full, scans are not recorded (counted in
	// sekisho_history_dropped_total) rather than slowed down. Default 10000.
	HistoryQueue int `toml:"history_queue"`
	// ExpireInterval is how often expired entries are deleted. Default "10m".
	ExpireInterval Duration `toml:"expire_interval"`
	// ReleaseHost is the next hop that released mail is sent to over SMTP,
	// "host:port" (typically Postfix's re-injection port). Default "127.0.0.1:10026".
	ReleaseHost string `toml:"release_host"`
	// ReleaseHelo is the name sent in EHLO. Default: general.hostname.
	ReleaseHelo string `toml:"release_helo"`
	// ReleaseStartTLS: "opportunistic" (use STARTTLS when offered), "require"
	// or "none". Default "opportunistic".
	ReleaseStartTLS string `toml:"release_starttls"`
	// ReleaseTimeout bounds one release. Default "60s".
	ReleaseTimeout Duration `toml:"release_timeout"`
}

func defaultQuarantine() QuarantineConfig {
	return QuarantineConfig{
		Enabled: true, Driver: "sqlite", Path: "quarantine.db",
		Retention: Duration{720 * time.Hour}, History: true,
		HistoryRetention: Duration{168 * time.Hour}, HistoryMaxMessages: 100000,
		HistoryMaxMessageBytes: 10 << 20, HistoryQueue: 10000,
		ExpireInterval: Duration{10 * time.Minute},
		ReleaseHost:    "127.0.0.1:10026", ReleaseStartTLS: "opportunistic",
		ReleaseTimeout: Duration{60 * time.Second},
	}
}

func init() {
	validators = append(validators, func(c *Config) error {
		q := &c.Quarantine
		switch q.Driver {
		case "sqlite":
			if q.Path == "" {
				return fmt.Errorf("config: quarantine.path must not be empty")
			}
		case "postgres":
			if q.DSN == "" {
				return fmt.Errorf("config: quarantine.driver = \"postgres\" needs quarantine.dsn")
			}
		default:
			return fmt.Errorf("config: quarantine.driver %q: want sqlite or postgres", q.Driver)
		}
		switch q.ReleaseStartTLS {
		case "opportunistic", "require", "none":
		default:
			return fmt.Errorf("config: quarantine.release_starttls %q: want opportunistic, require or none", q.ReleaseStartTLS)
		}
		if q.Retention.Duration <= 0 || q.HistoryRetention.Duration <= 0 {
			return fmt.Errorf("config: quarantine.retention and history_retention must be positive")
		}
		if q.HistoryMaxMessages <= 0 || q.HistoryQueue <= 0 || q.HistoryMaxMessageBytes <= 0 {
			return fmt.Errorf("config: quarantine.history_max_messages, history_queue and history_max_message_bytes must be positive")
		}
		if q.ExpireInterval.Duration < time.Second {
			return fmt.Errorf("config: quarantine.expire_interval must be at least 1s")
		}
		if q.ReleaseTimeout.Duration <= 0 {
			return fmt.Errorf("config: quarantine.release_timeout must be positive")
		}
		return nil
	})
}
