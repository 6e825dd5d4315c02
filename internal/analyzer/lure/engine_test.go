package lure_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/lure"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/testutil/enginetest"
)

// TestNewSignalsEngine: the per-message random token, spaced-apart letters
// and the webmail "name + random letters" address through the whole
// engine, each with a benign twin that must not fire.
func TestNewSignalsEngine(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	e := enginetest.New(t, cfg)
	msg := func(from, subject string) []byte {
		return []byte(fmt.Sprintf("From: %s\r\nTo: taro@example.jp\r\nSubject: %s\r\nDate: Sat, 05 Dec 2026 10:00:00 +0900\r\n"+
			"Message-ID: <a1@mail.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n", from, subject))
	}
	for _, c := range []struct {
		from, subject, sym string
		want               bool
	}{
		{"Banco <aviso@banco-aviso.example>", "Notificação - qWrUAngJaLJzBndSE", lure.SymRandomToken, true},
		{"Shop <info@shop.example>", "Your order 1Z999AA10123456784 has shipped", lure.SymRandomToken, false},
		{"A D A C <service@x-mail.example>", "Neues Notfallset", lure.SymSpacedLetters, true},
		{"ADAC <service@x-mail.example>", "Plan A or B", lure.SymSpacedLetters, false},
		{"Karen Thomas <thomaskarenijqwfuib@gmail.com>", "Hello", lure.SymNameRandomTail, true},
		{"Karen Thomas <karen.thomas1985@gmail.com>", "Hello", lure.SymNameRandomTail, false},
		{"noreply <website@shop-x.example>", "Trust Wallet", lure.SymBrandClaim, true},
		{"Trust Wallet <news@trustwallet.com>", "Trust Wallet", lure.SymBrandClaim, false},
		{"noreply <website@shop-x.example>", "Trust Wallet or a paper notebook?", lure.SymBrandClaim, false},
	} {
		v := e.Scan(context.Background(), msg(c.from, c.subject), pipeline.Envelope{}).Verdict
		if v.Has(c.sym) != c.want {
			t.Errorf("%s / %s: %s = %v, want %v (symbols %+v)", c.from, c.subject, c.sym, v.Has(c.sym), c.want, v.Symbols)
		}
	}
}

// TestTrackingPixelEngine: a 1×1 image from a site unrelated to the
// sender and the links fires; the newsletter's own pixel does not.
func TestTrackingPixelEngine(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	e := enginetest.New(t, cfg)
	msg := func(pixel string) []byte {
		return []byte("From: Shop <news@shop.example>\r\nTo: taro@example.jp\r\nSubject: Sale\r\nDate: Sat, 05 Dec 2026 10:00:00 +0900\r\n" +
			"Message-ID: <a2@shop.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
			"<p>Our winter sale starts today. <a href=\"https://click.mailer.example/c/1\">See the offers</a></p>" +
			"<img src=\"" + pixel + "\" width=\"1\" height=\"1\" alt=\"\">\r\n")
	}
	for pixel, want := range map[string]bool{
		"https://track.watcher-stats.example/o.gif?u=1": true,
		"https://click.mailer.example/o/1.gif":          false,
		"https://www.shop.example/p.gif":                false,
	} {
		v := e.Scan(context.Background(), msg(pixel), pipeline.Envelope{}).Verdict
		if v.Has(lure.SymPixelUnrelated) != want {
			t.Errorf("pixel %s: %s = %v, want %v", pixel, lure.SymPixelUnrelated, !want, want)
		}
	}
}
