package observe_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/observe"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/dmarcrep"
)

// DMARC report rows are recorded by an observer of the final verdict (not
// by the auth analyzer), for live mail only, with the action applied as
// the disposition.
func TestDMARCReportRows(t *testing.T) {
	srv := dnstest.Start(t)
	srv.TXT(t, "sender.example.com", "v=spf1 ip4:198.51.100.0/24 -all")
	srv.TXT(t, "_dmarc.sender.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example.com")
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Auth.DMARCReports = true
	r, err := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	authF := func(c *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
		return authz.NewWithResolver(c, r)
	}
	eng, err := engine.New(cfg, engine.Options{Factories: []engine.Factory{authF}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	st, err := dmarcrep.Open(filepath.Join(t.TempDir(), "rows.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng.Observe((&observe.DMARCReports{Store: st}).Observe)

	msg := []byte("From: x@sender.example.com\r\nTo: staff@example.co.jp\r\nSubject: hi\r\nMessage-ID: <m1@x>\r\n\r\nHello.\r\n")
	live := func(ip string) pipeline.Envelope {
		return pipeline.Envelope{Flow: pipeline.FlowMail, Frontend: "milter", ClientIP: netip.MustParseAddr(ip),
			Helo: "mail.sender.example.com", MailFrom: "x@sender.example.com", Rcpts: []string{"staff@example.co.jp"}}
	}
	pass := eng.Scan(context.Background(), msg, live("198.51.100.7"))
	fail := eng.Scan(context.Background(), msg, live("203.0.113.9"))
	offline := live("198.51.100.7")
	offline.Flow = pipeline.FlowOffline
	eng.Scan(context.Background(), msg, offline)

	rows, err := st.Rows(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (the offline scan records none): %+v", len(rows), rows)
	}
	byID := map[string]dmarcrep.Row{}
	for _, row := range rows {
		byID[row.ScanID] = row
	}
	p, f := byID[pass.ID], byID[fail.ID]
	if p.SPFResult != "pass" || !p.SPFAligned || p.SourceIP != "198.51.100.7" || p.Disposition != "none" {
		t.Errorf("pass row %+v", p)
	}
	want, _ := observe.Disposition(fail.Verdict.Action)
	if f.SPFResult != "fail" || f.SPFAligned || f.Disposition != want {
		t.Errorf("fail row %+v (verdict %s)", f, fail.Verdict.Action)
	}
}

func TestDisposition(t *testing.T) {
	for a, want := range map[pipeline.Action]string{
		pipeline.ActionAccept: "none", pipeline.ActionTag: "quarantine", pipeline.ActionQuarantine: "quarantine",
		pipeline.ActionReject: "reject", pipeline.ActionTempfail: "",
	} {
		if got, ok := observe.Disposition(a); got != want || ok != (want != "") {
			t.Errorf("%s: %q %v", a, got, ok)
		}
	}
}
