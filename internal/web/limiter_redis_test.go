package web

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// TestLoginLimitShared: failures counted by one console block sign-in on
// another sharing [redis]; without Redis each counts alone.
func TestLoginLimitShared(t *testing.T) {
	url := redistest.Start(t)
	mk := func() loginLimiter {
		cfg := config.Default()
		cfg.Web.LoginAttempts, cfg.Web.LoginWindow = 3, config.Duration{Duration: time.Minute}
		cfg.Redis.URL = url
		l := newLoginLimiter(cfg, slog.New(slog.DiscardHandler))
		if _, ok := l.(*redisLimiter); !ok {
			t.Fatalf("limiter is %T", l)
		}
		return l
	}
	a, b := mk(), mk()
	for i := 0; i < 3; i++ {
		if b.blocked("user:admin") {
			t.Fatalf("blocked after %d failures", i)
		}
		[]loginLimiter{a, b}[i%2].fail("ip:192.0.2.1", "user:admin")
	}
	if !a.blocked("user:admin") || !b.blocked("ip:192.0.2.1") || b.blocked("user:other") {
		t.Fatal("failures not shared")
	}
}
