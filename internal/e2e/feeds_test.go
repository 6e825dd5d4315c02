package e2e

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/feed/feedtest"
	"github.com/sekisho/sekisho/internal/testutil/dovecottest"
)

// feedMsg is a message with optional Received hop, Reply-To, link and
// attachment.
func feedMsg(subject, hop, replyTo, link, att string) []byte {
	var b strings.Builder
	if hop != "" {
		fmt.Fprintf(&b, "Received: from relay.sender.example (relay.sender.example [%s])\r\n\tby mx.example.jp with ESMTPS id 1; Mon, 30 Nov 2026 10:00:00 +0900\r\n", hop)
	}
	fmt.Fprintf(&b, "From: Sender <info@clean-sender.example>\r\nTo: <user@example.jp>\r\nSubject: %s\r\nDate: Mon, 30 Nov 2026 10:00:00 +0900\r\nMessage-ID: <%s@clean-sender.example>\r\n", subject, subject)
	if replyTo != "" {
		fmt.Fprintf(&b, "Reply-To: <%s>\r\n", replyTo)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nPlease see the details.\r\n")
	if link != "" {
		fmt.Fprintf(&b, "%s\r\n", link)
	}
	if att != "" {
		fmt.Fprintf(&b, "--b1\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
			base64.StdEncoding.EncodeToString([]byte(att)))
	}
	b.WriteString("--b1--\r\n")
	return []byte(b.String())
}

const feedsQuiet = `
[auth]
enabled = false
[sender]
enabled = false
[url]
enabled = false
[rules]
enabled = false
[bayes]
enabled = false
[lure]
enabled = false
`

type feedScan struct {
	Subject string `json:"subject"`
	Symbols []struct {
		Name    string   `json:"name"`
		Options []string `json:"options"`
	} `json:"symbols"`
}

// TestFeedsScan: `sekisho feeds update` polls a loopback TAXII 2.1
// server (basic auth, next paging) and reads a plain list and a CSV;
// `sekisho scan` then reports each indicator type with its symbol, the
// feed and the indicator in the options; expired, revoked and not yet
// valid indicators produce none.
func TestFeedsScan(t *testing.T) {
	srv := feedtest.StartTAXII(t)
	srv.User, srv.Pass = "sekisho", "s3cret"
	md := func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	s1 := func(s string) string { h := sha1.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	s2 := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	now := time.Now().UTC()
	srv.Add(
		feedtest.Indicator{Name: "phish url", Pattern: `[url:value = 'https://phish.example/login?id=1']`},
		feedtest.Indicator{Name: "malware domain", Pattern: `[domain-name:value = 'malware-dom.example']`},
		feedtest.Indicator{Name: "bad net", Pattern: `[ipv4-addr:value ISSUBSET '203.0.113.0/24']`},
		feedtest.Indicator{Name: "bad v6", Pattern: `[ipv6-addr:value = '2001:db8:77::/48']`},
		feedtest.Indicator{Name: "emotet address", Pattern: `[email-addr:value = 'drop@emotet-victim.example']`},
		feedtest.Indicator{Name: "dropper md5", Pattern: `[file:hashes.MD5 = '` + md("md5 payload") + `']`},
		feedtest.Indicator{Name: "dropper sha1", Pattern: `[file:hashes.'SHA-1' = '` + s1("sha1 payload") + `']`},
		feedtest.Indicator{Name: "dropper sha256", Pattern: `[file:hashes.'SHA-256' = '` + s2("sha256 payload") + `' OR file:hashes.MD5 = '00000000000000000000000000000000']`},
		feedtest.Indicator{Name: "expired", Pattern: `[domain-name:value = 'expired.example']`, ValidFrom: now.Add(-48 * time.Hour), ValidUntil: now.Add(-time.Hour)},
		feedtest.Indicator{Name: "not yet", Pattern: `[domain-name:value = 'future.example']`, ValidFrom: now.Add(240 * time.Hour)},
		feedtest.Indicator{ID: "indicator--5a5a5a5a-0000-4000-8000-000000000001", Name: "revoked", Pattern: `[domain-name:value = 'revoked.example']`, Modified: now.Add(-time.Hour)},
	)
	srv.Add(feedtest.Indicator{ID: "indicator--5a5a5a5a-0000-4000-8000-000000000001", Name: "revoked", Pattern: `[domain-name:value = 'revoked.example']`, Revoked: true, Modified: now})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "list.txt"), []byte("# local list\nlist-bad.example\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "urls.csv"), []byte("# id,dateadded,url\n\"1\",\"2026-12-01\",\"http://csv-bad.example/payload.exe\"\n"), 0o644)
	msgs := filepath.Join(dir, "msgs")
	os.MkdirAll(msgs, 0o755)
	cases := map[string]struct {
		msg  []byte
		want []string
		opt  string
	}{
		"url":     {feedMsg("url", "", "", "https://Phish.example/login?id=1", ""), []string{"FEED_URL"}, "tx: url https://phish.example/login?id=1 (link) phish url"},
		"domain":  {feedMsg("domain", "", "", "https://a.b.malware-dom.example/x", ""), []string{"FEED_DOMAIN"}, "tx: domain malware-dom.example (link a.b.malware-dom.example) malware domain"},
		"ip":      {feedMsg("ip", "203.0.113.77", "", "", ""), []string{"FEED_IP"}, "tx: ip 203.0.113.0/24 (received 203.0.113.77) bad net"},
		"ip6":     {feedMsg("ip6", "2001:db8:77::5", "", "", ""), []string{"FEED_IP"}, "tx: ip 2001:db8:77::/48 (received 2001:db8:77::5) bad v6"},
		"email":   {feedMsg("email", "", "Drop@Emotet-Victim.example", "", ""), []string{"FEED_EMAIL"}, "tx: email drop@emotet-victim.example (reply-to) emotet address"},
		"md5":     {feedMsg("md5", "", "", "", "md5 payload"), []string{"FEED_HASH"}, "tx: md5 " + md("md5 payload") + " (attachment data.bin) dropper md5"},
		"sha1":    {feedMsg("sha1", "", "", "", "sha1 payload"), []string{"FEED_HASH"}, "tx: sha1 " + s1("sha1 payload") + " (attachment data.bin) dropper sha1"},
		"sha256":  {feedMsg("sha256", "", "", "", "sha256 payload"), []string{"FEED_HASH"}, "tx: sha256 " + s2("sha256 payload") + " (attachment data.bin) dropper sha256"},
		"expired": {feedMsg("expired", "", "", "https://expired.example/", ""), nil, ""},
		"future":  {feedMsg("future", "", "", "https://future.example/", ""), nil, ""},
		"revoked": {feedMsg("revoked", "", "", "https://revoked.example/", ""), nil, ""},
		"list":    {feedMsg("list", "", "", "https://www.list-bad.example/", ""), []string{"FEED_LOCAL_LIST"}, "local-list: domain list-bad.example (link www.list-bad.example)"},
		"csv":     {feedMsg("csv", "", "", "http://csv-bad.example/payload.exe", ""), []string{"FEED_URL"}, "csvfeed: url http://csv-bad.example/payload.exe (link)"},
		"clean":   {feedMsg("clean", "198.51.100.20", "help@clean-sender.example", "https://clean.example/", "harmless"), nil, ""},
	}
	for name, c := range cases {
		os.WriteFile(filepath.Join(msgs, name+".eml"), c.msg, 0o644)
	}
	cfg := filepath.Join(dir, "sekisho.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[general]
data_dir = %q
domains = ["example.jp"]
%s
[[feeds]]
name = "tx"
type = "taxii"
url = %q
auth = "basic sekisho:s3cret"
[[feeds]]
name = "local-list"
type = "list"
path = %q
own_symbol = true
[[feeds]]
name = "csvfeed"
type = "csv"
path = %q
column = "url"
`, filepath.Join(dir, "data"), feedsQuiet, srv.URL, filepath.Join(dir, "list.txt"), filepath.Join(dir, "urls.csv"))), 0o644)
	out := runCLI(t, "-c", cfg, "feeds", "update")
	for _, want := range []string{"tx: 10 new, 1 expired", "local-list: 1 new", "csvfeed: 1 new"} {
		if !strings.Contains(out, want) {
			t.Errorf("update output lacks %q:\n%s", want, out)
		}
	}
	pages := 0
	for _, q := range srv.Requests() {
		if strings.Contains(q, "/objects/") {
			pages++
		}
	}
	if pages != 6 { // 12 objects, 2 a page
		t.Errorf("TAXII pages %d, want 6", pages)
	}
	list := runCLI(t, "-c", cfg, "feeds", "list")
	if !strings.Contains(list, "tx") || !strings.Contains(list, "taxii") {
		t.Errorf("feeds list:\n%s", list)
	}
	out = runCLI(t, "-c", cfg, "scan", "--json", msgs)
	got := map[string][]string{}
	opts := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r feedScan
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		for _, s := range r.Symbols {
			if strings.HasPrefix(s.Name, "FEED_") {
				got[r.Subject] = append(got[r.Subject], s.Name)
				opts[r.Subject] = append(opts[r.Subject], s.Options...)
			}
		}
		sort.Strings(got[r.Subject])
	}
	for name, c := range cases {
		want := c.want
		if fmt.Sprint(got[name]) != fmt.Sprint(want) && !(len(got[name]) == 0 && len(want) == 0) {
			t.Errorf("%s: got %v, want %v (options %v)", name, got[name], want, opts[name])
		}
		if c.opt != "" && !feedHas(opts[name], c.opt) {
			t.Errorf("%s: options %v lack %q", name, opts[name], c.opt)
		}
	}
}

func feedHas(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestFeedsRetroHunt: serve polls the TAXII server (bearer token); a
// message scanned through the Rspamd front end is recorded in the
// history; when an indicator it carries arrives later, serve's retro-hunt
// records the match, `sekisho feeds hunt` lists it with the Message-ID
// for `sekisho remediate run`, and /metrics shows the feed's counters.
func TestFeedsRetroHunt(t *testing.T) {
	srv := feedtest.StartTAXII(t)
	srv.Token = "tok-123"
	srv.Add(feedtest.Indicator{Name: "first", Pattern: `[domain-name:value = 'already-known.example']`})
	dir := t.TempDir()
	p := ports{rspamd: freePort(t), console: freePort(t)}
	cfg := fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
domains = ["example.jp"]
%s
[serve.milter]
enabled = false
[serve.smtp]
enabled = false
[serve.spamd]
enabled = false
[serve.rspamd]
listen = "127.0.0.1:%d"
[serve.console]
listen = "127.0.0.1:%d"
[[feeds]]
name = "tx"
type = "taxii"
url = %q
auth = "bearer tok-123"
interval = "1s"
`, filepath.Join(dir, "data"), feedsQuiet, p.rspamd, p.console, srv.URL)
	s := serveConfig(t, dir, cfg, p, sekishoBin(t))
	post := func(msg []byte) map[string]json.RawMessage {
		t.Helper()
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/checkv2", p.rspamd), strings.NewReader(string(msg)))
		req.Header.Set("IP", "198.51.100.9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var r struct {
			Symbols map[string]json.RawMessage `json:"symbols"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return r.Symbols
	}
	// The first indicator arrives with the first poll.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, ok := post(feedMsg("known", "", "", "https://already-known.example/", ""))["FEED_DOMAIN"]; ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("FEED_DOMAIN never fired\n%s", s.Log())
		}
		time.Sleep(500 * time.Millisecond)
	}
	if _, ok := post(feedMsg("hunted", "", "", "https://later-bad.example/invoice", ""))["FEED_DOMAIN"]; ok {
		t.Fatal("FEED_DOMAIN before the indicator exists")
	}
	// Let the history writer record it, then publish the indicator.
	time.Sleep(2 * time.Second)
	srv.Add(feedtest.Indicator{Name: "late", Pattern: `[domain-name:value = 'later-bad.example']`})
	var recorded string
	for deadline = time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		recorded = runCLI(t, "-c", s.cfg, "feeds", "hunt", "--recorded", "--json")
		if strings.Contains(recorded, "hunted@clean-sender.example") {
			break
		}
	}
	if !strings.Contains(recorded, `"message_id":"hunted@clean-sender.example"`) || !strings.Contains(recorded, `"indicator":"later-bad.example"`) {
		t.Fatalf("serve's retro-hunt did not record the match: %s\n%s", recorded, s.Log())
	}
	for _, line := range strings.Split(strings.TrimSpace(recorded), "\n") {
		// A message scanned before the first poll is found by the first
		// indicator; the late indicator finds only the message with it.
		if strings.Contains(line, "known@clean-sender.example") && !strings.Contains(line, `"indicator":"already-known.example"`) {
			t.Errorf("retro-hunt matched an unrelated message: %s", line)
		}
	}
	out := runCLI(t, "-c", s.cfg, "feeds", "hunt")
	if !strings.Contains(out, "hunted@clean-sender.example") || !strings.Contains(out, "sekisho remediate run --trigger feed") ||
		!strings.Contains(out, "--message-id 'hunted@clean-sender.example'") {
		t.Errorf("feeds hunt:\n%s", out)
	}
	// The analyzer reloads its index within 5 s of a change.
	var b []byte
	for deadline = time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", p.console))
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `sekisho_list_entries{kind="feed",list="tx"} 2`) {
			break
		}
	}
	for _, want := range []string{`sekisho_list_entries{kind="feed",list="tx"} 2`, `sekisho_list_hits_total{kind="feed",list="tx"}`, `sekisho_list_queries_total{kind="feed",list="tx"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestFeedsHuntRemediate: a message scanned for alice (Rspamd front
// end, recorded in the history) and delivered to her Dovecot mailbox
// turns out to carry an indicator published later; `sekisho feeds hunt
// --remediate` finds it and starts a dry-run remediation (trigger feed)
// that locates the delivered copy; applying it moves the copy out of the
// inbox.
func TestFeedsHuntRemediate(t *testing.T) {
	needPeer(t, "doveadm")
	dc := dovecottest.Start(t, map[string]string{"alice@example.jp": "a"})
	srv := feedtest.StartTAXII(t)
	srv.Add(feedtest.Indicator{Name: "first", Pattern: `[domain-name:value = 'already-known.example']`})
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "master.pw")
	os.WriteFile(pwFile, []byte(dovecottest.MasterPassword+"\n"), 0o600)
	p := ports{rspamd: freePort(t), console: freePort(t)}
	cfg := fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
domains = ["example.jp"]
%s
[serve.milter]
enabled = false
[serve.smtp]
enabled = false
[serve.spamd]
enabled = false
[serve.rspamd]
listen = "127.0.0.1:%d"
[serve.console]
listen = "127.0.0.1:%d"
[remediate]
enabled = true
imap_addr = %q
tls = "none"
master_user = %q
master_password_file = %q
[[feeds]]
name = "tx"
type = "taxii"
url = %q
interval = "1h"
`, filepath.Join(dir, "data"), feedsQuiet, p.rspamd, p.console, dc.IMAPAddr, dovecottest.MasterUser, pwFile, srv.URL)
	s := serveConfig(t, dir, cfg, p, sekishoBin(t))
	msg := feedMsg("clawme", "", "", "https://late-phish.example/pay", "")
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/checkv2", p.rspamd), strings.NewReader(string(msg)))
	req.Header.Set("IP", "198.51.100.9")
	req.Header.Set("Rcpt", "alice@example.jp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	dc.Save(t, "alice@example.jp", "", msg)
	srv.Add(feedtest.Indicator{Name: "late", Pattern: `[domain-name:value = 'late-phish.example']`})
	// The history writer is asynchronous: wait until the hunt finds it.
	var out string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		runCLI(t, "-c", s.cfg, "feeds", "update", "--no-hunt")
		out = runCLI(t, "-c", s.cfg, "feeds", "hunt", "--json")
		if strings.Contains(out, "clawme@clean-sender.example") {
			break
		}
	}
	if !strings.Contains(out, `"indicator":"late-phish.example"`) {
		t.Fatalf("hunt: %s\n%s", out, s.Log())
	}
	runCLI(t, "-c", s.cfg, "feeds", "hunt", "--remediate", "--feed", "tx")
	var all []struct {
		ID         string   `json:"id"`
		Trigger    string   `json:"trigger"`
		State      string   `json:"state"`
		MessageIDs []string `json:"message_ids"`
	}
	if err := json.Unmarshal([]byte(runCLI(t, "-c", s.cfg, "remediate", "list", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	runs := all[:0]
	for _, r := range all {
		if r.Trigger == "feed" {
			runs = append(runs, r)
		}
	}
	if len(runs) != 1 || runs[0].State != "dry-run" || !feedHas(runs[0].MessageIDs, "clawme@clean-sender.example") {
		t.Fatalf("remediation runs: %+v", runs)
	}
	show := runCLI(t, "-c", s.cfg, "remediate", "show", runs[0].ID)
	if !strings.Contains(show, "alice@example.jp") || !strings.Contains(show, "would-move") {
		t.Errorf("dry run did not find the copy:\n%s", show)
	}
	runCLI(t, "-c", s.cfg, "remediate", "apply", runs[0].ID)
	if n := dc.Count(t, "alice@example.jp", "INBOX", "Message-ID", "clawme@clean-sender.example"); n > 0 {
		t.Errorf("copy still in the inbox: %d", n)
	}
}
