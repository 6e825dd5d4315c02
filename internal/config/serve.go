package config

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Serve holds the [serve] section: the front ends `sekisho serve` runs.
type Serve struct {
	// Enabled lets `sekisho serve` start at all. Default true.
	Enabled bool `toml:"enabled"`
	// ShutdownTimeout bounds how long a graceful shutdown waits for messages
	// in flight after SIGINT/SIGTERM. Default "60s".
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	// MaxMessageBytes refused by every front end (SMTP 552, spamd 65,
	// HTTP 413, milter 552). Default 33554432 (32 MiB).
	MaxMessageBytes int64 `toml:"max_message_bytes"`
	// MaxBytesInFlight bounds the message bytes all front ends hold in
	// memory at once: a request reserves its size before it is read, and
	// one that does not fit is refused with a temporary failure (SMTP 451,
	// HTTP 503, spamd EX_TEMPFAIL, milter tempfail), so memory does not
	// grow with concurrent or refused requests. Default 268435456 (256 MiB).
	MaxBytesInFlight int64 `toml:"max_bytes_in_flight"`

	Milter     ServeMilter     `toml:"milter"`
	SMTP       ServeSMTP       `toml:"smtp"`
	Rspamd     ServeFrontend   `toml:"rspamd"`
	Spamd      ServeSpamd      `toml:"spamd"`
	Console    ServeFrontend   `toml:"console"`
	Headers    ServeHeaders    `toml:"headers"`
	Banner     ServeBanner     `toml:"banner"`
	Outbound   ServeOutbound   `toml:"outbound"`
	Quarantine ServeQuarantine `toml:"quarantine"`
	ARC        ServeARC        `toml:"arc"`
}

// ServeARC is [serve.arc]: sealing delivered mail with an ARC set
// (RFC 8617), so that the next hop (Microsoft 365, Gmail, a mailing
// list) can trust the authentication results sekisho found even when a
// later change breaks SPF or DKIM. Sealing is on when domain, selector
// and key_file are all set; the public key is published as a DKIM key
// record at SELECTOR._domainkey.DOMAIN.
type ServeARC struct {
	// Domain is the sealing domain (d=). Default "" (off).
	Domain string `toml:"domain"`
	// Selector (s=). Default "".
	Selector string `toml:"selector"`
	// KeyFile is a PEM RSA private key (PKCS #1 or #8, 2048 bits or more;
	// RFC 8617 defines rsa-sha256 only). Relative to general.data_dir.
	KeyFile string `toml:"key_file"`
	// AuthServID names this hop in ARC-Authentication-Results. Default:
	// the authserv-id of sekisho's own Authentication-Results, else
	// general.hostname.
	AuthServID string `toml:"authserv_id"`
}

// ServeFrontend are the settings every front end has.
type ServeFrontend struct {
	// Enabled starts the listener. Default true.
	Enabled bool `toml:"enabled"`
	// Listen is host:port (loopback by default).
	Listen string `toml:"listen"`
	// MaxConnections open at once; more wait in the kernel backlog
	// (milter, spamd, SMTP) or get 503 (HTTP). Default 200.
	MaxConnections int `toml:"max_connections"`
	// MaxConnectionsPerClient open at once from one client address; more
	// are refused at once (SMTP 421, HTTP 503, spamd EX_TEMPFAIL, milter:
	// closed, the MTA applies milter_default_action). 0: no bound but
	// max_connections. Default 100 (console 32).
	MaxConnectionsPerClient int `toml:"max_connections_per_client"`
	// ReadTimeout bounds reading one request: HTTP front ends (Rspamd,
	// console, JSON API) and spamd must have read the whole request (header
	// and body) in this time; the milter waits this long at most for the
	// MTA's next command. Default "60s" (milter "6m", above Postfix's
	// smtpd_timeout of 300s). The SMTP gateway uses idle_timeout instead.
	ReadTimeout Duration `toml:"read_timeout"`
	// ScanTimeout: when no verdict is ready in this time, FailSafe applies.
	// Default "25s" (below Postfix's milter_content_timeout of 300s and
	// Rspamd clients' usual 30s).
	ScanTimeout Duration `toml:"scan_timeout"`
	// FailSafe when sekisho cannot decide in time or a must-run check
	// failed (verdict tempfail): "tempfail" (the sender retries) or
	// "accept" (deliver with X-Sekisho-Verdict: action=unscanned).
	// Default "tempfail".
	FailSafe string `toml:"fail_safe"`
}

// ServeMilter is [serve.milter].
type ServeMilter struct {
	ServeFrontend
	// QuarantineMode: after sekisho has stored the message, "discard"
	// (the MTA accepts and drops it) or "hold" (the MTA also keeps it in its
	// hold queue, Postfix `postsuper -r`). Default "discard".
	QuarantineMode string `toml:"quarantine_mode"`
	// Banner adds warning banners (see [serve.banner]) by replacing the body.
	// Default false.
	Banner bool `toml:"banner"`
	// HandshakeTimeout: an MTA opens with the milter negotiation at once;
	// a connection silent for this long is closed. Default "10s".
	HandshakeTimeout Duration `toml:"handshake_timeout"`
	// SessionTimeout bounds one milter connection (one SMTP session of
	// the MTA, possibly many messages). Default "1h".
	SessionTimeout Duration `toml:"session_timeout"`
}

// ServeSMTP is [serve.smtp]: the before-queue SMTP gateway.
type ServeSMTP struct {
	ServeFrontend
	// NextHop receives what passes, host:port. Default "127.0.0.1:10026"
	// (Postfix's usual after-filter smtpd).
	NextHop string `toml:"next_hop"`
	// NextHopTLS: "none", "starttls" (opportunistic, unverified) or
	// "require". Default "none" (loopback next hop).
	NextHopTLS string `toml:"next_hop_tls"`
	// TLSCert and TLSKey (PEM files) for STARTTLS. When empty a self-signed
	// certificate is made at start. Default "".
	TLSCert string `toml:"tls_cert"`
	TLSKey  string `toml:"tls_key"`
	// StartTLS advertises STARTTLS. Default true.
	StartTLS bool `toml:"starttls"`
	// TrustedMTAs may send XCLIENT and XFORWARD (CIDR list).
	// Default ["127.0.0.0/8", "::1/128"].
	TrustedMTAs []string `toml:"trusted_mtas"`
	// MaxRecipients per message. Default 1000.
	MaxRecipients int `toml:"max_recipients"`
	// IdleTimeout per SMTP command, and for writing each reply (a client
	// that pipelines and never reads its replies is dropped). Default "2m".
	IdleTimeout Duration `toml:"idle_timeout"`
	// SessionTimeout bounds one SMTP connection as a whole (every command,
	// reply and message of it, the scans included): past it the session
	// ends with 421 4.4.2 and a message not yet answered is not relayed.
	// Default "30m".
	SessionTimeout Duration `toml:"session_timeout"`
	// Banner adds warning banners to relayed mail. Default false.
	Banner bool `toml:"banner"`
}

// ServeSpamd is [serve.spamd].
type ServeSpamd struct {
	ServeFrontend
	// AllowTell accepts TELL (learn) commands, like spamd --allow-tell.
	// Default true (the listener is on loopback).
	AllowTell bool `toml:"allow_tell"`
}

// ServeHeaders is [serve.headers]: what front ends add to delivered mail.
type ServeHeaders struct {
	// SpamHeaders adds X-Spam-Flag, X-Spam-Score, X-Spam-Status and
	// X-Spam-Symbols (SpamAssassin style). Default true.
	SpamHeaders bool `toml:"spam_headers"`
	// VerdictHeader adds X-Sekisho-Verdict. Default true.
	VerdictHeader bool `toml:"verdict_header"`
	// OnAccept adds the headers to clean mail too. Default true.
	OnAccept bool `toml:"on_accept"`
}

// ServeBanner is [serve.banner]: warning banners on delivered mail.
type ServeBanner struct {
	// Symbols that trigger a banner when they fire on mail that is
	// delivered (accept or tag). Default: sender impersonation, lookalike
	// and first-contact symbols.
	Symbols []string `toml:"symbols"`
	// Categories that trigger a banner on delivered mail whose verdict is
	// that category (e.g. "bec", "phishing"). Default ["bec", "phishing"].
	Categories []string `toml:"categories"`
	// MinScore: a category banner needs at least this score. Default 3.
	MinScore float64 `toml:"min_score"`
}

// ServeOutbound is [serve.outbound]: abuse tracking of authenticated senders.
type ServeOutbound struct {
	// Enabled tracks mail with a SASL user (Envelope.AuthUser). Default true.
	Enabled bool `toml:"enabled"`
	// Window of the sliding counters. Default "1h".
	Window Duration `toml:"window"`
	// MaxMessages per account per window. Default 300.
	MaxMessages int `toml:"max_messages"`
	// MaxRecipients (distinct) per account per window. Default 500.
	MaxRecipients int `toml:"max_recipients"`
	// MaxNewDomains never seen before from this account, per window. Default 100.
	MaxNewDomains int `toml:"max_new_domains"`
	// FreemailShare of distinct recipients at free-mail providers above
	// which the account is held, once it has FreemailMinRecipients.
	// Default 0.7 and 50.
	FreemailShare         float64 `toml:"freemail_share"`
	FreemailMinRecipients int     `toml:"freemail_min_recipients"`
	// BurstFactor: recipients in the window above this multiple of the
	// account's own usual (hourly average over its history) are a burst,
	// once they reach BurstMinRecipients. Default 10 and 100.
	BurstFactor        float64 `toml:"burst_factor"`
	BurstMinRecipients int     `toml:"burst_min_recipients"`
	// HoldAction for a breaching account: "quarantine" or "tempfail".
	// Default "quarantine".
	HoldAction string `toml:"hold_action"`
	// Webhook receives a JSON alert (POST) when an account is held. Default "".
	Webhook string `toml:"webhook"`
	// Persist keeps the counters in data_dir/outbound.json across restarts.
	// With [redis] set the counters live there, shared by every instance,
	// and this is ignored. Default true.
	Persist bool `toml:"persist"`
}

// ServeQuarantine is [serve.quarantine].
type ServeQuarantine struct {
	// RejectMessage is the SMTP text for rejected mail (the reason and the
	// scan id are appended). Default "Message rejected as unsafe".
	RejectMessage string `toml:"reject_message"`
}

func defaultFrontend(listen string) ServeFrontend {
	return ServeFrontend{Enabled: true, Listen: listen, MaxConnections: 200, MaxConnectionsPerClient: 100,
		ReadTimeout: Duration{60 * time.Second}, ScanTimeout: Duration{25 * time.Second}, FailSafe: "tempfail"}
}

func milterFrontend() ServeFrontend {
	f := defaultFrontend("127.0.0.1:11332")
	f.ReadTimeout = Duration{6 * time.Minute}
	return f
}

func consoleFrontend() ServeFrontend {
	f := defaultFrontend("127.0.0.1:11334")
	f.MaxConnectionsPerClient = 32
	return f
}

func defaultServe() Serve {
	return Serve{
		Enabled:          true,
		ShutdownTimeout:  Duration{60 * time.Second},
		MaxMessageBytes:  32 << 20,
		MaxBytesInFlight: 256 << 20,
		Milter: ServeMilter{ServeFrontend: milterFrontend(), QuarantineMode: "discard",
			HandshakeTimeout: Duration{10 * time.Second}, SessionTimeout: Duration{time.Hour}},
		SMTP: ServeSMTP{ServeFrontend: defaultFrontend("127.0.0.1:10025"), NextHop: "127.0.0.1:10026",
			NextHopTLS: "none", StartTLS: true, TrustedMTAs: []string{"127.0.0.0/8", "::1/128"},
			MaxRecipients: 1000, IdleTimeout: Duration{2 * time.Minute}, SessionTimeout: Duration{30 * time.Minute}},
		Rspamd:  defaultFrontend("127.0.0.1:11333"),
		Spamd:   ServeSpamd{ServeFrontend: defaultFrontend("127.0.0.1:11783"), AllowTell: true},
		Console: consoleFrontend(),
		Headers: ServeHeaders{SpamHeaders: true, VerdictHeader: true, OnAccept: true},
		Banner: ServeBanner{
			Symbols: []string{"FROM_DISPLAY_NAME_IMPERSONATION", "FROM_LOOKALIKE_DOMAIN", "FROM_EXTERNAL_PROTECTED_NAME",
				"FROM_FIRST_CONTACT", "FROM_BRAND_IMPERSONATION", "HDR_FROM_NAME_HAS_ADDRESS", "HDR_REPLYTO_FREEMAIL"},
			Categories: []string{"bec", "phishing"}, MinScore: 3,
		},
		Outbound: ServeOutbound{Enabled: true, Window: Duration{time.Hour}, MaxMessages: 300, MaxRecipients: 500,
			MaxNewDomains: 100, FreemailShare: 0.7, FreemailMinRecipients: 50, BurstFactor: 10, BurstMinRecipients: 100,
			HoldAction: "quarantine", Persist: true},
		Quarantine: ServeQuarantine{RejectMessage: "Message rejected as unsafe"},
	}
}

func init() {
	validators = append(validators, validateServe)
}

func validateServe(c *Config) error {
	s := &c.Serve
	if a := s.ARC; a.Domain != "" || a.Selector != "" || a.KeyFile != "" {
		if a.Domain == "" || a.Selector == "" || a.KeyFile == "" {
			return fmt.Errorf("serve.arc: domain, selector and key_file are needed together")
		}
	}
	fes := map[string]*ServeFrontend{"milter": &s.Milter.ServeFrontend, "smtp": &s.SMTP.ServeFrontend,
		"rspamd": &s.Rspamd, "spamd": &s.Spamd.ServeFrontend, "console": &s.Console}
	for name, f := range fes {
		if f.Enabled {
			if _, _, err := net.SplitHostPort(f.Listen); err != nil {
				return fmt.Errorf("config: serve.%s.listen %q: %v", name, f.Listen, err)
			}
		}
		switch f.FailSafe {
		case "tempfail", "accept":
		default:
			return fmt.Errorf("config: serve.%s.fail_safe %q: want tempfail or accept", name, f.FailSafe)
		}
		if f.MaxConnections <= 0 {
			return fmt.Errorf("config: serve.%s.max_connections must be positive", name)
		}
		if f.ScanTimeout.Duration <= 0 {
			return fmt.Errorf("config: serve.%s.scan_timeout must be positive", name)
		}
		if f.MaxConnectionsPerClient < 0 || f.ReadTimeout.Duration < 0 {
			return fmt.Errorf("config: serve.%s: max_connections_per_client and read_timeout must not be negative", name)
		}
	}
	switch s.Milter.QuarantineMode {
	case "discard", "hold":
	default:
		return fmt.Errorf("config: serve.milter.quarantine_mode %q: want discard or hold", s.Milter.QuarantineMode)
	}
	switch s.SMTP.NextHopTLS {
	case "none", "starttls", "require":
	default:
		return fmt.Errorf("config: serve.smtp.next_hop_tls %q: want none, starttls or require", s.SMTP.NextHopTLS)
	}
	if s.SMTP.IdleTimeout.Duration <= 0 || s.SMTP.SessionTimeout.Duration < 0 {
		return fmt.Errorf("config: serve.smtp: idle_timeout must be positive and session_timeout not negative")
	}
	if (s.SMTP.TLSCert == "") != (s.SMTP.TLSKey == "") {
		return fmt.Errorf("config: serve.smtp: tls_cert and tls_key go together")
	}
	for _, p := range s.SMTP.TrustedMTAs {
		if _, err := netip.ParsePrefix(p); err != nil {
			return fmt.Errorf("config: serve.smtp.trusted_mtas %q: %v", p, err)
		}
	}
	switch s.Outbound.HoldAction {
	case "quarantine", "tempfail":
	default:
		return fmt.Errorf("config: serve.outbound.hold_action %q: want quarantine or tempfail", s.Outbound.HoldAction)
	}
	if s.Outbound.Webhook != "" && !strings.HasPrefix(s.Outbound.Webhook, "http://") && !strings.HasPrefix(s.Outbound.Webhook, "https://") {
		return fmt.Errorf("config: serve.outbound.webhook %q: want an http(s) URL", s.Outbound.Webhook)
	}
	if s.MaxMessageBytes <= 0 {
		return fmt.Errorf("config: serve.max_message_bytes must be positive")
	}
	return nil
}
