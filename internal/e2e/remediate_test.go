package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/testutil/dovecottest"
)

// remediateMsg is a message with one attachment (the same bytes in every
// call), From display name fromName, Message-ID <id>.
func remediateMsg(from, fromName, to, id, subject string) []byte {
	att := base64.StdEncoding.EncodeToString([]byte("Quarterly figures, see the link inside.\nhttps://files.partner.example/q3\n"))
	return crlf(fmt.Sprintf(`From: "%s" <%s>
To: <%s>
Subject: %s
Date: Mon, 16 Nov 2026 10:00:00 +0900
Message-ID: <%s>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8

Please find the figures attached.
--b1
Content-Type: application/octet-stream; name="figures.dat"
Content-Disposition: attachment; filename="figures.dat"
Content-Transfer-Encoding: base64

%s
--b1--
`, fromName, from, to, subject, id, att))
}

// TestRemediateDovecot: mail delivered through Postfix → sekisho (milter)
// → Dovecot (LMTP) to two mailboxes, and forwarded inside the
// organisation to a third; a later message with the same attachment is
// rejected as phishing, which makes an automatic (dry-run) remediation
// run; applying it moves every copy to the Quarantine folder of the three
// mailboxes, and undo puts them back.
func TestRemediateDovecot(t *testing.T) {
	needPeer(t, "postfix", "swaks", "doveadm")
	users := map[string]string{"alice@example.jp": "a", "bob@example.jp": "b", "carol@example.jp": "c"}
	dc := dovecottest.Start(t, users)
	bin := sekishoBin(t)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "master.pw")
	os.WriteFile(pwFile, []byte(dovecottest.MasterPassword+"\n"), 0o600)
	p := ports{milter: freePort(t)}
	cfg := fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
log_level = "debug"
domains = ["example.jp"]
[serve]
shutdown_timeout = "20s"
%s
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
[remediate]
enabled = true
imap_addr = %q
tls = "none"
master_user = %q
master_password_file = %q
[policy.weights]
HDR_FROM_NAME_HAS_ADDRESS = 16.0
`, filepath.Join(dir, "data"), onlyFrontend("milter", p.milter, ""), dc.IMAPAddr, dovecottest.MasterUser, pwFile)
	sek := serveConfig(t, dir, cfg, p, bin)
	cfgPath := filepath.Join(dir, "sekisho.toml")
	sk := startSink(t)
	pf := startPostfix(t, freePort(t), sk.port,
		fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d\ntransport_maps = inline:{example.jp=lmtp:inet:%s}\n", sek.p.milter, dc.LMTPAddr),
		"lmtp unix - - n - - lmtp\n")

	const id1, id2 = "q3-figures@partner.example", "fwd-7781@example.jp"
	waitCount := func(user, folder, id string, want int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			n := dc.Count(t, user, folder, "Message-ID", id)
			if n == want || n == -1 && want == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s/%s: %d copies of %s, want %d\n%s", user, folder, n, id, want, dc.Log())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Log("started")
	// 1. Delivered to alice and bob; alice forwards it to carol.
	if out, ok := swaks(t, pf.port, "tanaka@partner.example", "alice@example.jp,bob@example.jp",
		writeMsg(t, "m1.eml", remediateMsg("tanaka@partner.example", "Tanaka", "alice@example.jp", id1, "Q3 figures"))); !ok {
		t.Fatalf("first message refused:\n%s", out)
	}
	waitCount("alice@example.jp", "INBOX", id1, 1)
	waitCount("bob@example.jp", "INBOX", id1, 1)
	if out, ok := swaks(t, pf.port, "alice@example.jp", "carol@example.jp",
		writeMsg(t, "m2.eml", remediateMsg("alice@example.jp", "Alice", "carol@example.jp", id2, "Fwd: Q3 figures"))); !ok {
		t.Fatalf("forward refused:\n%s", out)
	}
	waitCount("carol@example.jp", "INBOX", id2, 1)

	// 2. A later copy of the attachment is caught as phishing.
	if out, ok := swaks(t, pf.port, "x@mailer.example", "bob@example.jp",
		writeMsg(t, "m3.eml", remediateMsg("x@mailer.example", "support@microsoft.com", "bob@example.jp", "later-1@mailer.example", "Q3 figures"))); ok {
		t.Fatalf("the phishing copy was accepted:\n%s", out)
	}

	cli := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"--config", cfgPath, "remediate"}, args...)...).Output()
		if err != nil {
			ee, _ := err.(*exec.ExitError)
			var stderr []byte
			if ee != nil {
				stderr = ee.Stderr
			}
			t.Fatalf("sekisho remediate %v: %v\n%s%s", args, err, out, stderr)
		}
		return out
	}
	t.Log("sent")
	// 3. The automatic run is a dry run: recorded, nothing moved.
	var dry *remediate.Run
	deadline := time.Now().Add(60 * time.Second)
	for dry == nil {
		var runs []*remediate.Run
		if err := json.Unmarshal(cli("list", "--json"), &runs); err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Trigger == "verdict" {
				dry = r
			}
		}
		if dry == nil {
			if time.Now().After(deadline) {
				t.Fatalf("no automatic run\n%s", sek.Log())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if err := json.Unmarshal(cli("show", "--json", dry.ID), &dry); err != nil {
		t.Fatal(err)
	}
	if dry.State != remediate.RunDryRun || !dry.DryRun {
		t.Fatalf("automatic run state %s, dry %v", dry.State, dry.DryRun)
	}
	if c := dry.Counts(); c[remediate.ItemWouldMove] != 3 {
		t.Fatalf("dry run items %v: %+v", c, dry.Items)
	}
	if got := strings.Join(dry.Mailboxes, ","); got != "alice@example.jp,bob@example.jp,carol@example.jp" {
		t.Fatalf("mailboxes %s", got)
	}
	waitCount("alice@example.jp", "INBOX", id1, 1)

	t.Log("dry run seen")
	// 4. Applied: every copy leaves the three mailboxes.
	var done remediate.Run
	if err := json.Unmarshal(cli("apply", "--json", dry.ID), &done); err != nil {
		t.Fatal(err)
	}
	if done.State != remediate.RunDone || done.Counts()[remediate.ItemMoved] != 3 {
		t.Fatalf("applied run %s %v: %+v", done.State, done.Counts(), done.Items)
	}
	for _, u := range []string{"alice@example.jp", "bob@example.jp"} {
		waitCount(u, "INBOX", id1, 0)
		waitCount(u, "Quarantine", id1, 1)
	}
	waitCount("carol@example.jp", "INBOX", id2, 0)
	waitCount("carol@example.jp", "Quarantine", id2, 1)

	// 5. Undo restores them.
	var undone remediate.Run
	if err := json.Unmarshal(cli("undo", "--json", done.ID), &undone); err != nil {
		t.Fatal(err)
	}
	if undone.State != remediate.RunUndone || undone.Counts()[remediate.ItemRestored] != 3 {
		t.Fatalf("undo %s %v", undone.State, undone.Counts())
	}
	for _, u := range []string{"alice@example.jp", "bob@example.jp"} {
		waitCount(u, "INBOX", id1, 1)
		waitCount(u, "Quarantine", id1, 0)
	}
	waitCount("carol@example.jp", "INBOX", id2, 1)

	t.Log("undone")
	// 6. An administrator's delete: gone from the mailbox, back on undo.
	var del remediate.Run
	if err := json.Unmarshal(cli("run", "--json", "--message-id", "<"+id1+">", "--action", "delete", "--reason", "admin decision"), &del); err != nil {
		t.Fatal(err)
	}
	if del.State != remediate.RunDone || del.Counts()[remediate.ItemDeleted] != 2 {
		t.Fatalf("delete run %s %v: %+v", del.State, del.Counts(), del.Items)
	}
	waitCount("alice@example.jp", "INBOX", id1, 0)
	waitCount("alice@example.jp", "Quarantine", id1, 0)
	cli("undo", del.ID)
	waitCount("alice@example.jp", "INBOX", id1, 1)
	waitCount("bob@example.jp", "INBOX", id1, 1)
}
