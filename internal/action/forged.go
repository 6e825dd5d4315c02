package action

import (
	"bytes"
	"net/textproto"
	"strings"

	"github.com/sekisho/sekisho/internal/ascii"
	"github.com/sekisho/sekisho/internal/auth/authres"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Forged copies of sekisho's own headers (issue 14): a sender can write
// X-Spam-Flag: NO, X-Sekisho-Verdict: action=accept or an
// Authentication-Results field naming this host's authserv-id, and a
// downstream filter (Sieve, the mail client, the next hop) would trust
// it. Every front end removes them before delivery (RFC 8601 §5 for
// Authentication-Results):
//
//   - X-Spam-* (X-Spam-Flag, -Score, -Status, -Symbols, -Level, ...),
//   - X-Sekisho-* (X-Sekisho-Verdict, ...),
//   - Authentication-Results whose authserv-id is this host's
//     ([auth] authserv_id, else [general] hostname).
//
// Authentication-Results of other hosts stay (the auth analyzer may trust
// them, [auth] trusted_authserv_ids), as do ARC sets (a chain).

// ServID is the authserv-id sekisho writes in Authentication-Results
// (the auth analyzer's rule).
func ServID(cfg *config.Config) string {
	if cfg == nil {
		return "localhost"
	}
	if id := cfg.Auth.AuthServID; id != "" {
		return id
	}
	if cfg.General.Hostname != "" {
		return cfg.General.Hostname
	}
	return "localhost"
}

// OwnHeader reports whether an incoming field (name, raw value) is a copy
// of one sekisho adds, to be removed before delivery.
func OwnHeader(name, value, servID string) bool {
	if isASCII(name) {
		// Most names: compared without a lower-case copy. (ToLower
		// maps some non-ASCII letters to ASCII ones, the Kelvin sign
		// to k: other names take the general way.)
		n := strings.TrimSpace(name)
		switch {
		case ascii.HasPrefixLower(n, "x-spam-"), ascii.HasPrefixLower(n, "x-sekisho-"):
			return true
		case len(n) == len("authentication-results") && ascii.HasPrefixLower(n, "authentication-results"):
			return servID != "" && authres.AuthServID(value) == strings.ToLower(servID)
		}
		return false
	}
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case strings.HasPrefix(n, "x-spam-"), strings.HasPrefix(n, "x-sekisho-"):
		return true
	case n == "authentication-results":
		return servID != "" && authres.AuthServID(value) == strings.ToLower(servID)
	}
	return false
}

// StripField names one field to remove: its name (canonical form) and its
// place among the fields of that name (1-based), as the milter protocol
// and Rspamd's remove_headers count.
type StripField struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

// StripList lists the forged copies among fields, in order.
func StripList(fields []pipeline.HeaderField, servID string) []StripField {
	// Nearly every message has none: found without counting the names.
	i := 0
	for i < len(fields) && !OwnHeader(fields[i].Name, fields[i].Value, servID) {
		i++
	}
	if i == len(fields) {
		return nil
	}
	var out []StripField
	seen := map[string]int{}
	for _, f := range fields {
		n := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(f.Name))
		seen[n]++
		if OwnHeader(f.Name, f.Value, servID) {
			out = append(out, StripField{Name: n, Index: seen[n]})
		}
	}
	return out
}

// stripHeader drops forged copies from a raw header block (with their
// folded lines), in one pass.
func stripHeader(header []byte, servID string) []byte {
	if servID == "" {
		return header
	}
	var out []byte
	dropping := false
	changed := false
	for i := 0; i < len(header); {
		j := bytes.IndexByte(header[i:], '\n')
		end := len(header)
		if j >= 0 {
			end = i + j + 1
		}
		line := header[i:end]
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if !dropping {
				out = append(out, line...)
			}
			i = end
			continue
		}
		dropping = false
		if k := bytes.IndexByte(line, ':'); k > 0 {
			// The whole field (with folds) decides for Authentication-Results.
			fe := end
			for fe < len(header) && (header[fe] == ' ' || header[fe] == '\t') {
				n := bytes.IndexByte(header[fe:], '\n')
				if n < 0 {
					fe = len(header)
					break
				}
				fe += n + 1
			}
			if OwnHeader(string(line[:k]), string(header[i+k+1:fe]), servID) {
				dropping, changed = true, true
				i = end
				continue
			}
		}
		out = append(out, line...)
		i = end
	}
	if !changed {
		return header
	}
	return out
}
