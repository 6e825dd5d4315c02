package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/redistest"
)

// repInstance is a sekisho serve with the JSON API (on the Rspamd port)
// and reputation and fuzzy hashes in a shared redis-server.
type repInstance struct {
	*sekisho
	port int
}

func startRepInstance(t *testing.T, redisURL string) *repInstance {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	cfg := fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
[serve]
shutdown_timeout = "20s"
[reputation]
enabled = true
redis = %q
[fuzzy]
enabled = true
redis = %q
bulk_copies = 5
`, filepath.Join(dir, "data"), redisURL, redisURL) + onlyFrontend("rspamd", port, "") + testWeights
	return &repInstance{sekisho: serveConfig(t, dir, cfg, ports{rspamd: port}, sekishoBin(t)), port: port}
}

// post sends a message to an API path; for scans it returns the symbols.
func (s *repInstance) post(t *testing.T, path string, msg []byte, ip string) map[string][]string {
	t.Helper()
	body, ctype := msg, "message/rfc822"
	if path == "/api/v1/scan" {
		body, _ = json.Marshal(map[string]any{"message": string(msg), "envelope": map[string]any{"client_ip": ip, "rcpts": []string{"yamada@example.jp"}}})
		ctype = "application/json"
	}
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d%s", s.port, path), ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Symbols []struct {
			Name    string   `json:"name"`
			Options []string `json:"options"`
		} `json:"symbols"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, s := range r.Symbols {
		out[s.Name] = s.Options
	}
	return out
}

// TestReputationFuzzySharedByTwoProcesses: two sekisho processes share one
// real redis-server: what one learns from verdicts, learning and user
// reports, the other scores with; bulk copies are counted across both.
func TestReputationFuzzySharedByTwoProcesses(t *testing.T) {
	url := redistest.Start(t)
	a, b := startRepInstance(t, url), startRepInstance(t, url)

	// A's verdicts (spam by the header weights) teach the sender's history.
	for i := 0; i < 6; i++ {
		a.post(t, "/api/v1/scan", spamMsg(fmt.Sprintf("rep%d", i)), "198.51.100.7")
	}
	syms := b.post(t, "/api/v1/scan", spamMsg("repB"), "198.51.100.8")
	for _, want := range []string{"REP_BAD_SENDER", "REP_BAD_DOMAIN", "REP_BAD_NETWORK", "REP_BAD_LINK_DOMAIN"} {
		if _, ok := syms[want]; !ok {
			t.Errorf("process B lacks %s after A's verdicts: %v", want, syms)
		}
	}

	// A user's report through B is A's history.
	reported := []byte("From: Deals <offers@reported-sender.test>\r\nTo: yamada@example.jp\r\nSubject: deal\r\nDate: Mon, 16 Nov 2026 10:00:00 +0900\r\nMessage-ID: <r1@reported-sender.test>\r\n\r\nA special deal just for you.\r\n")
	if syms := a.post(t, "/api/v1/scan", reported, "192.0.2.1"); syms["REP_BAD_SENDER"] != nil {
		t.Fatalf("bad before the report: %v", syms)
	}
	b.post(t, "/api/v1/report", reported, "")
	if syms := a.post(t, "/api/v1/scan", reported, "192.0.2.1"); syms["REP_BAD_SENDER"] == nil {
		t.Errorf("process A does not see B's user report: %v", syms)
	}

	// Campaign: three randomised copies learned through A; B recognises
	// the rest.
	for i := 0; i < 3; i++ {
		a.post(t, "/api/v1/learn/spam", testutil.Campaign(21, i), "")
	}
	missed := 0
	for i := 3; i < 23; i++ {
		if b.post(t, "/api/v1/scan", testutil.Campaign(21, i), "203.0.113.9")["FUZZY_KNOWN_SPAM"] == nil {
			missed++
		}
	}
	if missed > 0 {
		t.Errorf("process B missed %d of 20 copies of the campaign A learned", missed)
	}

	// Bulk: copies of another campaign, alternately through A and B.
	var last map[string][]string
	for i := 0; i < 6; i++ {
		s := a
		if i%2 == 1 {
			s = b
		}
		last = s.post(t, "/api/v1/scan", testutil.Campaign(33, i), "203.0.113.10")
	}
	if o, ok := last["FUZZY_BULK"]; !ok || !strings.Contains(strings.Join(o, " "), "copies") {
		t.Errorf("no FUZZY_BULK after 6 copies through two processes: %v", last)
	}
}

// TestCampaignLearnCLI: 'sekisho learn spam' (which teaches the
// classifier directly) also teaches the campaign hashes (engine.Feedback);
// another process sharing the redis-server recognises the campaign with
// 'sekisho scan'.
func TestCampaignLearnCLI(t *testing.T) {
	url := redistest.Start(t)
	cfgFor := func(name string) string {
		dir := t.TempDir()
		p := filepath.Join(dir, "sekisho.toml")
		writeFile(t, p, fmt.Sprintf("[general]\ndata_dir = %q\n[reputation]\nenabled = true\nredis = %q\n[fuzzy]\nenabled = true\nredis = %q\n",
			filepath.Join(dir, "data-"+name), url, url))
		return p
	}
	a, b := cfgFor("a"), cfgFor("b")
	learnDir := t.TempDir()
	for i := 0; i < 3; i++ {
		writeFile(t, filepath.Join(learnDir, fmt.Sprintf("%d.eml", i)), string(testutil.Campaign(41, i)))
	}
	out := runCLI(t, "-c", a, "learn", "-q", "spam", learnDir)
	if !strings.Contains(out, "3 learned") {
		t.Fatalf("learn:\n%s", out)
	}
	msg := filepath.Join(t.TempDir(), "copy.eml")
	writeFile(t, msg, string(testutil.Campaign(41, 77)))
	out = runCLI(t, "-c", b, "scan", "--json", msg)
	if !strings.Contains(out, `"FUZZY_KNOWN_SPAM"`) {
		t.Fatalf("process B does not recognise the campaign A learned:\n%s", out)
	}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
