package dmarcrep

import (
	"context"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

func TestStoreAndBuild(t *testing.T) {
	ctx := context.Background()
	st, err := Open(filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Unix(1795350000, 0)
	base := Row{Time: now, PolicyDomain: "Sender.Example", RUA: []string{"mailto:d@sender.example"}, ADKIM: "r", ASPF: "s",
		P: "reject", Pct: 100, SourceIP: "192.0.2.7", HeaderFrom: "sender.example", EnvelopeFrom: "sender.example",
		SPFResult: "pass", SPFAligned: true, DKIM: []DKIM{{"sender.example", "s1", "pass"}}, DKIMAligned: true, Disposition: "none"}
	for i, id := range []string{"a", "b", "c"} {
		r := base
		r.ScanID = id
		if i == 2 {
			r.SourceIP, r.SPFResult, r.SPFAligned, r.DKIM, r.DKIMAligned, r.Disposition = "203.0.113.9", "fail", false, nil, false, "reject"
		}
		if err := st.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	old := base
	old.Time = now.Add(-30 * 24 * time.Hour)
	st.Record(ctx, old)
	if err := st.SetDisposition(ctx, "c", "quarantine"); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Rows(ctx, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil || len(rows) != 3 || rows[0].DKIM[0].Selector != "s1" || rows[0].RUA[0] != "mailto:d@sender.example" {
		t.Fatalf("%v %+v", err, rows)
	}
	reps := Build(rows, Reporter{OrgName: "Example", Email: "r@example.jp", Domain: "mx.example.jp"}, now.Add(-time.Hour), now.Add(time.Hour))
	if len(reps) != 1 || reps[0].Messages != 3 || reps[0].PolicyDomain != "sender.example" {
		t.Fatalf("%+v", reps)
	}
	var fb feedback
	if err := xml.Unmarshal(reps[0].XML, &fb); err != nil {
		t.Fatal(err)
	}
	if len(fb.Records) != 2 || fb.Records[0].Row.Count != 2 || fb.Records[1].Row.PolicyEvaluated.Disposition != "quarantine" ||
		fb.PolicyPublished.ASPF != "s" || fb.PolicyPublished.SP != "reject" {
		t.Fatalf("%+v", fb)
	}
	if n := reps[0].FileName("mx.example.jp"); !strings.HasPrefix(n, "mx.example.jp!sender.example!1795346400!1795353600!") || !strings.HasSuffix(n, ".xml.gz") {
		t.Error(n)
	}
	if n, err := st.Prune(ctx, now.Add(-7*24*time.Hour)); err != nil || n != 1 {
		t.Errorf("prune: %d %v", n, err)
	}
}

func TestDestinations(t *testing.T) {
	srv := dnstest.Start(t)
	srv.TXT(t, "sender.example._report._dmarc.collector.example", "v=DMARC1")
	r := &Report{PolicyDomain: "mail.sender.example", RUA: []string{"mailto:d@sender.example", "mailto:big@sender.example!1k",
		"mailto:c@collector.example!10m", "mailto:x@stranger.example", "https://x.example/", "mailto:broken"}}
	got := map[string]string{}
	r.PolicyDomain = "sender.example"
	for _, d := range Destinations(context.Background(), srv.Resolver(t), r, 5000) {
		got[d.Addr] = d.Skip
	}
	if got["d@sender.example"] != "" || got["c@collector.example"] != "" || !strings.Contains(got["big@sender.example"], "over the limit") ||
		!strings.Contains(got["x@stranger.example"], "external destination") || got["https://x.example/"] == "" || got["broken"] == "" {
		t.Fatalf("%v", got)
	}
	for in, want := range map[string]int64{"10m": 10 << 20, "500k": 500 << 10, "2048": 2048, "1g": 1 << 30, "x": 0} {
		if v := parseSize(in); v != want {
			t.Errorf("parseSize(%q) = %d", in, v)
		}
	}
}

// TestHostileValues: what comes from DNS or a message cannot add header
// lines to the report mail or recipients to its envelope.
func TestHostileValues(t *testing.T) {
	srv := dnstest.Start(t)
	r := &Report{PolicyDomain: "sender.example", ID: "x",
		RUA: []string{"mailto:d@sender.example\r\nBcc: victim@example.org", "mailto:ok@sender.example"}}
	ds := Destinations(context.Background(), srv.Resolver(t), r, 10)
	if len(ds) != 2 || ds[0].Skip == "" || ds[1].Skip != "" {
		t.Fatalf("%+v", ds)
	}
	r.PolicyDomain = "sender.example\r\nBcc: victim@example.org"
	for _, bad := range []string{"../../etc", "a/b.example", "x\r\ny.example", "", "a..b"} {
		if err := (&Store{}).Record(context.Background(), Row{PolicyDomain: bad, HeaderFrom: "sender.example"}); err != ErrBadDomain {
			t.Errorf("%q: %v", bad, err)
		}
	}
	msg := string(Message(Reporter{OrgName: "o", Email: "r@example.jp", Domain: "mx.example.jp"}, r, "ok@sender.example", time.Unix(0, 0)))
	if strings.Contains(msg, "\r\nBcc:") {
		t.Fatalf("header injected:\n%s", msg)
	}
}
