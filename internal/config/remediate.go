package config

import (
	"fmt"
	"strings"
	"time"
)

// Remediate holds the [remediate] section: pulling delivered mail back out
// of the recipients' mailboxes over IMAP when it turns out to be bad later
// (see docs/remediate.md).
type Remediate struct {
	// Enabled turns post-delivery remediation on (CLI, console, automatic
	// triggers). Default false.
	Enabled bool `toml:"enabled"`
	// IMAPAddr is the mailbox store's IMAP server, "host:port".
	// Default "127.0.0.1:143".
	IMAPAddr string `toml:"imap_addr"`
	// TLS: "starttls" (required), "tls" (implicit TLS, port 993) or "none"
	// (loopback only). Default "starttls".
	TLS string `toml:"tls"`
	// TLSSkipVerify accepts any server certificate (self-signed test
	// servers). Default false.
	TLSSkipVerify bool `toml:"tls_skip_verify"`
	// MasterUser is the store's administrative login that may open every
	// mailbox (Dovecot master user). Default "" (required when enabled).
	MasterUser string `toml:"master_user"`
	// MasterPasswordFile holds the master user's password (first line).
	// Default "" (required when enabled).
	MasterPasswordFile string `toml:"master_password_file"`
	// Auth is how mailboxes are opened: "master" (MasterUser with
	// LoginFormat), "xoauth2" (SASL XOAUTH2 as each mailbox's address with
	// the bearer token in OAuth2TokenFile, re-read at every login so an
	// outside refresher can replace it) or "app_password" (each mailbox's
	// own login from AppPasswordsFile). Default "master".
	Auth string `toml:"auth"`
	// OAuth2TokenFile holds the access token (first line) for auth =
	// "xoauth2": an application token allowed to open every mailbox
	// (Microsoft 365 / Google Workspace application access). Default "".
	OAuth2TokenFile string `toml:"oauth2_token_file"`
	// AppPasswordsFile holds "address password" lines for auth =
	// "app_password". Default "".
	AppPasswordsFile string `toml:"app_passwords_file"`
	// LoginFormat builds the login name from {user} (the mailbox's address)
	// and {master}. Default "{user}*{master}" (Dovecot's separator).
	LoginFormat string `toml:"login_format"`
	// Action is what happens to a found copy: "move" (to QuarantineFolder,
	// undoable) or "delete" (removed; the copy is kept in sekisho's
	// database so undo can put it back). Default "move".
	Action string `toml:"action"`
	// QuarantineFolder receives moved copies in each mailbox; created when
	// missing. Default "Quarantine".
	QuarantineFolder string `toml:"quarantine_folder"`
	// Automatic acts on later verdicts: when a message is quarantined or
	// rejected in one of AutomaticCategories, earlier delivered mail with
	// the same Message-ID or attachment is remediated. Default true.
	Automatic bool `toml:"automatic"`
	// AutomaticCategories are the verdict categories that trigger.
	// Default ["malware", "phishing"].
	AutomaticCategories []string `toml:"automatic_categories"`
	// AutomaticDryRun records what automatic triggers would do without
	// touching any mailbox; an administrator applies the run from the
	// console or 'sekisho remediate apply'. Default true.
	AutomaticDryRun bool `toml:"automatic_dry_run"`
	// Domains whose recipients have mailboxes on the store. Default: general.domains
	// (every recipient when that is empty too).
	Domains []string `toml:"domains"`
	// MaxMailboxes bounds the mailboxes one run opens. Default 500.
	MaxMailboxes int `toml:"max_mailboxes"`
	// MaxFolders bounds the folders searched per mailbox. Default 200.
	MaxFolders int `toml:"max_folders"`
	// MaxCopyBytes bounds the copy kept for undoing a delete. Default 33554432 (32 MiB).
	MaxCopyBytes int `toml:"max_copy_bytes"`
	// Timeout bounds the work in one mailbox. Default "60s".
	Timeout Duration `toml:"timeout"`
}

func defaultRemediate() Remediate {
	return Remediate{
		IMAPAddr: "127.0.0.1:143", TLS: "starttls", Auth: "master", LoginFormat: "{user}*{master}",
		Action: "move", QuarantineFolder: "Quarantine",
		Automatic: true, AutomaticCategories: []string{"malware", "phishing"}, AutomaticDryRun: true,
		MaxMailboxes: 500, MaxFolders: 200, MaxCopyBytes: 32 << 20, Timeout: Duration{60 * time.Second},
	}
}

func init() {
	validators = append(validators, func(c *Config) error {
		r := &c.Remediate
		switch r.TLS {
		case "starttls", "tls", "none":
		default:
			return fmt.Errorf("config: remediate.tls %q: want starttls, tls or none", r.TLS)
		}
		switch r.Action {
		case "move", "delete":
		default:
			return fmt.Errorf("config: remediate.action %q: want move or delete", r.Action)
		}
		for _, cat := range r.AutomaticCategories {
			switch cat {
			case "spam", "phishing", "malware", "bec", "extortion", "fraud":
			default:
				return fmt.Errorf("config: remediate.automatic_categories: unknown category %q", cat)
			}
		}
		if strings.TrimSpace(r.QuarantineFolder) == "" || strings.EqualFold(r.QuarantineFolder, "INBOX") {
			return fmt.Errorf("config: remediate.quarantine_folder %q: name a folder other than INBOX", r.QuarantineFolder)
		}
		if !strings.Contains(r.LoginFormat, "{user}") {
			return fmt.Errorf("config: remediate.login_format %q must contain {user}", r.LoginFormat)
		}
		switch r.Auth {
		case "master":
			if r.Enabled && (r.MasterUser == "" || r.MasterPasswordFile == "") {
				return fmt.Errorf("config: remediate.enabled needs master_user and master_password_file")
			}
		case "xoauth2":
			if r.Enabled && r.OAuth2TokenFile == "" {
				return fmt.Errorf("config: remediate.auth = \"xoauth2\" needs oauth2_token_file")
			}
		case "app_password":
			if r.Enabled && r.AppPasswordsFile == "" {
				return fmt.Errorf("config: remediate.auth = \"app_password\" needs app_passwords_file")
			}
		default:
			return fmt.Errorf("config: remediate.auth %q: want master, xoauth2 or app_password", r.Auth)
		}
		for i, d := range r.Domains {
			r.Domains[i] = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		}
		if r.MaxMailboxes <= 0 || r.MaxFolders <= 0 || r.MaxCopyBytes <= 0 || r.Timeout.Duration <= 0 {
			return fmt.Errorf("config: remediate: max_mailboxes, max_folders, max_copy_bytes and timeout must be positive")
		}
		return nil
	})
}
