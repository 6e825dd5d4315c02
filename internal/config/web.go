package config

import (
	"fmt"
	"time"
)

// Web holds the [web] section: the console served by `sekisho serve` on the
// console port (127.0.0.1:11334 by default).
type Web struct {
	// Enabled serves the console. Default true.
	Enabled bool `toml:"enabled"`
	// SessionLifetime is how long a sign-in lasts without activity.
	// Default "12h".
	SessionLifetime Duration `toml:"session_lifetime"`
	// SecureCookies marks cookies Secure: "auto" (when the request came over
	// TLS or X-Forwarded-Proto says https from a loopback proxy), "always"
	// (behind a TLS proxy) or "never". Default "auto".
	SecureCookies string `toml:"secure_cookies"`
	// LoginAttempts failed sign-ins for one user from one client address
	// per LoginWindow before further tries of that pair are refused (an
	// address is refused after 4× this many for all users). The account
	// itself is never locked: past this many failures from anywhere, each
	// try for it waits 250 ms, doubling, at most 4 s. Default 10.
	LoginAttempts int `toml:"login_attempts"`
	// LoginWindow: see LoginAttempts. Default "15m".
	LoginWindow Duration `toml:"login_window"`
	// MetricsToken, when set, is required as "Authorization: Bearer TOKEN"
	// on /metrics. Default empty: /metrics is open (the console listens on
	// loopback by default).
	MetricsToken string `toml:"metrics_token"`
	// APIKeys, when set, are required as "Authorization: Bearer KEY" (or
	// the Rspamd "Password: KEY" header) on the JSON API (/api/v1/...) and
	// on learning (/learnspam, /learnham), on the console and Rspamd
	// ports. Keep them out of shared files: "file:/path" reads one key per
	// line from a file. Default empty (loopback listeners; browsers are
	// kept out by the Origin check in any case).
	APIKeys []string `toml:"api_keys"`
	// AdminUser is the account created (with a random password printed once
	// to stderr) when no account exists. Default "admin".
	AdminUser string `toml:"admin_user"`
	// RecipientRelease lets recipient accounts release their own
	// quarantined mail (never mail categorised as malware). Default true.
	RecipientRelease bool `toml:"recipient_release"`
	// DefaultLanguage when the browser states no preference: "en" or "ja".
	// Default "en".
	DefaultLanguage string `toml:"default_language"`
	// TLSCert is a PEM certificate file (with its chain) for the console
	// port: when set with TLSKey, the console (and the Rspamd controller
	// paths on it) serve HTTPS only. Both files are read again on SIGHUP
	// and `sekisho reload`, so a renewed certificate needs no restart.
	// Relative paths are under general.data_dir. Default empty: plain HTTP
	// (the console listens on loopback by default).
	TLSCert string `toml:"tls_cert"`
	// TLSKey is the PEM private key file of TLSCert. Default empty.
	TLSKey string `toml:"tls_key"`
	// AllowedHosts are more names (Host header) the console and the HTTP
	// front ends answer to, besides IP literals, localhost,
	// general.hostname, the listen addresses and digest.base_url's host:
	// requests for any other name are refused with 421 (DNS rebinding).
	// "*.example.jp" allows the names under example.jp; "*" turns the
	// check off. Default [].
	AllowedHosts []string `toml:"allowed_hosts"`
	// MaxFormBytes bounds one request body of the console's own pages
	// (sign-in, release, learn, settings...): larger ones are refused
	// with 413 before they are read; the bytes count in [serve]
	// max_bytes_in_flight (503 when full). Default 1048576 (1 MiB).
	MaxFormBytes int64 `toml:"max_form_bytes"`
}

func defaultWeb() Web {
	return Web{
		Enabled: true, SessionLifetime: Duration{12 * time.Hour}, SecureCookies: "auto",
		LoginAttempts: 10, LoginWindow: Duration{15 * time.Minute}, AdminUser: "admin",
		RecipientRelease: true, DefaultLanguage: "en", APIKeys: []string{},
		AllowedHosts: []string{}, MaxFormBytes: 1 << 20,
	}
}

func init() {
	validators = append(validators, func(c *Config) error {
		w := &c.Web
		switch w.SecureCookies {
		case "auto", "always", "never":
		default:
			return fmt.Errorf("config: web.secure_cookies %q: want auto, always or never", w.SecureCookies)
		}
		switch w.DefaultLanguage {
		case "en", "ja":
		default:
			return fmt.Errorf("config: web.default_language %q: want en or ja", w.DefaultLanguage)
		}
		if w.MaxFormBytes < 4096 {
			return fmt.Errorf("config: web.max_form_bytes %d: want at least 4096", w.MaxFormBytes)
		}
		if w.SessionLifetime.Duration < time.Minute {
			return fmt.Errorf("config: web.session_lifetime must be at least 1m")
		}
		if w.LoginAttempts <= 0 || w.LoginWindow.Duration <= 0 {
			return fmt.Errorf("config: web.login_attempts and login_window must be positive")
		}
		if (w.TLSCert == "") != (w.TLSKey == "") {
			return fmt.Errorf("config: web.tls_cert and web.tls_key must be set together")
		}
		if w.AdminUser == "" {
			return fmt.Errorf("config: web.admin_user must not be empty")
		}
		return nil
	})
}
