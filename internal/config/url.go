package config

import (
	"fmt"
	"time"
)

// URL holds the [url] section: link checks, QR codes and local lists.
type URL struct {
	// Enabled turns the link checks on. Default true.
	Enabled bool `toml:"enabled"`
	// QR decodes QR codes in image parts and image attachments. Default true.
	QR bool `toml:"qr"`
	// QRMaxImages is how many images per message are decoded. Default 10.
	QRMaxImages int `toml:"qr_max_images"`
	// QRMaxPixels bounds width × height of a decoded image. Default 8000000.
	QRMaxPixels int `toml:"qr_max_pixels"`
	// QRMaxBytes bounds the encoded size of a decoded image. Default 10485760 (10 MiB).
	QRMaxBytes int `toml:"qr_max_bytes"`
	// QRTimeout bounds the decode of one image. Default "2s".
	QRTimeout Duration `toml:"qr_timeout"`
	// MaxLinks is how many distinct links per message are checked. Default 500.
	MaxLinks int `toml:"max_links"`
	// BlockLists are files of domains, URLs, globs and /regexps/ whose links
	// are flagged (URL_BLOCKLISTED). Default none.
	BlockLists []string `toml:"block_lists"`
	// AllowLists are files in the same format whose links are exempt from the
	// link checks. Default none.
	AllowLists []string `toml:"allow_lists"`
	// ReloadInterval is how often list files are checked for changes. Default "30s".
	ReloadInterval Duration `toml:"reload_interval"`
	// Shorteners, DynDNS and FreeHosting add domains to the embedded lists.
	Shorteners  []string `toml:"shorteners"`
	DynDNS      []string `toml:"dyndns"`
	FreeHosting []string `toml:"free_hosting"`
	// ProtectedDomains are partner or product domains protected from
	// lookalikes besides general.domains. Default none.
	ProtectedDomains []string `toml:"protected_domains"`
}

func defaultURL() URL {
	return URL{
		Enabled: true, QR: true, QRMaxImages: 10, QRMaxPixels: 8_000_000, QRMaxBytes: 10 << 20,
		QRTimeout: Duration{2 * time.Second}, MaxLinks: 500, ReloadInterval: Duration{30 * time.Second},
	}
}

func init() {
	validators = append(validators, func(c *Config) error {
		u := c.URL
		if u.QRMaxImages < 0 || u.QRMaxPixels < 0 || u.QRMaxBytes < 0 || u.MaxLinks < 0 {
			return fmt.Errorf("config: url: limits must not be negative")
		}
		if u.QRTimeout.Duration < 0 || u.ReloadInterval.Duration < 0 {
			return fmt.Errorf("config: url: durations must not be negative")
		}
		return nil
	})
}
