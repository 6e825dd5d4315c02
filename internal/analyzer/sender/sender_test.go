package sender_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/contacts"
)

func scan(t *testing.T, e *engine.Engine, raw string, env pipeline.Envelope) map[string]float64 {
	t.Helper()
	r := e.Scan(context.Background(), []byte(strings.ReplaceAll(raw, "\n", "\r\n")), env)
	m := map[string]float64{}
	for _, s := range r.Verdict.Symbols {
		m[s.Name] = s.Score
	}
	return m
}

func mail(from, replyTo, subject, body string) string {
	s := "From: " + from + "\nTo: keiri@example.co.jp\n"
	if replyTo != "" {
		s += "Reply-To: " + replyTo + "\n"
	}
	return s + "Subject: " + subject + "\nDate: Mon, 10 Mar 2025 10:00:00 +0900\nMessage-ID: <" + strings.ReplaceAll(from, " ", "") + "@t>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n" + body + "\n"
}

func TestProtectedPeople(t *testing.T) {
	e := newEngine(t, t.TempDir(), nil)
	cli := pipeline.Envelope{Frontend: "cli"}
	for _, from := range []string{
		"=?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@gmail.com>", // 山田 太郎
		"Taro Yamada <t.yamada.office@gmail.com>",
		"Yamada Taro <yamada@partner-lookalike.example>",
		"\"YAMADA, Taro\" <ty@yahoo.co.jp>",
		"ＴａｒｏＹａｍａｄａ <ty@yahoo.co.jp>",
	} {
		got := scan(t, e, mail(from, "", "hello", "hi"), cli)
		if got[sender.SymProtectedName] == 0 {
			t.Errorf("%s: protected name not found: %v", from, got)
		}
	}
	// The person's real address, and colleagues inside, are fine.
	for _, from := range []string{"Taro Yamada <t.yamada@example.co.jp>", "Hanako Sato <h.sato@partner-corp.co.jp>"} {
		if got := scan(t, e, mail(from, "", "hello", "hi"), cli); got[sender.SymProtectedName] != 0 {
			t.Errorf("%s: flagged", from)
		}
	}
	got := scan(t, e, mail("Taro Yamada <ty@gmail.com>", "ty@outlook.jp", "至急", "至急、送金をお願いします。"), cli)
	for _, s := range []string{sender.SymProtectedName, sender.SymExecFreemail, sender.SymPaymentRequest} {
		if got[s] == 0 {
			t.Errorf("webmail CEO: missing %s: %v", s, got)
		}
	}
}

func TestLookalikes(t *testing.T) {
	e := newEngine(t, t.TempDir(), nil)
	cli := pipeline.Envelope{Frontend: "cli"}
	cases := map[string]string{
		"Billing <billing@examp1e.co.jp>":        sender.SymLookalikeOrg,
		"Billing <billing@example-co-jp.com>":    sender.SymLookalikeOrg,
		"Billing <billing@partner-corp.com>":     sender.SymLookalikeOrg,
		"Support <support@micros0ft.com>":        sender.SymLookalike,
		"Security <no-reply@rakuten-secure.top>": sender.SymLookalike,
		"Amazon <account@amazon.co.jp>":          "",
		"Shop <shop@xn--mercri-gye.com>":         "",
		"Cousin <friend@example.org>":            sender.SymLookalikeOrg,
		"Friend <friend@kyoto-u.ac.jp>":          "",
		"楽天市場 <info@rakuten-card-login.xyz>":     sender.SymLookalike,
		"三井住友カード <vpass@smbc-card-update.net>":   sender.SymLookalike,
		"えきねっと <info@eki-net.com>":               "",
		"KAGOYA <support@kagoya.jp>":             "",
		"KAGOYA Support <support@kag0ya-jp.com>": sender.SymLookalike,
		"Throwaway <a@mailinator.com>":           sender.SymDisposable,
		"Sales <sales@acme-trading.com>":         "",
		"Yahoo friend <someone@yahoo.co.uk>":     "",
		"株式会社テスト商事 <test.shoji@gmail.com>":       sender.SymCompanyFreemail,
	}
	for from, want := range cases {
		got := scan(t, e, mail(from, "", "hello", "hi"), cli)
		if want == "" {
			for _, s := range []string{sender.SymLookalike, sender.SymLookalikeOrg, sender.SymDisplayBrand} {
				if got[s] != 0 {
					t.Errorf("%s: unexpected %s", from, s)
				}
			}
			continue
		}
		if got[want] == 0 {
			t.Errorf("%s: missing %s (got %v)", from, want, got)
		}
	}
}

// TestFirstContactLearning: history is learned from the mail flow and
// from 'learn --ham', not from scan/eval; first contact alone scores little.
func TestFirstContactLearning(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse(testConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.General.DataDir = dir
	cfg.Sender.MinHistory = 2
	st, err := contacts.Open(filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := sender.NewAnalyzer(cfg, st)
	e, err := engine.New(cfg, engine.Options{Factories: []engine.Factory{}, Analyzers: []pipeline.Analyzer{a}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	flow := pipeline.Envelope{Frontend: "milter", Rcpts: []string{"keiri@example.co.jp"}}
	// No history yet: no first contact.
	if got := scan(t, e, mail("A <a@one.example>", "", "hello", "hi"), flow); got[sender.SymFirstContact] != 0 {
		t.Errorf("first contact without history")
	}
	scan(t, e, mail("B <b@two.example>", "", "hello", "hi"), flow)
	// Now the recipient has history: a new sender is a first contact...
	got := scan(t, e, mail("C <c@three.example>", "", "hello", "hi"), flow)
	if got[sender.SymFirstContact] == 0 || got[sender.SymFirstContact] > 0.5 {
		t.Errorf("first contact: %v", got)
	}
	// ...but the learned ones and their domains are not.
	for _, from := range []string{"A <a@one.example>", "Other <other@two.example>"} {
		if got := scan(t, e, mail(from, "", "hello", "hi"), flow); got[sender.SymFirstContact] != 0 {
			t.Errorf("%s: first contact after learning", from)
		}
	}
	// Outbound mail teaches its recipients.
	out := pipeline.Envelope{Frontend: "milter", Outbound: true, MailFrom: "keiri@example.co.jp", Rcpts: []string{"d@four.example"}}
	e.Scan(context.Background(), []byte("From: keiri@example.co.jp\r\nTo: d@four.example\r\nSubject: x\r\nMessage-ID: <out1@example.co.jp>\r\n\r\nx\r\n"), out)
	if got := scan(t, e, mail("D <d@four.example>", "", "Re: x", "ok"), flow); got[sender.SymFirstContact] != 0 {
		t.Errorf("outbound correspondent is a first contact")
	}
	// Scanning from the CLI learns nothing.
	scan(t, e, mail("E <e@five.example>", "", "hello", "hi"), pipeline.Envelope{Frontend: "cli", Rcpts: []string{"keiri@example.co.jp"}})
	if got := scan(t, e, mail("E <e@five.example>", "", "hello", "hi"), pipeline.Envelope{Frontend: "cli", Rcpts: []string{"keiri@example.co.jp"}}); got[sender.SymFirstContact] == 0 {
		t.Errorf("cli scan learned")
	}
	// 'learn --ham' teaches.
	if err := e.Learn(context.Background(), []byte("From: F <f@six.example>\r\nTo: keiri@example.co.jp\r\nSubject: x\r\n\r\nx\r\n"), false); err != nil {
		t.Fatal(err)
	}
	if got := scan(t, e, mail("F <f@six.example>", "", "hello", "hi"), pipeline.Envelope{Frontend: "cli"}); got[sender.SymFirstContact] != 0 {
		t.Errorf("learned ham sender is a first contact")
	}
	// A suspicious message is not learned.
	scan(t, e, mail("Amazon Shipping <g@seven.example>", "", "hello", "hi"), flow)
	if got := scan(t, e, mail("Amazon Shipping <g@seven.example>", "", "hello", "hi"), flow); got[sender.SymFirstContact] == 0 {
		t.Errorf("impersonating sender was learned")
	}
	_ = time.Now
}

func BenchmarkAnalyze(b *testing.B) {
	cfg, _ := config.Parse(testConfig)
	cfg.General.DataDir = b.TempDir()
	a := sender.NewAnalyzer(cfg, nil)
	e, _ := engine.New(cfg, engine.Options{Factories: []engine.Factory{}, Analyzers: []pipeline.Analyzer{a}})
	defer e.Close()
	raw := []byte(strings.ReplaceAll(mail("KAGOYA | KAGOYAカスタマーサポート <t_0205@cameo.plala.or.jp>", "", "【重要:KAGOYA】Active!mailの脆弱性に関するお知らせ", strings.Repeat("平素は当社サービスをご利用いただき誠にありがとうございます。\n", 50)), "\n", "\r\n"))
	msg := e.Parse(raw)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.ScanMessage(context.Background(), msg, pipeline.Envelope{Frontend: "cli"})
	}
}
