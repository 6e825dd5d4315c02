package e2e

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSMTPSmuggling sends SMTP smuggling attempts (a lone dot with bare LF
// or CR, then a second, forged transaction) to the real binary's SMTP
// gateway, which relays to a real Postfix. The gateway must take the whole
// thing as one message (one reply, the forged sender never becomes an
// envelope), Postfix must deliver that one message, and the scan must name
// the attempt.
func TestSMTPSmuggling(t *testing.T) {
	needPeer(t, "postfix")
	sk := startSink(t)
	after := freePort(t)
	sek := startSekisho(t, after, "")
	front := freePort(t)
	master := fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
  -o smtpd_proxy_filter= -o smtpd_milters= -o smtpd_authorized_xforward_hosts=127.0.0.0/8
  -o smtpd_client_restrictions= -o smtpd_helo_restrictions= -o smtpd_sender_restrictions=
  -o smtpd_relay_restrictions=permit_mynetworks,reject -o mynetworks=127.0.0.0/8
`, after)
	startPostfix(t, front, sk.port, "", master)

	for i, odd := range []string{"\n.\r\n", "\r\n.\n", "\n.\n", "\r.\r\n"} {
		marker := fmt.Sprintf("smuggle-%d", i)
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", sek.p.smtp))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(60 * time.Second))
		r := bufio.NewReader(c)
		reply := func(want string) string {
			t.Helper()
			var all string
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("%q: reading reply: %v (so far %q)", odd, err, all)
				}
				all += line
				if len(line) >= 4 && line[3] == ' ' {
					break
				}
			}
			if !strings.HasPrefix(all, want) {
				t.Fatalf("%q: want %s, got %q", odd, want, all)
			}
			return all
		}
		send := func(s string) { c.Write([]byte(s)) }
		reply("220")
		send("EHLO attacker.example\r\n")
		reply("250")
		send("MAIL FROM:<user@partner.example>\r\n")
		reply("250")
		send("RCPT TO:<yamada@example.jp>\r\n")
		reply("250")
		send("DATA\r\n")
		reply("354")
		send("From: user@partner.example\r\nTo: yamada@example.jp\r\nSubject: hello " + marker + "\r\n" +
			"Message-ID: <" + marker + "@partner.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0900\r\n\r\nhi" + odd +
			"MAIL FROM:<ceo@bank.example>\r\nRCPT TO:<yamada@example.jp>\r\nDATA\r\n" +
			"From: ceo@bank.example\r\nSubject: forged " + marker + "\r\n\r\nwire the money\r\n.\r\n")
		// One message, one answer: not five (250 for the first message,
		// then 250 MAIL, 250 RCPT, 354 DATA, 250 for the forged one).
		got := reply("")
		if !strings.HasPrefix(got, "250") && !strings.HasPrefix(got, "550") {
			t.Fatalf("%q: reply %q", odd, got)
		}
		send("QUIT\r\n")
		reply("221")
		c.Close()
		if strings.HasPrefix(got, "250") {
			m := sk.waitFor(t, marker, 30*time.Second)
			if m.From != "user@partner.example" {
				t.Errorf("%q: delivered with sender %q", odd, m.From)
			}
			if !strings.Contains(string(m.Data), "MIME_SMTP_SMUGGLING") {
				t.Errorf("%q: delivered without MIME_SMTP_SMUGGLING:\n%s", odd, m.Data)
			}
		}
	}
	time.Sleep(500 * time.Millisecond)
	for _, m := range sk.Messages() {
		if m.From == "ceo@bank.example" {
			t.Errorf("the forged transaction was relayed:\n%s", m.Data)
		}
	}
	if !strings.Contains(sek.Log(), "MIME_SMTP_SMUGGLING") {
		t.Errorf("sekisho did not log MIME_SMTP_SMUGGLING")
	}
}
