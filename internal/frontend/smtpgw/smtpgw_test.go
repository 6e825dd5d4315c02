package smtpgw

import (
	"bufio"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	cases := []struct {
		arg, prefix, addr string
		ok                bool
		size              string
	}{
		{"FROM:<a@b.example> SIZE=100 BODY=8BITMIME", "FROM:", "a@b.example", true, "100"},
		{"from: <a@b>", "FROM:", "a@b", true, ""},
		{"FROM:<>", "FROM:", "", true, ""},
		{"TO:<@relay.example:u@example.jp>", "TO:", "u@example.jp", true, ""},
		{"TO:u@example.jp", "TO:", "u@example.jp", true, ""},
		{"TO:<a b@c>", "TO:", "", false, ""},
		{"FROM:<a@b", "FROM:", "", false, ""},
		{"TO<a@b>", "TO:", "", false, ""},
	}
	for _, c := range cases {
		a, p, ok := parsePath(c.arg, c.prefix)
		if ok != c.ok || (ok && (a != c.addr || p["SIZE"] != c.size)) {
			t.Errorf("%q: %q %v %v", c.arg, a, p, ok)
		}
	}
}

func TestXtext(t *testing.T) {
	if XtextDecode("a+2Bb+3Dc+") != "a+b=c+" {
		t.Error(XtextDecode("a+2Bb+3Dc+"))
	}
}

func TestReadData(t *testing.T) {
	in := "Subject: x\r\n\r\n..dot\r\nline\r\n.\r\nNEXT"
	r := bufio.NewReader(strings.NewReader(in))
	b, big, err := readData(r, 1000)
	if err != nil || big || string(b) != "Subject: x\r\n\r\n.dot\r\nline\r\n" {
		t.Errorf("%q %v %v", b, big, err)
	}
	rest, _ := r.ReadString('T')
	if rest != "NEXT" {
		t.Errorf("rest %q", rest)
	}
	// SMTP smuggling: only <CRLF>.<CRLF> ends the data; the variants
	// other servers took for the end stay content.
	for _, odd := range []string{"\n.\r\n", "\r\n.\n", "\n.\n", "\r.\r\n", "\r\n.\r"} {
		in := "Subject: x\r\n\r\nhi" + odd + "MAIL FROM:<ceo@bank.example>\r\nRCPT TO:<v@example.com>\r\nDATA\r\n\r\nforged\r\n.\r\nNEXT"
		r := bufio.NewReader(strings.NewReader(in))
		b, big, err := readData(r, 1000)
		if err != nil || big || !strings.Contains(string(b), "MAIL FROM:<ceo@bank.example>\r\n") || !strings.HasSuffix(string(b), "forged\r\n") {
			t.Errorf("%q: %q %v %v", odd, b, big, err)
		}
		if rest, _ := r.ReadString('T'); rest != "NEXT" {
			t.Errorf("%q: rest %q", odd, rest)
		}
	}
	_, big, err = readData(bufio.NewReader(strings.NewReader(strings.Repeat("x", 5000)+"\r\n.\r\n")), 100)
	if err != nil || !big {
		t.Error("limit")
	}
}

func FuzzSMTPParsers(f *testing.F) {
	f.Add("FROM:<a@b> SIZE=1", "ADDR=192.0.2.1 NAME=x+2By HELO=[UNAVAILABLE]", []byte("a\r\n.\r\n"))
	f.Add("TO:<@a,@b:c@d>", "ADDR=IPV6:::1 LOGIN=u", []byte("..\r\n..\r\n.\r\n"))
	f.Fuzz(func(t *testing.T, path, attrs string, data []byte) {
		parsePath(path, "FROM:")
		c := &conn{s: &Server{}}
		c.xattrs(attrs, true)
		if len(c.helo) > 255 || len(c.login) > 255 || len(c.clientName) > 255 {
			t.Fatal("unbounded attribute")
		}
		b, big, err := readData(bufio.NewReaderSize(strings.NewReader(string(data)), 16), 1<<12)
		if err == nil && !big && len(b) > 1<<12+2 {
			t.Fatal("over limit")
		}
	})
}
