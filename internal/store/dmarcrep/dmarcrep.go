// Package dmarcrep keeps what DMARC aggregate reports (RFC 7489 §7.2,
// Appendix C) need — one row per evaluated message whose From domain asks
// for reports (rua=) — and turns the rows of a period into the report
// XML for each policy domain, gzipped and named as §7.2.1.1 says.
//
// The rows live in an SQLite file (modernc.org/sqlite, no cgo) under the
// data directory; `sekisho serve` writes them, `sekisho dmarc-report`
// (or serve's daily run) reads them.
package dmarcrep

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/sekisho/sekisho/internal/store/migrate"
)

// DKIM is one DKIM signature's result.
type DKIM struct {
	Domain   string `json:"d"`
	Selector string `json:"s"`
	Result   string `json:"r"` // none pass fail policy neutral temperror permerror
}

// Row is one evaluated message.
type Row struct {
	ScanID       string
	Time         time.Time
	PolicyDomain string   // where the DMARC record was found
	RUA          []string // the record's rua= URIs
	ADKIM, ASPF  string   // "r" or "s"
	P, SP        string   // none quarantine reject
	Pct          int
	SourceIP     string
	HeaderFrom   string
	EnvelopeFrom string // the SPF domain
	SPFResult    string // none neutral pass fail softfail temperror permerror
	DKIM         []DKIM
	DKIMAligned  bool // the DMARC evaluation of DKIM: pass when aligned
	SPFAligned   bool
	// Disposition is the action applied: none, quarantine or reject.
	Disposition string
}

// Store is the row file. Safe for concurrent use.
type Store struct{ db *sql.DB }

// Migrations of the file: version 1 is the first release's schema, frozen.
var Migrations = []migrate.Step{{Version: 1, Name: "first release: DMARC report rows", SQL: []string{schema}}}

const schema = `
CREATE TABLE IF NOT EXISTS rows (
	scan_id TEXT NOT NULL,
	ts INTEGER NOT NULL,
	policy_domain TEXT NOT NULL,
	rua TEXT NOT NULL,
	adkim TEXT NOT NULL, aspf TEXT NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL, pct INTEGER NOT NULL,
	source_ip TEXT NOT NULL, header_from TEXT NOT NULL, envelope_from TEXT NOT NULL,
	spf TEXT NOT NULL, dkim TEXT NOT NULL,
	dkim_aligned INTEGER NOT NULL, spf_aligned INTEGER NOT NULL,
	disposition TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rows_ts ON rows (ts);
CREATE INDEX IF NOT EXISTS rows_scan ON rows (scan_id);
`

// Open opens (creating) the file.
func Open(path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("dmarcrep: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := migrate.Apply(context.Background(), db, "sqlite", "dmarcrep", Migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("dmarcrep: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

func clip(v string, n int) string {
	if len(v) > n {
		return v[:n]
	}
	return v
}

// ErrBadDomain refuses a row whose policy domain is not a host name: it
// names report files and goes into report mail.
var ErrBadDomain = errors.New("dmarcrep: policy domain is not a host name")

// hostName reports whether d looks like a DNS host name (IDN in U-labels
// allowed): no separators, spaces, control characters or empty labels.
func hostName(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
	}
	return !strings.ContainsFunc(d, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`/\:*?"<>|!@%`, r)
	})
}

// Record adds a row.
func (s *Store) Record(ctx context.Context, r Row) error {
	if !hostName(r.PolicyDomain) || !hostName(r.HeaderFrom) {
		return ErrBadDomain
	}
	if len(r.DKIM) > 10 {
		r.DKIM = r.DKIM[:10]
	}
	if len(r.RUA) > 10 {
		r.RUA = r.RUA[:10]
	}
	dk, _ := json.Marshal(r.DKIM)
	rua, _ := json.Marshal(r.RUA)
	_, err := s.db.ExecContext(ctx, `INSERT INTO rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		clip(r.ScanID, 64), r.Time.Unix(), clip(strings.ToLower(r.PolicyDomain), 255), string(rua),
		r.ADKIM, r.ASPF, r.P, r.SP, r.Pct, clip(r.SourceIP, 64), clip(strings.ToLower(r.HeaderFrom), 255),
		clip(strings.ToLower(r.EnvelopeFrom), 255), r.SPFResult, string(dk), r.DKIMAligned, r.SPFAligned, r.Disposition)
	if err != nil {
		return fmt.Errorf("dmarcrep: record: %w", err)
	}
	return nil
}

// SetDisposition records the action finally applied to a scan's message
// (the policy decides after the DMARC check): "reject" for reject,
// "quarantine" for quarantine or tag, "none" for delivery.
func (s *Store) SetDisposition(ctx context.Context, scanID, disposition string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE rows SET disposition = ? WHERE scan_id = ?`, disposition, scanID)
	return err
}

// Rows returns the rows of [from, to).
func (s *Store) Rows(ctx context.Context, from, to time.Time) ([]Row, error) {
	q, err := s.db.QueryContext(ctx, `SELECT scan_id, ts, policy_domain, rua, adkim, aspf, p, sp, pct, source_ip,
		header_from, envelope_from, spf, dkim, dkim_aligned, spf_aligned, disposition FROM rows WHERE ts >= ? AND ts < ? ORDER BY ts`,
		from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("dmarcrep: %w", err)
	}
	defer q.Close()
	var out []Row
	for q.Next() {
		var r Row
		var ts int64
		var rua, dk string
		if err := q.Scan(&r.ScanID, &ts, &r.PolicyDomain, &rua, &r.ADKIM, &r.ASPF, &r.P, &r.SP, &r.Pct, &r.SourceIP,
			&r.HeaderFrom, &r.EnvelopeFrom, &r.SPFResult, &dk, &r.DKIMAligned, &r.SPFAligned, &r.Disposition); err != nil {
			return nil, fmt.Errorf("dmarcrep: %w", err)
		}
		r.Time = time.Unix(ts, 0)
		_ = json.Unmarshal([]byte(rua), &r.RUA)
		_ = json.Unmarshal([]byte(dk), &r.DKIM)
		out = append(out, r)
	}
	return out, q.Err()
}

// Prune removes the rows older than before.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM rows WHERE ts < ?`, before.Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Reporter describes the organisation that sends the reports.
type Reporter struct {
	OrgName string // e.g. "example.jp"
	Email   string // contact address, also the From of report mail
	// Domain names the receiver in file names ("receiver!policy!begin!end").
	Domain string
}

// Report is one aggregate report: one policy domain, one period.
type Report struct {
	PolicyDomain string
	RUA          []string
	ID           string
	Begin, End   time.Time
	XML          []byte
	Messages     int
}

// FileName is the §7.2.1.1 name of the gzipped report.
func (r *Report) FileName(receiver string) string {
	return fmt.Sprintf("%s!%s!%d!%d!%s.xml.gz", receiver, r.PolicyDomain, r.Begin.Unix(), r.End.Unix(), r.ID)
}

// Gzip returns the compressed XML.
func (r *Report) Gzip() []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(r.XML)
	z.Close()
	return b.Bytes()
}

// The Appendix C schema, as much as sekisho fills.
type feedback struct {
	XMLName         xml.Name        `xml:"feedback"`
	Version         string          `xml:"version"`
	ReportMetadata  reportMetadata  `xml:"report_metadata"`
	PolicyPublished policyPublished `xml:"policy_published"`
	Records         []record        `xml:"record"`
}

type reportMetadata struct {
	OrgName   string    `xml:"org_name"`
	Email     string    `xml:"email"`
	ReportID  string    `xml:"report_id"`
	DateRange dateRange `xml:"date_range"`
}

type dateRange struct {
	Begin int64 `xml:"begin"`
	End   int64 `xml:"end"`
}

type policyPublished struct {
	Domain string `xml:"domain"`
	ADKIM  string `xml:"adkim"`
	ASPF   string `xml:"aspf"`
	P      string `xml:"p"`
	SP     string `xml:"sp"`
	Pct    int    `xml:"pct"`
}

type record struct {
	Row         xmlRow      `xml:"row"`
	Identifiers identifiers `xml:"identifiers"`
	AuthResults authResults `xml:"auth_results"`
}

type xmlRow struct {
	SourceIP        string          `xml:"source_ip"`
	Count           int             `xml:"count"`
	PolicyEvaluated policyEvaluated `xml:"policy_evaluated"`
}

type policyEvaluated struct {
	Disposition string `xml:"disposition"`
	DKIM        string `xml:"dkim"`
	SPF         string `xml:"spf"`
}

type identifiers struct {
	EnvelopeFrom string `xml:"envelope_from,omitempty"`
	HeaderFrom   string `xml:"header_from"`
}

type authResults struct {
	DKIM []dkimResult `xml:"dkim"`
	SPF  []spfResult  `xml:"spf"`
}

type dkimResult struct {
	Domain   string `xml:"domain"`
	Selector string `xml:"selector,omitempty"`
	Result   string `xml:"result"`
}

type spfResult struct {
	Domain string `xml:"domain"`
	Scope  string `xml:"scope"`
	Result string `xml:"result"`
}

func passFail(b bool) string {
	if b {
		return "pass"
	}
	return "fail"
}

// Build groups rows into one report per policy domain for [begin, end):
// identical rows (source, identifiers, results, disposition) are counted
// together. The policy published is the latest row's.
func Build(rows []Row, rep Reporter, begin, end time.Time) []Report {
	byDomain := map[string][]Row{}
	var domains []string
	for _, r := range rows {
		if _, ok := byDomain[r.PolicyDomain]; !ok {
			domains = append(domains, r.PolicyDomain)
		}
		byDomain[r.PolicyDomain] = append(byDomain[r.PolicyDomain], r)
	}
	sort.Strings(domains)
	var out []Report
	for _, d := range domains {
		rs := byDomain[d]
		last := rs[len(rs)-1]
		h := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d|%d", rep.Domain, d, begin.Unix(), end.Unix())))
		id := hex.EncodeToString(h[:8])
		fb := feedback{Version: "1.0",
			ReportMetadata: reportMetadata{OrgName: rep.OrgName, Email: rep.Email, ReportID: id,
				DateRange: dateRange{Begin: begin.Unix(), End: end.Unix()}},
			PolicyPublished: policyPublished{Domain: d, ADKIM: orDefault(last.ADKIM, "r"), ASPF: orDefault(last.ASPF, "r"),
				P: orDefault(last.P, "none"), SP: orDefault(last.SP, orDefault(last.P, "none")), Pct: last.Pct}}
		index := map[string]int{}
		for _, r := range rs {
			rec := record{
				Row: xmlRow{SourceIP: r.SourceIP, Count: 1, PolicyEvaluated: policyEvaluated{
					Disposition: orDefault(r.Disposition, "none"), DKIM: passFail(r.DKIMAligned), SPF: passFail(r.SPFAligned)}},
				Identifiers: identifiers{EnvelopeFrom: r.EnvelopeFrom, HeaderFrom: r.HeaderFrom},
			}
			for _, k := range r.DKIM {
				rec.AuthResults.DKIM = append(rec.AuthResults.DKIM, dkimResult{Domain: k.Domain, Selector: k.Selector, Result: k.Result})
			}
			if r.EnvelopeFrom != "" || r.SPFResult != "" {
				rec.AuthResults.SPF = append(rec.AuthResults.SPF, spfResult{Domain: r.EnvelopeFrom, Scope: "mfrom", Result: orDefault(r.SPFResult, "none")})
			}
			key, _ := json.Marshal(struct {
				I identifiers
				A authResults
				P policyEvaluated
				S string
			}{rec.Identifiers, rec.AuthResults, rec.Row.PolicyEvaluated, rec.Row.SourceIP})
			if i, ok := index[string(key)]; ok {
				fb.Records[i].Row.Count++
				continue
			}
			index[string(key)] = len(fb.Records)
			fb.Records = append(fb.Records, rec)
		}
		body, _ := xml.MarshalIndent(fb, "", "  ")
		out = append(out, Report{PolicyDomain: d, RUA: last.RUA, ID: id, Begin: begin, End: end,
			XML: append([]byte(xml.Header), body...), Messages: len(rs)})
	}
	return out
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
