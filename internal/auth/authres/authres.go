// Package authres writes and reads Authentication-Results header fields
// (RFC 8601) with github.com/emersion/go-msgauth/authres, and finds the
// fields an attacker planted with the organisation's own authserv-id
// (§5: such fields must be removed or ignored).
package authres

import (
	"strconv"
	"strings"

	msgauthres "github.com/emersion/go-msgauth/authres"
)

// Result kinds re-exported for callers.
type (
	Result      = msgauthres.Result
	SPFResult   = msgauthres.SPFResult
	DKIMResult  = msgauthres.DKIMResult
	DMARCResult = msgauthres.DMARCResult
	ARCResult   = msgauthres.ARCResult
	Generic     = msgauthres.GenericResult
	Value       = msgauthres.ResultValue
)

// Format writes an Authentication-Results value for authserv-id id. With
// no results it writes "id; none" (§2.2).
func Format(id string, results []Result) string {
	if len(results) == 0 {
		return id + "; none"
	}
	// go-msgauth v0.7.0 writes no method name for ARC results: write them
	// as generic "arc" results.
	fixed := make([]Result, 0, len(results))
	for _, r := range results {
		if a, ok := r.(*ARCResult); ok {
			g := &Generic{Method: "arc", Value: a.Value, Params: map[string]string{}}
			if a.RemoteIP != "" {
				g.Params["smtp.remote-ip"] = a.RemoteIP
			}
			if a.OldestPass > 0 {
				g.Params["header.oldest-pass"] = strconv.Itoa(a.OldestPass)
			}
			r = g
		}
		fixed = append(fixed, r)
	}
	return msgauthres.Format(id, fixed)
}

// Parsed is one parsed Authentication-Results field.
type Parsed struct {
	AuthServID string
	Results    []Result
}

// MaxLen bounds the parsed field.
const MaxLen = 8192

// Parse reads an Authentication-Results value. It never panics; ok is false
// for a value it cannot read.
func Parse(v string) (p Parsed, ok bool) {
	defer func() {
		if recover() != nil {
			p, ok = Parsed{}, false
		}
	}()
	if len(v) > MaxLen {
		return Parsed{}, false
	}
	id, results, err := msgauthres.Parse(v)
	if err != nil {
		return Parsed{AuthServID: id}, false
	}
	return Parsed{AuthServID: id, Results: results}, true
}

// AuthServID reads just the authserv-id of a value (the first token before
// ";" or whitespace), even when the rest does not parse.
func AuthServID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, "; \t\r\n"); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(v)
}
