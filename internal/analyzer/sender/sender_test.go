package sender_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
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

// Learning the history is internal/observe's (TestContactsLearning).

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
