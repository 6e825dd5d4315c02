// Package config is sekisho's one configuration file: TOML decoded into the
// typed sections below, unknown keys refused with a clear message, and
// embedded defaults so that no file is needed to start.
//
// Each section lives in its own file beside this one; its field comments
// give unit and default. The commented example (sekisho config example) is
// assembled from the fragments under example/.
package config

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the whole configuration.
type Config struct {
	General    General          `toml:"general"`
	Limits     Limits           `toml:"limits"`
	Policy     Policy           `toml:"policy"`
	Header     Header           `toml:"header"`
	Bayes      Bayes            `toml:"bayes"`
	Auth       Auth             `toml:"auth"`
	Sender     Sender           `toml:"sender"`
	Brands     Brands           `toml:"brands"`
	URL        URL              `toml:"url"`
	Rules      Rules            `toml:"rules"`
	Attach     Attach           `toml:"attach"`
	ClamAV     ClamAV           `toml:"clamav"`
	Serve      Serve            `toml:"serve"`
	Quarantine QuarantineConfig `toml:"quarantine"`
	Web        Web              `toml:"web"`
	Lure       Lure             `toml:"lure"`
	RBL        RBL              `toml:"rbl"`
	Remediate  Remediate        `toml:"remediate"`
	// Feeds are threat-intelligence feeds ([[feeds]] tables, docs/feeds.md).
	Feeds      []Feed     `toml:"feeds"`
	Reputation Reputation `toml:"reputation"`
	Fuzzy      Fuzzy      `toml:"fuzzy"`
	Report     Report     `toml:"report"`
	Digest     Digest     `toml:"digest"`
	Redis      Redis      `toml:"redis"`
}

// General settings.
type General struct {
	// DataDir holds sekisho's state (SQLite files, learned data). Default
	// "$XDG_DATA_HOME/sekisho" or "~/.local/share/sekisho"; "/var/lib/sekisho" as root.
	DataDir string `toml:"data_dir"`
	// Hostname used in headers and SMTP replies. Default: the OS host name.
	Hostname string `toml:"hostname"`
	// LogLevel: "debug", "info", "warn", "error", or "trace" (logs message
	// content and credentials: never in production). Default "info".
	LogLevel string `toml:"log_level"`
	// LogFormat: "text" or "json". Default "text".
	LogFormat string `toml:"log_format"`
	// Organization's own domains (mail from them is "internal"; impersonation
	// checks protect them). Default empty.
	Domains []string `toml:"domains"`
}

// Limits bound the parser and the scan.
type Limits struct {
	MaxMessageBytes int      `toml:"max_message_bytes"` // bytes parsed per message. Default 33554432 (32 MiB).
	MaxParts        int      `toml:"max_parts"`         // MIME parts. Default 1000.
	MaxDepth        int      `toml:"max_depth"`         // MIME nesting. Default 20.
	MaxHeaders      int      `toml:"max_headers"`       // header fields per block. Default 1000.
	MaxURLs         int      `toml:"max_urls"`          // URLs per message. Default 2000.
	MaxHeaderBytes  int      `toml:"max_header_bytes"`  // bytes of one header block. Default 1048576 (1 MiB).
	MaxTextBytes    int      `toml:"max_text_bytes"`    // decoded text kept per text part. Default 4194304 (4 MiB).
	ScanTimeout     Duration `toml:"scan_timeout"`      // whole scan. Default "30s".
	AnalyzerTimeout Duration `toml:"analyzer_timeout"`  // one analyzer. Default "20s".
}

// Policy turns symbols into a verdict.
type Policy struct {
	// Score thresholds (inclusive). Defaults: tag 5, quarantine 10, reject 15.
	TagScore        float64 `toml:"tag_score"`
	QuarantineScore float64 `toml:"quarantine_score"`
	RejectScore     float64 `toml:"reject_score"`
	// SubjectPrefix is added to the subject of tagged mail; "" disables. Default "[spam]".
	SubjectPrefix string `toml:"subject_prefix"`
	// RewriteSubjectScore: tag the subject from this score. Default 8.
	RewriteSubjectScore float64 `toml:"rewrite_subject_score"`
	// Weights override symbol weights by name, e.g. HDR_MISSING_DATE = 0.5.
	Weights map[string]float64 `toml:"weights"`
	// CategoryActions sets the least action for a category once the score
	// reaches tag_score, e.g. malware = "reject". Default: malware quarantine.
	CategoryActions map[string]string `toml:"category_actions"`
	// Disabled lists symbols that are never scored.
	Disabled []string `toml:"disabled"`
	// WeightsFile is a weights file written by 'sekisho tune': a [weights]
	// table of SYMBOL = weight. Its weights override the symbol defaults and
	// the shipped fitted weights; [policy.weights] overrides it. A relative
	// path is opened from the working directory. Default "" (none).
	WeightsFile string `toml:"weights_file"`
	// FittedWeights applies the weights sekisho ships fitted on labelled mail
	// (internal/policy/fitted.toml, made by scripts/fit-weights.sh) over the
	// hand-set symbol defaults. Default true.
	FittedWeights bool `toml:"fitted_weights"`
	// UnscannableAction is the fail-closed rule: the least action for mail
	// that carries an attachment or a link when something in it could not
	// be inspected (a symbol marked unscannable fired: a parser limit, an
	// analyzer deadline or error, an encrypted archive with no password
	// found, a format sekisho cannot open). One of accept (rule off), tag,
	// quarantine, reject, tempfail. Default "quarantine" (docs/engine.md,
	// "Fail closed", says why not reject).
	UnscannableAction string `toml:"unscannable_action"`
	// UnscannableActions override unscannable_action per kind of finding:
	// keys are symbol groups ("mime", "pipeline", "archive", "attach",
	// "office", "pdf", "av", ...) or symbol names (a name wins over its
	// group), e.g. ARCHIVE_ENCRYPTED = "tag". Default none.
	UnscannableActions map[string]string `toml:"unscannable_actions"`
	// FileWeights are the weights read from WeightsFile when the
	// configuration is loaded (not a key of the file).
	FileWeights map[string]float64 `toml:"-" json:"-"`
}

// Lure analyzer settings: claimed authorities and brands against the real
// origin, random and rented sending infrastructure, mail shape.
type Lure struct {
	Enabled bool `toml:"enabled"` // Default true.
}

// Header analyzer settings.
type Header struct {
	Enabled bool `toml:"enabled"` // Default true.
}

// Duration is a time.Duration written as "30s", "5m".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q: %w", string(b), err)
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// Default returns the embedded defaults.
func Default() *Config {
	return &Config{
		General: General{LogLevel: "info", LogFormat: "text"},
		Limits: Limits{
			MaxMessageBytes: 32 << 20, MaxParts: 1000, MaxDepth: 20, MaxHeaders: 1000, MaxURLs: 2000,
			MaxHeaderBytes: 1 << 20, MaxTextBytes: 4 << 20,
			ScanTimeout: Duration{30 * time.Second}, AnalyzerTimeout: Duration{20 * time.Second},
		},
		Policy: Policy{
			TagScore: 5, QuarantineScore: 10, RejectScore: 15,
			SubjectPrefix: "[spam]", RewriteSubjectScore: 8,
			CategoryActions:   map[string]string{"malware": "quarantine"},
			FittedWeights:     true,
			UnscannableAction: "quarantine",
		},
		Header:     Header{Enabled: true},
		Lure:       Lure{Enabled: true},
		RBL:        defaultRBL(),
		Bayes:      defaultBayes(),
		Auth:       defaultAuth(),
		Sender:     defaultSender(),
		Brands:     defaultBrands(),
		URL:        defaultURL(),
		Rules:      defaultRules(),
		Attach:     defaultAttach(),
		ClamAV:     defaultClamAV(),
		Serve:      defaultServe(),
		Quarantine: defaultQuarantine(),
		Web:        defaultWeb(),
		Remediate:  defaultRemediate(),
		Reputation: defaultReputation(),
		Fuzzy:      defaultFuzzy(),
		Report:     defaultReport(),
		Digest:     defaultDigest(),
		Redis:      defaultRedis(),
	}
}

// ErrUnknownKeys is returned (wrapped) when the file has keys sekisho does not know.
var ErrUnknownKeys = errors.New("config: unknown keys")

// Load reads a TOML file over the defaults. path "" returns the defaults.
func Load(path string) (*Config, error) {
	c := Default()
	if path == "" {
		return c, c.finish()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.decode(string(b), path); err != nil {
		return nil, err
	}
	return c, c.finish()
}

// Parse decodes TOML text over the defaults (for tests and the API).
func Parse(text string) (*Config, error) {
	c := Default()
	if err := c.decode(text, "config"); err != nil {
		return nil, err
	}
	return c, c.finish()
}

func (c *Config) decode(text, name string) error {
	md, err := toml.Decode(text, c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("config: %s: %s", name, pe.ErrorWithPosition())
		}
		return fmt.Errorf("config: %s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, 0, len(und))
		for _, k := range und {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		return fmt.Errorf("%w in %s: %s (see 'sekisho config example' for every key)", ErrUnknownKeys, name, strings.Join(keys, ", "))
	}
	return nil
}

// finish fills derived defaults and validates.
func (c *Config) finish() error {
	if c.General.DataDir == "" {
		c.General.DataDir = defaultDataDir()
	}
	if c.General.Hostname == "" {
		h, _ := os.Hostname()
		if h == "" {
			h = "localhost"
		}
		c.General.Hostname = h
	}
	var errs []error
	switch c.General.LogLevel {
	case "debug", "info", "warn", "error", "trace":
	default:
		errs = append(errs, fmt.Errorf("config: general.log_level %q: want debug, info, warn, error or trace", c.General.LogLevel))
	}
	switch c.General.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("config: general.log_format %q: want text or json", c.General.LogFormat))
	}
	p := c.Policy
	if !(p.TagScore <= p.QuarantineScore && p.QuarantineScore <= p.RejectScore) {
		errs = append(errs, fmt.Errorf("config: policy thresholds must satisfy tag_score <= quarantine_score <= reject_score (got %g, %g, %g)", p.TagScore, p.QuarantineScore, p.RejectScore))
	}
	// TOML has inf and nan: a score or weight that is not a number would
	// reach every reply (JSON has no infinity: the Rspamd protocol's
	// answer would be an error for every message).
	for _, t := range []struct {
		key string
		v   float64
	}{{"tag_score", p.TagScore}, {"quarantine_score", p.QuarantineScore}, {"reject_score", p.RejectScore}, {"rewrite_subject_score", p.RewriteSubjectScore}} {
		if math.IsNaN(t.v) || math.IsInf(t.v, 0) {
			errs = append(errs, fmt.Errorf("config: policy.%s = %v is not a finite number (a score that is never reached, e.g. 1000, turns a threshold off)", t.key, t.v))
		}
	}
	for _, sym := range slices.Sorted(maps.Keys(p.Weights)) {
		if w := p.Weights[sym]; math.IsNaN(w) || math.IsInf(w, 0) {
			errs = append(errs, fmt.Errorf("config: policy.weights.%s = %v is not a finite number", sym, w))
		}
	}
	for cat, act := range p.CategoryActions {
		switch cat {
		case "spam", "phishing", "malware", "bec", "extortion", "fraud":
		default:
			errs = append(errs, fmt.Errorf("config: policy.category_actions: unknown category %q", cat))
		}
		switch act {
		case "accept", "tag", "quarantine", "reject", "tempfail":
		default:
			errs = append(errs, fmt.Errorf("config: policy.category_actions.%s: unknown action %q", cat, act))
		}
	}
	for i, d := range c.General.Domains {
		c.General.Domains[i] = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
	}
	// Every section is checked, so that one run reports every value error
	// (each validator reports the first one of its section).
	for _, v := range validators {
		if err := v(c); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// validators are registered by section files that check their values.
var validators []func(*Config) error

func defaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/sekisho"
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "sekisho")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "sekisho")
	}
	return "sekisho-data"
}

//go:embed example/*.toml
var exampleFS embed.FS

// Example returns the commented example configuration (every key, with its
// default), assembled from the per-section fragments.
func Example() string {
	ents, _ := exampleFS.ReadDir("example")
	var sb strings.Builder
	for _, e := range ents {
		b, _ := exampleFS.ReadFile("example/" + e.Name())
		sb.Write(b)
		if !strings.HasSuffix(sb.String(), "\n\n") {
			sb.WriteString("\n")
		}
	}
	return sb.String()
}
