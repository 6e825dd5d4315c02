package config

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Report holds the [report] section: the report-phish intake (see
// docs/remediate.md). Mail to Address through the milter or the SMTP
// gateway is taken out of the mail flow, re-scanned and triaged, and the
// reporter gets a short answer.
type Report struct {
	// Address receives reports ("phish-report@example.jp"). Default ""
	// (intake off; the console's Report button still works).
	Address string `toml:"address"`
	// Learn teaches the classifier spam when a report is confirmed bad.
	// Default true.
	Learn bool `toml:"learn"`
	// Remediate starts a remediation run over every delivered copy of a
	// confirmed report ([remediate] must be enabled). Default true.
	Remediate bool `toml:"remediate"`
	// RemediateDryRun records what the run would do without touching a
	// mailbox (an administrator applies it). Default true.
	RemediateDryRun bool `toml:"remediate_dry_run"`
	// Answer mails the reporter the outcome. Default true.
	Answer bool `toml:"answer"`
	// SMTPHost sends the answers, "host:port". Default "" (quarantine.release_host).
	SMTPHost string `toml:"smtp_host"`
	// DefaultLanguage of answers when the report states none: "en" or
	// "ja". Default "" (web.default_language).
	DefaultLanguage string `toml:"default_language"`
	// MaxQueue bounds the reports waiting for triage. The queue is kept
	// in the quarantine database (reports survive a stop and are triaged
	// on the next start); past the bound, mail to Address is answered
	// 451 (try again later) instead of being taken. Default 256.
	MaxQueue int `toml:"max_queue"`
}

func defaultReport() Report {
	return Report{Learn: true, Remediate: true, RemediateDryRun: true, Answer: true, MaxQueue: 256}
}

// Digest holds the [digest] section: a scheduled mail per recipient
// listing their held mail with signed one-click links (see
// docs/console.md).
type Digest struct {
	// Enabled sends digests from `sekisho serve` every Interval. Default false
	// ('sekisho digest send' works either way).
	Enabled bool `toml:"enabled"`
	// Interval between digests. Default "24h".
	Interval Duration `toml:"interval"`
	// LinkLifetime is how long a digest link works. Default "72h".
	LinkLifetime Duration `toml:"link_lifetime"`
	// BaseURL is the console's address as recipients reach it, used in the
	// links ("https://sekisho.example.jp"). Default "" (required to send).
	BaseURL string `toml:"base_url"`
	// From of the digest mail. Default "" ("postmaster@" + general.hostname).
	From string `toml:"from"`
	// SMTPHost sends the digests, "host:port". Default "" (quarantine.release_host).
	SMTPHost string `toml:"smtp_host"`
	// MaxItems listed per digest (the newest). Default 100.
	MaxItems int `toml:"max_items"`
	// DefaultLanguage of digests: "en" or "ja". Default "" (web.default_language).
	DefaultLanguage string `toml:"default_language"`
	// Domains whose recipients get digests. Default [] (general.domains;
	// everyone when that is empty too).
	Domains []string `toml:"domains"`
}

func defaultDigest() Digest {
	return Digest{Interval: Duration{24 * time.Hour}, LinkLifetime: Duration{72 * time.Hour}, MaxItems: 100}
}

func init() {
	validators = append(validators, func(c *Config) error {
		r := &c.Report
		if r.Address != "" {
			a, err := mail.ParseAddress(r.Address)
			if err != nil || a.Name != "" {
				return fmt.Errorf("config: report.address %q: want a plain address", r.Address)
			}
			r.Address = strings.ToLower(a.Address)
		}
		for _, l := range []string{r.DefaultLanguage, c.Digest.DefaultLanguage} {
			switch l {
			case "", "en", "ja":
			default:
				return fmt.Errorf("config: default_language %q: want en or ja", l)
			}
		}
		if r.MaxQueue <= 0 {
			return fmt.Errorf("config: report.max_queue must be positive")
		}
		d := &c.Digest
		if d.Interval.Duration < time.Minute || d.LinkLifetime.Duration <= 0 || d.MaxItems <= 0 {
			return fmt.Errorf("config: digest: interval (at least 1m), link_lifetime and max_items must be positive")
		}
		if d.Enabled && !strings.HasPrefix(d.BaseURL, "https://") && !strings.HasPrefix(d.BaseURL, "http://") {
			return fmt.Errorf("config: digest.enabled needs base_url (http:// or https://)")
		}
		for i, x := range d.Domains {
			d.Domains[i] = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(x), "."))
		}
		return nil
	})
}
