package dmarcrep

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/auth/dmarc"
	"github.com/sekisho/sekisho/internal/smtpout"
)

// TXTLookuper is the resolver method the destination check needs.
type TXTLookuper interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Destination is one rua= address with why it is (not) used.
type Destination struct {
	Addr string
	Skip string // "" when the report goes there
}

// Destinations reads a report's mailto: URIs (RFC 7489 §6.2) and checks
// them: a size limit ("!10m") smaller than the report, and an address
// outside the policy domain's organisation that has not agreed to receive
// its reports (§7.1: a "v=DMARC1" TXT record at
// POLICYDOMAIN._report._dmarc.DESTDOMAIN), are skipped.
func Destinations(ctx context.Context, r TXTLookuper, rep *Report, size int) []Destination {
	var out []Destination
	for _, u := range rep.RUA {
		u = strings.TrimSpace(u)
		if !strings.HasPrefix(strings.ToLower(u), "mailto:") {
			out = append(out, Destination{Addr: u, Skip: "not a mailto: URI"})
			continue
		}
		addr := u[len("mailto:"):]
		limit := int64(0)
		if i := strings.LastIndexByte(addr, '!'); i >= 0 {
			limit = parseSize(addr[i+1:])
			addr = addr[:i]
		}
		at := strings.LastIndexByte(addr, '@')
		if at <= 0 || strings.ContainsFunc(addr, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune("<>()[],;:\\\"", r) }) {
			out = append(out, Destination{Addr: addr, Skip: "not an address"})
			continue
		}
		dom := strings.ToLower(addr[at+1:])
		d := Destination{Addr: addr}
		switch {
		case limit > 0 && int64(size) > limit:
			d.Skip = fmt.Sprintf("report of %d bytes over the limit of %d", size, limit)
		case dmarc.OrgDomain(dom) != dmarc.OrgDomain(rep.PolicyDomain) && !agreed(ctx, r, rep.PolicyDomain, dom):
			d.Skip = "external destination without " + rep.PolicyDomain + "._report._dmarc." + dom
		}
		out = append(out, d)
	}
	return out
}

func agreed(ctx context.Context, r TXTLookuper, policy, dest string) bool {
	txts, err := r.LookupTXT(ctx, policy+"._report._dmarc."+dest)
	if err != nil {
		return false
	}
	for _, t := range txts {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(t)), "v=dmarc1") {
			return true
		}
	}
	return false
}

// parseSize reads "10m", "500k", "1g", "2048" (bytes).
func parseSize(s string) int64 {
	s = strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k':
			mult, s = 1<<10, s[:n-1]
		case 'm':
			mult, s = 1<<20, s[:n-1]
		case 'g':
			mult, s = 1<<30, s[:n-1]
		case 't':
			mult, s = 1<<40, s[:n-1]
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v * mult
}

// Message is the report mail (§7.2.1.1): subject "Report Domain: …
// Submitter: … Report-ID: <…>", the gzipped XML attached.
func Message(rep Reporter, r *Report, to string, now time.Time) []byte {
	gz := r.Gzip()
	name := r.FileName(rep.Domain)
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <%s.%d@%s>\r\n", headerSafe(rep.Email), headerSafe(to), now.Format(time.RFC1123Z), r.ID, now.Unix(), headerSafe(rep.Domain))
	fmt.Fprintf(&b, "Subject: Report Domain: %s Submitter: %s Report-ID: <%s>\r\n", headerSafe(r.PolicyDomain), headerSafe(rep.Domain), r.ID)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_dmarc\"\r\n\r\n")
	fmt.Fprintf(&b, "--=_dmarc\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nDMARC aggregate report for %s from %s, %s to %s (%d messages).\r\n",
		headerSafe(r.PolicyDomain), headerSafe(rep.Domain), r.Begin.UTC().Format(time.RFC3339), r.End.UTC().Format(time.RFC3339), r.Messages)
	fmt.Fprintf(&b, "--=_dmarc\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", strings.ReplaceAll(headerSafe(name), `"`, ""))
	enc := base64.StdEncoding.EncodeToString(gz)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--=_dmarc--\r\n")
	return []byte(b.String())
}

// headerSafe keeps a value that comes from DNS or a message (the policy
// domain, a rua= address) from breaking out of its header line.
func headerSafe(v string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v)
}

// Send hands msg to the relay (host:port), the organisation's own MTA,
// which delivers it onwards (STARTTLS when offered).
func Send(ctx context.Context, relay, helo, from string, to []string, msg []byte) error {
	if err := smtpout.Send(ctx, smtpout.Options{Addr: relay, Helo: helo}, from, to, msg); err != nil {
		return fmt.Errorf("dmarcrep: %w", err)
	}
	return nil
}
