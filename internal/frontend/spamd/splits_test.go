package spamd

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

func init() {
	pipeline.Register(pipeline.SymbolDef{Name: "TEST_SPAMD_PHISH", Weight: 9, Category: pipeline.CategoryPhishing,
		Group: "test", EN: "A test sign of phishing.", JA: "テスト用のフィッシングの兆候。"})
}

type phish struct{}

func (phish) Name() string { return "test-phish" }
func (phish) Analyze(ctx context.Context, t *pipeline.Task) error {
	t.Add("TEST_SPAMD_PHISH")
	return nil
}

// TestOneHeaderSplitPerSpamdRequest: a PROCESS or HEADERS request for a
// DKIM-signed and an ARC-sealed message, tagged with a new subject,
// splits the message's header block once — the parse of the scan; DKIM
// and ARC verification, the subject tag and the reply are built from the
// parser's fields and offsets.
func TestOneHeaderSplitPerSpamdRequest(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Policy.SubjectPrefix, cfg.Policy.RewriteSubjectScore = "[SPAM]", 5
	as, err := authz.NewWithResolver(cfg, &dns.Mock{TXT: map[string][]string{}})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{P: &action.Processor{Engine: enginetest.Only(t, cfg, append(as, phish{})...), Config: cfg, Log: slog.New(slog.DiscardHandler)},
		Settings: cfg.Serve.Spamd}
	const body = "From: a@example.jp\r\nTo: b@example.co.jp\r\nSubject: hello\r\nDate: Mon, 10 Mar 2025 10:00:00 +0900\r\nMessage-ID: <x@example.jp>\r\n\r\nHello.\r\n"
	msgs := map[string]string{
		"dkim": "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.jp; s=sel;\r\n\th=from:to:subject; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA\r\n" + body,
		"arc": "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=relay.example; s=sel; b=AAAA\r\n" +
			"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=relay.example; s=sel;\r\n\th=from:to:subject; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA\r\n" +
			"ARC-Authentication-Results: i=1; relay.example; spf=pass smtp.mailfrom=example.jp\r\n" + body,
	}
	for name, raw := range msgs {
		for _, method := range []string{"PROCESS", "HEADERS"} {
			t.Run(name+"/"+method, func(t *testing.T) {
				before := mail.HeaderSplits.Load() + dkim.HeaderSplits.Load()
				out := s.Respond(context.Background(), &Request{Method: method, Version: "1.5", Headers: map[string]string{}, Body: []byte(raw)}, netip.Addr{})
				if n := mail.HeaderSplits.Load() + dkim.HeaderSplits.Load() - before; n != 1 {
					t.Fatalf("%d header splits for one %s request, want 1", n, method)
				}
				if !bytes.Contains(out, []byte("Spam: True")) || !bytes.Contains(out, []byte("Subject: [SPAM] hello")) {
					t.Fatalf("reply is not the tagged message:\n%s", out)
				}
				if want := map[string]string{"dkim": "DKIM_", "arc": "ARC_"}[name]; !bytes.Contains(out, []byte(want)) {
					t.Fatalf("%s was not verified (no %s symbol in the reply):\n%s", name, want, out)
				}
				if method == "HEADERS" && bytes.Contains(out, []byte("Hello.")) {
					t.Fatalf("HEADERS reply carries the body:\n%s", out)
				}
			})
		}
	}
}
