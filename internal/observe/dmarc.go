// Package observe holds what runs after the policy's verdict and keeps
// state from it: the recorder of DMARC aggregate report rows (RFC 7489
// §7.2). Analyzers only report and the policy alone decides; what learns
// or records from a decision observes the final verdict here (or, for an
// analyzer's own learned state, through pipeline.Observer), reads the
// envelope's typed Flow, and skips offline scans.
package observe

import (
	"context"
	"log/slog"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/auth/dmarc"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/dmarcrep"
)

// DMARCReports records one report row per live message whose From domain
// asks for aggregate reports, with the disposition finally applied.
type DMARCReports struct {
	Store *dmarcrep.Store
	Log   *slog.Logger
}

// Observe records the row of one scan (an engine observer).
func (d *DMARCReports) Observe(r *pipeline.Result) {
	row, ok := ReportRow(r)
	if !ok {
		return
	}
	if err := d.Store.Record(context.Background(), row); err != nil && d.Log != nil {
		d.Log.Warn("dmarc report row not recorded", "msg_id", r.ID, "err", err)
	}
}

// Disposition is what a DMARC aggregate report calls the action applied:
// delivered is "none", tagged or held is "quarantine". Tempfail has none:
// the message comes back later.
func Disposition(a pipeline.Action) (string, bool) {
	switch a {
	case pipeline.ActionAccept:
		return "none", true
	case pipeline.ActionTag, pipeline.ActionQuarantine:
		return "quarantine", true
	case pipeline.ActionReject:
		return "reject", true
	}
	return "", false
}

// ReportRow builds the row a DMARC aggregate report needs from the
// results the auth analyzer left on the scan, when the From domain asks
// for reports — for live mail only (FlowMail with the SMTP client known
// from the envelope: a report names the source IP, and scanning old
// mailboxes must not report them again). The disposition is the verdict's
// action; when that has none (tempfail), DMARC's own.
func ReportRow(r *pipeline.Result) (dmarcrep.Row, bool) {
	if r.Env.Flow != pipeline.FlowMail {
		return dmarcrep.Row{}, false
	}
	v, _ := r.Get(auth.KeyResults)
	res, _ := v.(*auth.Results)
	v, _ = r.Get(auth.KeyDMARC)
	dm, ok := v.(dmarc.Result)
	if res == nil || !ok || dm.Record == nil || len(dm.Record.ReportURIAggregate) == 0 ||
		(dm.Status != dmarc.Pass && dm.Status != dmarc.Fail) || res.Client.Source != "envelope" || !res.Client.IP.IsValid() {
		return dmarcrep.Row{}, false
	}
	rec := dm.Record
	row := dmarcrep.Row{ScanID: r.ID, Time: time.Now(), PolicyDomain: dm.PolicyDomain, RUA: rec.ReportURIAggregate,
		ADKIM: string(rec.DKIMAlignment), ASPF: string(rec.SPFAlignment), P: string(rec.Policy), SP: string(rec.SubdomainPolicy),
		Pct: 100, HeaderFrom: dm.FromDomain, DKIMAligned: dm.DKIMAligned, SPFAligned: dm.SPFAligned,
		Disposition: string(dm.Disposition)}
	if rec.Percent != nil {
		row.Pct = *rec.Percent
	}
	if row.Disposition == "" || dm.Status == dmarc.Pass {
		row.Disposition = "none"
	}
	if d, ok := Disposition(r.Verdict.Action); ok {
		row.Disposition = d
	}
	row.SourceIP = res.Client.IP.String()
	if res.SPFDone {
		row.EnvelopeFrom, row.SPFResult = res.SPF.Domain, string(res.SPF.Status)
	}
	for _, d := range res.DKIM {
		row.DKIM = append(row.DKIM, dmarcrep.DKIM{Domain: d.Domain, Selector: d.Selector, Result: string(d.Status)})
	}
	return row, true
}
