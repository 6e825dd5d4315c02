package config

import (
	"fmt"
	"strings"
	"time"
)

// ClamAV holds the [clamav] section: an optional clamd scanner reached
// over its INSTREAM protocol (docs/attachments.md).
type ClamAV struct {
	// Enabled turns the feature on. Default false (clamd is optional).
	Enabled bool `toml:"enabled"`
	// Address of clamd: "unix:/path/to/clamd.ctl", "/path/to/socket" or
	// "tcp:host:port" / "host:port". Default "unix:/run/clamav/clamd.ctl".
	Address string `toml:"address"`
	// Timeout for one clamd conversation (connect, send, verdict). Default "20s".
	Timeout Duration `toml:"timeout"`
	// MaxSize is the most bytes sent to clamd per object; keep it at or
	// below clamd's StreamMaxLength. Default 26214400 (25 MiB).
	MaxSize int64 `toml:"max_size"`
	// ChunkSize is the INSTREAM chunk size in bytes. Default 65536.
	ChunkSize int `toml:"chunk_size"`
	// FailSafe says what a clamd failure does: "tempfail" (answer "try
	// again later") or "pass" (scan on without it; AV_UNAVAILABLE is added).
	// Default "tempfail".
	FailSafe string `toml:"fail_safe"`
	// ScanDecrypted also sends files that sekisho opened from
	// password-protected archives (clamd cannot open those). Default true.
	ScanDecrypted bool `toml:"scan_decrypted"`
}

func defaultClamAV() ClamAV {
	return ClamAV{
		Enabled: false, Address: "unix:/run/clamav/clamd.ctl", Timeout: Duration{20 * time.Second},
		MaxSize: 25 << 20, ChunkSize: 64 << 10, FailSafe: "tempfail", ScanDecrypted: true,
	}
}

func init() {
	validators = append(validators, func(c *Config) error {
		v := c.ClamAV
		switch v.FailSafe {
		case "tempfail", "pass":
		default:
			return fmt.Errorf("config: clamav.fail_safe %q: want tempfail or pass", v.FailSafe)
		}
		if v.Enabled && strings.TrimSpace(v.Address) == "" {
			return fmt.Errorf("config: clamav.address is empty")
		}
		if v.ChunkSize < 1024 || v.ChunkSize > 1<<24 {
			return fmt.Errorf("config: clamav.chunk_size %d: want 1024..16777216", v.ChunkSize)
		}
		if v.MaxSize < 1024 {
			return fmt.Errorf("config: clamav.max_size %d: want >= 1024", v.MaxSize)
		}
		if v.Timeout.Duration <= 0 {
			return fmt.Errorf("config: clamav.timeout must be positive")
		}
		return nil
	})
}
