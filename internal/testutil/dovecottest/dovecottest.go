// Package dovecottest starts Debian's Dovecot (dovecot-imapd and
// dovecot-lmtpd) for tests: IMAP and LMTP on free loopback ports, a
// temporary Maildir store, users from a passwd-file and one master user
// (Dovecot's "user*master" login), all stopped and removed when the test
// ends.
//
// As root the mail store belongs to the "mail" user and Dovecot's own
// processes run as the packaged dovecot/dovenull users; as any other user
// every process runs as that user, so no root is needed.
package dovecottest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
)

// Master user credentials of every server started here.
const (
	MasterUser     = "sekisho-master"
	MasterPassword = "master-secret"
	// Separator joins a mailbox owner and the master user at login:
	// "alice@example.jp*sekisho-master".
	Separator = "*"
)

// Server is one running Dovecot.
type Server struct {
	Dir      string // temporary root: config, run, mail store, log
	Conf     string // dovecot.conf
	IMAPAddr string // 127.0.0.1:port
	LMTPAddr string // 127.0.0.1:port
	IMAPPort int
	LMTPPort int
	cmd      *exec.Cmd
	done     chan error
}

// Start runs Dovecot with the given users (address → password), or
// skips (fails under SEKISHO_REQUIRE_PEERS=1) when it is not installed.
func Start(t testing.TB, users map[string]string) *Server {
	t.Helper()
	return StartWith(t, users, Options{})
}

// Options of StartWith.
type Options struct {
	// OAuth2IntrospectURL, when set, adds SASL XOAUTH2 and OAUTHBEARER
	// checked by Dovecot's oauth2 passdb against this RFC 7662
	// introspection endpoint (POST token=...; the answer's "active" must
	// be true and its "username" the login).
	OAuth2IntrospectURL string
}

// StartWith is Start with options.
func StartWith(t testing.TB, users map[string]string, o Options) *Server {
	t.Helper()
	bin := testutil.LookPeer(t, "/usr/sbin/dovecot", "dovecot")
	if _, err := os.Stat("/usr/lib/dovecot/imap"); err != nil {
		testutil.NoPeer(t, "dovecot-imapd not installed")
	}
	if _, err := os.Stat("/usr/lib/dovecot/lmtp"); err != nil {
		testutil.NoPeer(t, "dovecot-lmtpd not installed")
	}
	dir, err := os.MkdirTemp("", "sekisho-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	s := &Server{Dir: dir, Conf: filepath.Join(dir, "dovecot.conf"), IMAPPort: testutil.FreePort(t), LMTPPort: testutil.FreePort(t), done: make(chan error, 1)}
	s.IMAPAddr = fmt.Sprintf("127.0.0.1:%d", s.IMAPPort)
	s.LMTPAddr = fmt.Sprintf("127.0.0.1:%d", s.LMTPPort)
	mail := filepath.Join(dir, "mail")
	for _, d := range []string{"run", "state", "mail"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// Who owns what.
	var mailUID, mailGID, internalUser, loginUser, extra string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("mail")
		if err != nil {
			testutil.NoPeer(t, "no mail user for the Dovecot store")
		}
		mailUID, mailGID = u.Uid, u.Gid
		internalUser, loginUser = "dovecot", "dovenull"
		var uid, gid int
		fmt.Sscan(u.Uid, &uid)
		fmt.Sscan(u.Gid, &gid)
		if err := os.Chown(mail, uid, gid); err != nil {
			t.Fatal(err)
		}
	} else {
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		mailUID, mailGID = u.Uid, u.Gid
		internalUser, loginUser = u.Username, u.Username
		extra = "default_login_user = " + loginUser + "\n"
	}

	var ub bytes.Buffer
	for addr, pw := range users {
		fmt.Fprintf(&ub, "%s:{PLAIN}%s::::::\n", addr, pw)
	}
	usersFile := filepath.Join(dir, "users")
	masterFile := filepath.Join(dir, "master-users")
	if err := os.WriteFile(usersFile, ub.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(masterFile, []byte(fmt.Sprintf("%s:{PLAIN}%s::::::\n", MasterUser, MasterPassword)), 0o644); err != nil {
		t.Fatal(err)
	}
	oauthPassdb := ""
	mechs := "plain login"
	if o.OAuth2IntrospectURL != "" {
		mechs += " xoauth2 oauthbearer"
		ext := filepath.Join(dir, "dovecot-oauth2.conf.ext")
		if err := os.WriteFile(ext, []byte(fmt.Sprintf("introspection_mode = post\nintrospection_url = %s\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n", o.OAuth2IntrospectURL)), 0o644); err != nil {
			t.Fatal(err)
		}
		oauthPassdb = fmt.Sprintf("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}\n", ext)
	}
	conf := fmt.Sprintf(`# written by internal/testutil/dovecottest
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = MECHS
auth_master_user_separator = %[6]s
default_internal_user = %[7]s
default_internal_group = %[7]s
%[8]s
first_valid_uid = 1
mail_location = maildir:%[2]s/%%d/%%n
mail_uid = %[3]s
mail_gid = %[4]s
mail_privileged_group =
lmtp_save_to_detail_mailbox = no
recipient_delimiter =
passdb {
  driver = passwd-file
  args = %[5]s/master-users
  master = yes
}
passdb {
  driver = passwd-file
  args = %[5]s/users
}
OAUTHPASSDB
userdb {
  driver = static
  args = uid=%[3]s gid=%[4]s home=%[2]s/%%d/%%n
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[9]d
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %[10]d
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`, dir, mail, mailUID, mailGID, dir, Separator, internalUser, extra, s.IMAPPort, s.LMTPPort)
	conf = strings.Replace(strings.Replace(conf, "MECHS", mechs, 1), "OAUTHPASSDB", oauthPassdb, 1)
	if os.Geteuid() != 0 {
		conf = strings.Replace(conf, "first_valid_uid = 1", "first_valid_uid = "+mailUID, 1)
	}
	if err := os.WriteFile(s.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(bin, "-F", "-c", s.Conf)
	var out bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("dovecot log:\n%s%s", s.Log(), out.String())
		}
		os.RemoveAll(dir)
	})
	for _, addr := range []string{s.IMAPAddr, s.LMTPAddr} {
		if err := waitBanner(addr, 30*time.Second, s.done); err != nil {
			t.Fatalf("dovecot: %v\n%s\n%s", err, out.String(), s.Log())
		}
	}
	return s
}

// waitBanner waits until addr answers with a greeting line.
func waitBanner(addr string, d time.Duration, done chan error) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			done <- err
			return fmt.Errorf("exited early: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil && line != "" {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s never answered", addr)
}

// Log returns Dovecot's log so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "dovecot.log"))
	return string(b)
}

// MasterLogin is the IMAP login name that opens user's mailbox as the
// master user.
func MasterLogin(user string) string { return user + Separator + MasterUser }

// Save stores raw in user's mailbox folder with doveadm (no SMTP or LMTP
// involved): for tests that need mail in place quickly.
func (s *Server) Save(t testing.TB, user, folder string, raw []byte) {
	t.Helper()
	args := []string{"-c", s.Conf, "save", "-u", user}
	if folder != "" && folder != "INBOX" {
		args = append(args, "-m", folder)
	}
	cmd := exec.Command("doveadm", args...)
	cmd.Stdin = bytes.NewReader(raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("doveadm save: %v\n%s\n%s", err, out, s.Log())
	}
}

// Count returns how many messages user's folder holds whose header
// field hdr contains value (doveadm search), -1 when the folder does not exist.
func (s *Server) Count(t testing.TB, user, folder, hdr, value string) int {
	t.Helper()
	out, err := exec.Command("doveadm", "-c", s.Conf, "search", "-u", user, "mailbox", folder, "header", hdr, value).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "Mailbox doesn't exist") || strings.Contains(string(out), "doesn't exist") {
			return -1
		}
		t.Fatalf("doveadm search: %v\n%s", err, out)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}
