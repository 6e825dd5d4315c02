package rbl

import (
	"context"
	"net/netip"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// answerAll answers every name with one code derived from its length,
// refusal codes and foreign addresses included.
type answerAll struct{}

func (answerAll) LookupA(_ context.Context, name string) ([]netip.Addr, error) {
	switch len(name) % 5 {
	case 0:
		return nil, &dnsNotFound{}
	case 1:
		return []netip.Addr{netip.AddrFrom4([4]byte{127, 255, 255, byte(len(name))})}, nil
	case 2:
		return []netip.Addr{netip.AddrFrom4([4]byte{203, 0, 113, 1})}, nil
	}
	return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, byte(len(name) % 4), byte(len(name))})}, nil
}

type dnsNotFound struct{}

func (*dnsNotFound) Error() string { return "not found" }
func (*dnsNotFound) Unwrap() error { return dns.ErrNotFound }

// FuzzAnalyze: hostile headers, links and text never crash the target
// gathering, and the query count stays bounded.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte("Received: from x (x [45.33.10.2]) by mx.example.jp\r\nFrom: a@b.example\r\nReply-To: c@d.example\r\n\r\nhttp://e.example/ mailto:x@y.example 0x52908400098527886E0F7030069857D2E4169EE7 1BoatSLRHtKNngkdXEeobR76b53LETtpyT\r\n"))
	f.Add([]byte("From: <@>\r\nReply-To: \"\" <a@[1.2.3.4]>\r\nContent-Type: text/html\r\n\r\n<a href=\"http://[::1]/\">x</a><a href=\"mailto:\">y</a>\r\n"))
	cfg := config.Default()
	cfg.RBL.Enabled = true
	cfg.RBL.Lists = config.RBLBuiltins
	cfg.RBL.DQSKey = "k"
	cfg.Auth.TrustedRelays = []string{"mx.example.jp"}
	cfg.RBL.Custom = []config.RBLList{{Name: "FUZZ", Zone: "f.test", Kind: "domain"}}
	a, err := NewWithResolver(cfg, answerAll{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg := mail.Parse(raw, mail.Limits{MaxSize: 1 << 20})
		ts := a.targets(pipeline.NewTask("f", msg, pipeline.Envelope{}, nil))
		if len(ts) > 1+maxDomains+maxEmails+maxFiles+3*maxWallets {
			t.Fatalf("%d targets", len(ts))
		}
		task := pipeline.NewTask("f", msg, pipeline.Envelope{ClientIP: netip.MustParseAddr("45.33.10.2"), Helo: "h.example"}, nil)
		if err := a.Analyze(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	})
}
