// Package authres writes and reads Authentication-Results header fields
// (RFC 8601) with github.com/emersion/go-msgauth/authres, and finds the
// fields an attacker planted with the organisation's own authserv-id
// (§5: such fields must be removed or ignored).
package authres

import (
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
	return msgauthres.Format(id, results)
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
