package dovecottest

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestStartSaveCountMasterLogin(t *testing.T) {
	s := Start(t, map[string]string{"alice@example.jp": "pw-a"})
	raw := []byte("From: a@example.com\r\nTo: alice@example.jp\r\nSubject: hi\r\nMessage-ID: <one@example.com>\r\n\r\nbody\r\n")
	s.Save(t, "alice@example.jp", "", raw)
	if n := s.Count(t, "alice@example.jp", "INBOX", "Message-ID", "<one@example.com>"); n != 1 {
		t.Fatalf("count = %d", n)
	}
	c, err := net.DialTimeout("tcp", s.IMAPAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "a LOGIN \"%s\" \"%s\"\r\n", MasterLogin("alice@example.jp"), MasterPassword)
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(l, "a ") {
			if !strings.HasPrefix(l, "a OK") {
				t.Fatalf("master login: %s\n%s", l, s.Log())
			}
			break
		}
	}
}
