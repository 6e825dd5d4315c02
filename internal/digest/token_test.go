package digest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	dir := t.TempDir()
	key, err := LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, keyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	again, _ := LoadKey(dir)
	if string(again) != string(key) {
		t.Fatal("key not kept")
	}
	now := time.Unix(1_800_000_000, 0)
	c := Claims{Action: ActRelease, QID: "q1", Rcpt: "alice@example.jp", Expires: now.Add(time.Hour), Nonce: "n1"}
	tok := Sign(key, c)
	got, err := Verify(key, tok, now)
	if err != nil || got.QID != "q1" || got.Rcpt != "alice@example.jp" || got.Action != ActRelease || got.Nonce != "n1" {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if _, err := Verify(key, tok, now.Add(2*time.Hour)); !errors.Is(err, ErrExpired) {
		t.Errorf("expired: %v", err)
	}
	other := make([]byte, 32)
	if _, err := Verify(other, tok, now); !errors.Is(err, ErrBadToken) {
		t.Errorf("other key: %v", err)
	}
	// Changing the payload (another message, another action) breaks the signature.
	forged := Sign(key, Claims{Action: ActDelete, QID: "q1", Rcpt: "alice@example.jp", Expires: now.Add(time.Hour), Nonce: "n1"})
	p1, _, _ := strings.Cut(forged, ".")
	_, s2, _ := strings.Cut(tok, ".")
	if _, err := Verify(key, p1+"."+s2, now); !errors.Is(err, ErrBadToken) {
		t.Errorf("spliced token: %v", err)
	}
	for _, bad := range []string{"", ".", "x.y", strings.Repeat("a", 2000), tok + "x"} {
		if _, err := Verify(key, bad, now); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzVerify: tokens come from URLs anyone can type.
func FuzzVerify(f *testing.F) {
	key := make([]byte, 32)
	f.Add(Sign(key, Claims{Action: ActDelete, QID: "q", Rcpt: "a@b.jp", Expires: time.Unix(2e9, 0), Nonce: "n"}))
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, tok string) {
		_, _ = Verify(key, tok, time.Unix(1e9, 0))
	})
}

// TestSessionClaims: a sign-in token names no message; a message token
// must name one.
func TestSessionClaims(t *testing.T) {
	key := make([]byte, 32)
	now := time.Unix(1_800_000_000, 0)
	exp := now.Add(time.Hour)
	for _, tc := range []struct {
		c  Claims
		ok bool
	}{
		{Claims{Action: ActSession, Rcpt: "alice@example.jp", Expires: exp, Nonce: "n"}, true},
		{Claims{Action: ActSession, QID: "q1", Rcpt: "alice@example.jp", Expires: exp, Nonce: "n"}, false},
		{Claims{Action: ActSession, Expires: exp, Nonce: "n"}, false},
		{Claims{Action: ActRelease, Rcpt: "alice@example.jp", Expires: exp, Nonce: "n"}, false},
		{Claims{Action: ActDelete, QID: "q1", Rcpt: "alice@example.jp", Expires: exp, Nonce: "n"}, true},
	} {
		_, err := Verify(key, Sign(key, tc.c), now)
		if (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.c, err)
		}
	}
	c := Claims{Action: ActSession, Rcpt: "alice@example.jp", Expires: now.Add(-time.Second), Nonce: "n"}
	if _, err := Verify(key, Sign(key, c), now); !errors.Is(err, ErrExpired) {
		t.Errorf("expired sign-in: %v", err)
	}
}
