package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Feed is one [[feeds]] table: a threat-intelligence feed imported into
// the indicator store and matched against every message (docs/feeds.md).
type Feed struct {
	// Name identifies the feed in symbols' evidence, metrics and the
	// console: lower-case letters, digits, "-" and "_".
	Name string `toml:"name"`
	// Type is "stix" (a STIX 2.1 bundle), "taxii" (a TAXII 2.1 server),
	// "list" (one indicator a line) or "csv" (a column of a CSV file).
	Type string `toml:"type"`
	// URL to fetch (http or https): the bundle, list or CSV, or for
	// "taxii" the discovery URL or an API root URL. One of url and path.
	URL string `toml:"url"`
	// Path of a local file instead of a URL (not for "taxii").
	Path string `toml:"path"`
	// Collection (taxii): the id or title of the collection to poll.
	// Default: every collection the server lets us read.
	Collection string `toml:"collection"`
	// Interval between updates while serve runs. Default "1h".
	Interval Duration `toml:"interval"`
	// Timeout of one update. Default "2m".
	Timeout Duration `toml:"timeout"`
	// Weight multiplies the symbol's score for hits of this feed
	// (1 = the symbol's weight). Default 1.
	Weight float64 `toml:"weight"`
	// Auth for the server: "basic USER:PASSWORD" or "bearer TOKEN";
	// "env:NAME" reads either form from environment variable NAME.
	// Default "" (none).
	Auth string `toml:"auth"`
	// Column (csv): a 1-based column number or a header name. Default "1".
	Column string `toml:"column"`
	// Kind (list, csv): the kind of every entry: "url", "domain", "ip",
	// "email", "md5", "sha1" or "sha256". Default "": guessed per entry.
	Kind string `toml:"kind"`
	// MaxAge drops indicators first seen longer ago than this (STIX
	// indicators also expire at their valid_until). Default "0s": kept
	// while the feed carries them.
	MaxAge Duration `toml:"max_age"`
	// OwnSymbol reports this feed's hits as FEED_<NAME> (registered with
	// weight 5 × weight) instead of FEED_URL, FEED_DOMAIN, ... Default false.
	OwnSymbol bool `toml:"own_symbol"`
}

var feedNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// FeedTypes are the feed types.
var FeedTypes = []string{"stix", "taxii", "list", "csv"}

// WithFeedDefaults returns f with its defaults filled in.
func (f Feed) WithFeedDefaults() Feed {
	if f.Interval.Duration == 0 {
		f.Interval.Duration = time.Hour
	}
	if f.Timeout.Duration == 0 {
		f.Timeout.Duration = 2 * time.Minute
	}
	if f.Weight == 0 {
		f.Weight = 1
	}
	if f.Column == "" {
		f.Column = "1"
	}
	return f
}

func init() {
	validators = append(validators, func(c *Config) error {
		seen := map[string]bool{}
		for i, f := range c.Feeds {
			if !feedNameRe.MatchString(f.Name) {
				return fmt.Errorf("config: feeds[%d].name %q: lower-case letters, digits, - and _ (at most 40)", i, f.Name)
			}
			if seen[f.Name] {
				return fmt.Errorf("config: feeds: duplicate name %q", f.Name)
			}
			seen[f.Name] = true
			ok := false
			for _, t := range FeedTypes {
				ok = ok || f.Type == t
			}
			if !ok {
				return fmt.Errorf("config: feeds[%d].type %q: want one of %s", i, f.Type, strings.Join(FeedTypes, ", "))
			}
			if (f.URL == "") == (f.Path == "") {
				return fmt.Errorf("config: feeds[%d] (%s): set one of url and path", i, f.Name)
			}
			if f.URL != "" && !strings.HasPrefix(f.URL, "http://") && !strings.HasPrefix(f.URL, "https://") {
				return fmt.Errorf("config: feeds[%d].url: want http:// or https://", i)
			}
			if f.Type == "taxii" && f.URL == "" {
				return fmt.Errorf("config: feeds[%d] (%s): taxii needs url", i, f.Name)
			}
			if f.Collection != "" && f.Type != "taxii" {
				return fmt.Errorf("config: feeds[%d].collection: only for taxii", i)
			}
			switch f.Kind {
			case "", "url", "domain", "ip", "email", "md5", "sha1", "sha256":
			default:
				return fmt.Errorf("config: feeds[%d].kind %q: want url, domain, ip, email, md5, sha1 or sha256", i, f.Kind)
			}
			if f.Kind != "" && f.Type != "list" && f.Type != "csv" {
				return fmt.Errorf("config: feeds[%d].kind: only for list and csv", i)
			}
			if f.Column != "" && f.Type != "csv" {
				return fmt.Errorf("config: feeds[%d].column: only for csv", i)
			}
			if f.Interval.Duration != 0 && f.Interval.Duration < time.Second {
				return fmt.Errorf("config: feeds[%d].interval: at least 1s", i)
			}
			if f.Weight < 0 {
				return fmt.Errorf("config: feeds[%d].weight: not negative", i)
			}
			if a := f.Auth; a != "" && !strings.HasPrefix(a, "env:") {
				k, _, _ := strings.Cut(a, " ")
				if k = strings.ToLower(k); k != "basic" && k != "bearer" {
					return fmt.Errorf("config: feeds[%d].auth: want \"basic USER:PASSWORD\", \"bearer TOKEN\" or \"env:NAME\"", i)
				}
			}
		}
		return nil
	})
}
