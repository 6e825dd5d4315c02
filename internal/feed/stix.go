package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bounds of one import.
const (
	MaxBodyBytes  = 64 << 20  // one HTTP body or file
	MaxIndicators = 2_000_000 // per feed
)

// ErrFormat is a feed document that cannot be read.
var ErrFormat = errors.New("feed: bad feed document")

// Batch is what one fetch yields.
type Batch struct {
	Indicators []Indicator
	// Objects are the STIX ids the batch carries (their previous
	// indicators are replaced); Revoked are ids revoked or expired.
	Objects []string
	Revoked []string
	Skipped int // indicators or conjunctions that cannot be matched on mail, bad patterns
}

type stixObject struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	Modified    string `json:"modified"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Pattern     string `json:"pattern"`
	PatternType string `json:"pattern_type"`
	ValidFrom   string `json:"valid_from"`
	ValidUntil  string `json:"valid_until"`
	Revoked     bool   `json:"revoked"`
}

// ParseSTIX reads a STIX 2.1 bundle ({"type":"bundle","objects":[...]})
// or a TAXII 2.1 envelope ({"objects":[...]}) and returns its indicators.
// Objects other than indicators, and indicators whose pattern_type is
// not "stix", are ignored; revoked indicators are listed in Revoked.
// When an id appears more than once, the latest "modified" wins.
func ParseSTIX(b []byte) (*Batch, error) {
	var doc struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if doc.Type != "" && doc.Type != "bundle" {
		return nil, fmt.Errorf("%w: type %q, want bundle", ErrFormat, doc.Type)
	}
	latest := map[string]stixObject{}
	var order []string
	for _, raw := range doc.Objects {
		var o stixObject
		if err := json.Unmarshal(raw, &o); err != nil || o.Type != "indicator" || o.ID == "" {
			continue
		}
		prev, ok := latest[o.ID]
		if !ok {
			order = append(order, o.ID)
		} else if parseTime(prev.Modified) > parseTime(o.Modified) {
			continue
		}
		latest[o.ID] = o
	}
	out := &Batch{}
	n := 0
	for _, id := range order {
		o := latest[id]
		out.Objects = append(out.Objects, id)
		if o.Revoked {
			out.Revoked = append(out.Revoked, id)
			continue
		}
		if o.PatternType != "" && o.PatternType != "stix" {
			out.Skipped++
			continue
		}
		terms, skipped, err := PatternIndicators(o.Pattern)
		out.Skipped += skipped
		if err != nil {
			out.Skipped++
			continue
		}
		name := o.Name
		if name == "" {
			name = o.Description
		}
		if len(name) > 200 {
			name = name[:200]
		}
		for i, ts := range terms {
			if n >= MaxIndicators {
				return out, nil
			}
			n++
			out.Indicators = append(out.Indicators, Indicator{Ref: id + "#" + strconv.Itoa(i), Name: name, Terms: ts,
				ValidFrom: parseTime(o.ValidFrom), ValidUntil: parseTime(o.ValidUntil)})
		}
	}
	return out, nil
}

// parseTime reads an RFC 3339 timestamp as unix seconds; 0 when absent
// or unreadable.
func parseTime(s string) int64 {
	if s == "" {
		return 0
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return t.Unix()
}
