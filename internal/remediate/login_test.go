package remediate

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/testutil/dovecottest"
)

func TestXOAUTH2InitialResponse(t *testing.T) {
	mech, ir, err := NewXOAUTH2("alice@example.jp", "ya29.tok").Start()
	if err != nil || mech != "XOAUTH2" || string(ir) != "user=alice@example.jp\x01auth=Bearer ya29.tok\x01\x01" {
		t.Fatalf("%s %q %v", mech, ir, err)
	}
	// The error challenge is answered with an empty response.
	if resp, err := NewXOAUTH2("a", "b").Next([]byte(`{"status":"401"}`)); err != nil || len(resp) != 0 {
		t.Fatalf("%q %v", resp, err)
	}
}

func TestAppPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(path, []byte("# comment\nalice@example.jp  s3cret\nbob@example.jp other\n"), 0o600)
	if pw, err := appPassword(path, "Alice@Example.jp"); err != nil || pw != "s3cret" {
		t.Fatalf("%q %v", pw, err)
	}
	if _, err := appPassword(path, "carol@example.jp"); err == nil {
		t.Fatal("carol found")
	}
}

// TestXOAUTH2Dovecot opens a mailbox with SASL XOAUTH2 against Dovecot's
// oauth2 passdb, which checks the token at an introspection endpoint
// (RFC 7662) served by the test; the token file is re-read at every
// login, so a refreshed token is used without a restart and a revoked
// one fails.
func TestXOAUTH2Dovecot(t *testing.T) {
	var mu sync.Mutex
	valid := map[string]string{"tok-1": "alice@example.jp"}
	var seen []string
	is := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		tok := r.PostForm.Get("token")
		mu.Lock()
		seen = append(seen, tok)
		user, ok := valid[tok]
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			_ = json.NewEncoder(w).Encode(map[string]any{"active": false})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user})
	}))
	defer is.Close()
	dc := dovecottest.StartWith(t, map[string]string{"alice@example.jp": "a"}, dovecottest.Options{OAuth2IntrospectURL: is.URL + "/introspect"})
	tokFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokFile, []byte("tok-1\n"), 0o600)
	cfg := config.Default().Remediate
	cfg.Enabled, cfg.IMAPAddr, cfg.TLS, cfg.Auth, cfg.OAuth2TokenFile = true, dc.IMAPAddr, "none", "xoauth2", tokFile
	r := &Remediator{cfg: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := r.open(ctx, "alice@example.jp")
	if err != nil {
		t.Fatalf("XOAUTH2 login: %v\n%s", err, dc.Log())
	}
	fs, err := m.folders("Quarantine", 10)
	m.close()
	if err != nil || len(fs) == 0 || fs[0] != "INBOX" && !strings.Contains(strings.Join(fs, ","), "INBOX") {
		t.Fatalf("folders %v %v", fs, err)
	}
	// Refreshed by an outside tool: the new token is read at the next login.
	mu.Lock()
	valid["tok-2"] = "alice@example.jp"
	delete(valid, "tok-1")
	mu.Unlock()
	os.WriteFile(tokFile, []byte("tok-2\n"), 0o600)
	m, err = r.open(ctx, "alice@example.jp")
	if err != nil {
		t.Fatalf("refreshed token: %v", err)
	}
	m.close()
	// Revoked: login fails.
	mu.Lock()
	delete(valid, "tok-2")
	mu.Unlock()
	if m, err := r.open(ctx, "alice@example.jp"); err == nil {
		m.close()
		t.Fatal("revoked token accepted")
	}
	// A token for alice does not open bob's mailbox.
	mu.Lock()
	valid["tok-2"] = "alice@example.jp"
	mu.Unlock()
	if m, err := r.open(ctx, "bob@example.jp"); err == nil {
		m.close()
		t.Fatal("alice's token opened bob's mailbox")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 3 || seen[0] != "tok-1" || seen[1] != "tok-2" {
		t.Fatalf("introspected %v", seen)
	}
}
