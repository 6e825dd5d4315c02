package rbl

import (
	"context"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestNSMX: with ns_mx on, the registrable domains of a link domain's
// name servers and mail exchangers are asked at the domain lists and a
// hit scores half; off (the default), they are not looked up; a failing
// NS/MX lookup adds nothing; the per-message bound holds.
func TestNSMX(t *testing.T) {
	s := zones(t)
	s.Add(t,
		"fresh-throwaway.example. 300 IN NS ns1.bad-dns.example.",
		"fresh-throwaway.example. 300 IN NS ns2.bad-dns.example.",
		"fresh-throwaway.example. 300 IN MX 10 mx.bad-mail.example.",
		"bad-dns.example.dbl.spamhaus.org. 300 IN A 127.0.1.2",
		"bad-mail.example.multi.uribl.com. 300 IN A 127.0.0.2",
		"other.example. 300 IN NS ns.clean-dns.example.",
	)
	s.ServFail("failing-ns.example")
	msg := "From: a@sender.example\nTo: b@example.jp\nSubject: hi\n\nsee https://fresh-throwaway.example/x and https://other.example/ and https://failing-ns.example/\n"
	off := scan(t, analyzer(t, s, nil), msg, pipeline.Envelope{})
	if len(off) != 0 {
		t.Errorf("ns_mx off: %v", off)
	}
	a := analyzer(t, s, func(c *config.Config) { c.RBL.NSMX = true })
	task := pipeline.NewTask("t", mail.Parse([]byte(strings.ReplaceAll(msg, "\n", "\r\n")), mail.Limits{}), pipeline.Envelope{}, nil)
	if err := a.Analyze(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	got := map[string]pipeline.Hit{}
	for _, h := range task.Hits() {
		got[h.Name] = h
	}
	if h, ok := got[SymDBLSpam]; !ok || h.Factor != 0.5 || len(h.Options) != 1 || h.Options[0] != "ns1.bad-dns.example (NS of link fresh-throwaway.example)" {
		t.Errorf("DBL via NS: %+v", h)
	}
	if h, ok := got[SymURIBLBlack]; !ok || h.Factor != 0.5 || h.Options[0] != "mx.bad-mail.example (MX of link fresh-throwaway.example)" {
		t.Errorf("URIBL via MX: %+v", h)
	}
	if len(got) != 2 {
		t.Errorf("hits %v", got)
	}
	// Bound: only ns_mx_domains link domains are looked up.
	b := analyzer(t, s, func(c *config.Config) { c.RBL.NSMX = true; c.RBL.NSMXDomains = 1 })
	ts := b.targets(pipeline.NewTask("t", mail.Parse([]byte(strings.ReplaceAll(msg, "\n", "\r\n")), mail.Limits{}), pipeline.Envelope{}, nil))
	before := s.Queries()
	b.nsmxTargets(context.Background(), pipeline.NewTask("t", &mail.Message{}, pipeline.Envelope{}, nil), ts)
	if n := s.Queries() - before; n != 2 {
		t.Errorf("NS/MX queries for one domain: %d, want 2", n)
	}
}
