package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil/dovecottest"
	"github.com/sekisho/sekisho/internal/web"
)

// TestRemediatePage: the admin starts a dry run from the console against
// a real Dovecot, applies it (the copy leaves the inbox), and undoes it
// (the copy is back); the page renders in both languages.
// remConsole is a console with a remediator over a real Dovecot whose
// alice@example.jp holds one message with Message-ID remMID.
func remConsole(t *testing.T) (*console, *remediate.Remediator, *dovecottest.Server) {
	t.Helper()
	dc := dovecottest.Start(t, map[string]string{"alice@example.jp": "a"})
	dc.Save(t, "alice@example.jp", "", []byte("From: x@partner.example\r\nTo: alice@example.jp\r\nSubject: invoice\r\nMessage-ID: <"+remMID+">\r\n\r\nbody\r\n"))

	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.General.Hostname = "gw.example.jp"
	pw := filepath.Join(cfg.General.DataDir, "master.pw")
	os.WriteFile(pw, []byte(dovecottest.MasterPassword), 0o600)
	cfg.Remediate.Enabled, cfg.Remediate.IMAPAddr, cfg.Remediate.TLS = true, dc.IMAPAddr, "none"
	cfg.Remediate.MasterUser, cfg.Remediate.MasterPasswordFile = dovecottest.MasterUser, pw
	eng, err := engine.New(cfg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	rem, err := remediate.New(context.Background(), cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h, err := web.New(web.Options{Config: cfg, Engine: eng, Store: st, Stderr: &out, Remediator: rem})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); rem.Close(); st.Close(); eng.Close() })
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	c := &console{t: t, cfg: cfg, eng: eng, st: st, srv: srv, password: m[1]}
	return c, rem, dc
}

const remMID = "console-clawback@partner.example"

func TestRemediatePage(t *testing.T) {
	c, rem, dc := remConsole(t)
	const mid = remMID
	srv := c.srv
	cl := c.client()
	cl.login("admin", c.password)
	origin := map[string]string{"Origin": srv.URL}

	for lang, title := range map[string]string{"en": "Post-delivery remediation", "ja": "配信後の回収"} {
		cl.get("/lang/" + lang + "?next=/")
		resp, body := cl.get("/remediate")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, title) {
			t.Fatalf("%s: %d, title missing", lang, resp.StatusCode)
		}
	}
	cl.get("/lang/en?next=/")
	_, body := cl.get("/remediate")
	resp, _ := cl.post("/remediate", url.Values{"csrf": {csrfOf(t, body)}, "message_id": {"<" + mid + ">"},
		"mailbox": {"alice@example.jp"}, "reason": {"reported by alice"}}, origin)
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Header.Get("Location"), "err=") {
		t.Fatalf("start: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	runs, _ := rem.Runs(context.Background(), 10)
	if len(runs) != 1 || runs[0].State != remediate.RunDryRun {
		t.Fatalf("runs %+v", runs)
	}
	_, body = cl.get("/remediate")
	if !strings.Contains(body, "would move") || !strings.Contains(body, "apply-"+runs[0].ID) {
		t.Fatal("dry run not shown")
	}
	if n := dc.Count(t, "alice@example.jp", "INBOX", "Message-ID", mid); n != 1 {
		t.Fatalf("dry run touched the mailbox: %d", n)
	}
	resp, _ = cl.post("/remediate/"+runs[0].ID+"/apply", url.Values{"csrf": {csrfOf(t, body)}}, origin)
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Header.Get("Location"), "err=") {
		t.Fatalf("apply: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := dc.Count(t, "alice@example.jp", "INBOX", "Message-ID", mid); n != 0 {
		t.Fatalf("still in the inbox: %d", n)
	}
	runs, _ = rem.Runs(context.Background(), 10)
	applied := runs[0]
	if applied.State != remediate.RunDone {
		t.Fatalf("applied run %+v", applied)
	}
	_, body = cl.get("/remediate")
	if !strings.Contains(body, "undo-"+applied.ID) {
		t.Fatal("no undo button")
	}
	resp, _ = cl.post("/remediate/"+applied.ID+"/undo", url.Values{"csrf": {csrfOf(t, body)}}, origin)
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Header.Get("Location"), "err=") {
		t.Fatalf("undo: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := dc.Count(t, "alice@example.jp", "INBOX", "Message-ID", mid); n != 1 {
		t.Fatalf("not restored: %d", n)
	}
	// The undo shows on the page.
	_, body = cl.get("/remediate")
	if !strings.Contains(body, "restored") {
		t.Fatal("restored state not shown")
	}
}
