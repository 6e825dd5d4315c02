package action_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/action/banner"
	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

func init() {
	pipeline.Register(pipeline.SymbolDef{Name: "TEST_ACTION_PHISH", Weight: 6, Category: pipeline.CategoryPhishing,
		Group: "test", EN: "A test sign of phishing.", JA: "テスト用のフィッシングの兆候。"})
}

type phish struct{}

func (phish) Name() string { return "test-phish" }
func (phish) Analyze(ctx context.Context, t *pipeline.Task) error {
	t.Add("TEST_ACTION_PHISH")
	return nil
}

// TestOneHeaderSplitPerServedMessage: a served message's header block is
// split once — by the parse of the scan; the subject tag, the banner (top
// level and its MIME walk), the headers added and the spamd replies use
// the parser's offsets and field list. (ARC sealing, when on, splits the
// delivered bytes it signs; signed messages: TestOneHeaderSplitSignedMessage,
// and through spamd's PROCESS/HEADERS replies
// internal/frontend/spamd TestOneHeaderSplitPerSpamdRequest.)
func TestOneHeaderSplitPerServedMessage(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Serve.Banner.Categories = []string{"phishing"}
	cfg.Policy.SubjectPrefix, cfg.Policy.RewriteSubjectScore = "[SPAM]", 5
	eng := enginetest.Only(t, cfg, phish{})
	p := &action.Processor{Engine: eng, Config: cfg, Log: slog.New(slog.DiscardHandler), Banner: banner.New(cfg).Apply}
	for name, raw := range map[string]string{
		"crlf": "From: a@example.jp\r\nTo: b@example.co.jp\r\nSubject: =?UTF-8?B?5a6J5YWo?=\r\n\tnext\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n",
		"lf":   "From: a@example.jp\nTo: b@example.co.jp\nSubject: hello\n there\n\nHello.\n",
	} {
		t.Run(name, func(t *testing.T) {
			before := mail.HeaderSplits.Load() + dkim.HeaderSplits.Load()
			o := p.Process(context.Background(), []byte(raw), pipeline.Envelope{}, action.Options{Frontend: pipeline.FrontendMilter, Banner: true})
			if o.Action != pipeline.ActionTag || o.NewSubject == nil || o.NewBody == nil {
				t.Fatalf("action %s subject %v body %v: want a tagged, bannered message", o.Action, o.NewSubject, o.NewBody != nil)
			}
			out := o.Apply([]byte(raw))
			hdr := o.ApplyHeader([]byte(raw))
			if n := mail.HeaderSplits.Load() + dkim.HeaderSplits.Load() - before; n != 1 {
				t.Fatalf("%d header splits for one served message, want 1", n)
			}
			// The tagged subject is the one the split field list gave.
			h, _ := action.SplitMessage([]byte(raw))
			for _, f := range action.ParseFields(h, 100) {
				if f.Name == "Subject" {
					if want, _ := action.SubjectRewrite(f.Value, o.Result.Msg.Subject, "[SPAM]"); want != *o.NewSubject {
						t.Fatalf("subject %q, want %q", *o.NewSubject, want)
					}
				}
			}
			// Same bytes as splitting afresh.
			want := action.ApplyToMessage([]byte(raw), o.Headers, o.NewSubject, o.NewBody)
			if !bytes.Equal(out, want) || !bytes.HasPrefix(want, hdr) {
				t.Fatalf("Apply differs from ApplyToMessage:\n%q\n%q", out, want)
			}
		})
	}
}

// TestOneHeaderSplitSignedMessage: a served message carrying a
// DKIM-Signature or an ARC set is split once too: DKIM and ARC
// verification read the parse's field list and body span
// (dkim.VerifyFields, arc.VerifyFields). (go-msgauth, which checks the
// DKIM signature itself, still reads the bytes it is given; the counters
// count sekisho's splitters.)
func TestOneHeaderSplitSignedMessage(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	as, err := authz.NewWithResolver(cfg, &dns.Mock{TXT: map[string][]string{}})
	if err != nil {
		t.Fatal(err)
	}
	eng := enginetest.Only(t, cfg, as...)
	p := &action.Processor{Engine: eng, Config: cfg, Log: slog.New(slog.DiscardHandler)}
	const body = "From: a@example.jp\r\nTo: b@example.co.jp\r\nSubject: hello\r\nDate: Mon, 10 Mar 2025 10:00:00 +0900\r\nMessage-ID: <x@example.jp>\r\n\r\nHello.\r\n"
	for name, raw := range map[string]string{
		"dkim": "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.jp; s=sel;\r\n\th=from:to:subject; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA\r\n" + body,
		"arc": "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=relay.example; s=sel; b=AAAA\r\n" +
			"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=relay.example; s=sel;\r\n\th=from:to:subject; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA\r\n" +
			"ARC-Authentication-Results: i=1; relay.example; spf=pass smtp.mailfrom=example.jp\r\n" + body,
	} {
		t.Run(name, func(t *testing.T) {
			before := mail.HeaderSplits.Load() + dkim.HeaderSplits.Load()
			o := p.Process(context.Background(), []byte(raw), pipeline.Envelope{}, action.Options{Frontend: pipeline.FrontendMilter})
			o.Apply([]byte(raw))
			if n := mail.HeaderSplits.Load() + dkim.HeaderSplits.Load() - before; n != 1 {
				t.Fatalf("%d header splits for one served %s message, want 1", n, name)
			}
			want := map[string]string{"dkim": "DKIM_", "arc": "ARC_"}[name]
			found := false
			for _, s := range o.Result.Verdict.Symbols {
				found = found || strings.HasPrefix(s.Name, want)
			}
			if !found {
				t.Fatalf("%s was not verified: %v", name, o.Result.Verdict.Symbols)
			}
		})
	}
}
