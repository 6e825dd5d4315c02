package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gomilter "github.com/emersion/go-milter"

	"github.com/sekisho/sekisho/internal/action"
)

// TestBenchMilterFields: the bench's client sends the header fields that
// action.ParseFields reads (what it sent through go-milter's client),
// reading a reply to each or (SMFIP_NR_HDR) none.
func TestBenchMilterFields(t *testing.T) {
	for _, nr := range []uint32{0, mcNRHdr} {
		testBenchMilterFields(t, nr)
	}
}

func testBenchMilterFields(t *testing.T, nr uint32) {
	hdrs := []string{
		"From: a@b\r\nSubject: x\r\n\ty\r\n z\r\nnot a field\r\n\tcont\r\n: empty name\r\nX:\r\n X-Sp : v \r\n\r\n",
		"A: 1\nB:2\n folded\n\n",
		" leading: cont\nA: 1\n",
		"",
	}
	files, _ := filepath.Glob("../../testdata/ham/*/*")
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			h, _ := action.SplitMessage(b)
			hdrs = append(hdrs, string(h))
		}
	}
	for _, h := range hdrs {
		var want []string
		for _, f := range action.ParseFields([]byte(h), 30) {
			want = append(want, f.Name+"\x00"+f.Value+"\x00")
		}
		a, b := net.Pipe()
		got := make(chan []string)
		go func() {
			var out []string
			r := bufio.NewReader(b)
			for {
				var l [4]byte
				if _, err := io.ReadFull(r, l[:]); err != nil {
					break
				}
				p := make([]byte, binary.BigEndian.Uint32(l[:]))
				io.ReadFull(r, p)
				out = append(out, string(p[1:]))
				if nr == 0 {
					b.Write([]byte{0, 0, 0, 1, 'c'})
				}
			}
			got <- out
		}()
		mc := &milterClient{br: bufio.NewReader(a), nr: nr}
		if err := mc.fields(a, []byte(h), 30); err != nil {
			t.Fatal(err)
		}
		if err := mc.flush(a); err != nil {
			t.Fatal(err)
		}
		a.Close()
		if g := <-got; strings.Join(g, "|") != strings.Join(want, "|") {
			t.Errorf("%q:\n got %q\nwant %q", h, g, want)
		}
	}
}

// fakeMilter answers every command of a session like a milter that
// changes nothing (the client's side alone is measured).
func fakeMilter(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				var p []byte
				for {
					var l [4]byte
					if _, err := io.ReadFull(r, l[:]); err != nil {
						return
					}
					p = slices.Grow(p[:0], int(binary.BigEndian.Uint32(l[:])))[:binary.BigEndian.Uint32(l[:])]
					if _, err := io.ReadFull(r, p); err != nil {
						return
					}
					switch p[0] {
					case 'O':
						c.Write([]byte{0, 0, 0, 13, 'O', 0, 0, 0, 2, 0, 0, 0, 0x3b, 0, 0, 0, 0})
					case 'E':
						c.Write([]byte{0, 0, 0, 1, 'a'})
					case 'A', 'D':
					case 'Q':
						return
					default:
						c.Write([]byte{0, 0, 0, 1, 'c'})
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// BenchmarkBenchMilterClient: the bench's client per message (against a
// milter that answers at once), and go-milter's client it replaced.
// SEKISHO_CORPUS=/work/data/sa for the corpus' test ham.
func BenchmarkBenchMilterClient(b *testing.B) {
	var msgs [][]byte
	if dir := os.Getenv("SEKISHO_CORPUS"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "test", "ham", "*"))
		for _, f := range files[:min(len(files), 500)] {
			if m, err := os.ReadFile(f); err == nil {
				msgs = append(msgs, m)
			}
		}
	}
	if len(msgs) == 0 {
		msgs = [][]byte{[]byte("From: a@b\r\nSubject: s\r\n\r\n" + strings.Repeat("body line\r\n", 500))}
	}
	addr := fakeMilter(b)
	b.Run("own", func(b *testing.B) {
		b.ReportAllocs()
		var mc milterClient
		for i := 0; i < b.N; i++ {
			if err := mc.message(addr, msgs[i%len(msgs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-milter", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := goMilterMessage(addr, msgs[i%len(msgs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// goMilterMessage is the bench's client before (go-milter's).
func goMilterMessage(addr string, raw []byte) error {
	cl := gomilter.NewClientWithOptions("tcp", addr, gomilter.ClientOptions{ReadTimeout: time.Minute, WriteTimeout: 10 * time.Second,
		ActionMask: gomilter.OptAddHeader | gomilter.OptChangeHeader | gomilter.OptChangeBody | gomilter.OptQuarantine})
	s, err := cl.Session()
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Conn("client.example", gomilter.FamilyInet, 25000, "192.0.2.10"); err != nil {
		return err
	}
	if _, err := s.Helo("client.example"); err != nil {
		return err
	}
	if _, err := s.Mail("<sender@client.example>", nil); err != nil {
		return err
	}
	if _, err := s.Rcpt("<user@example.org>", nil); err != nil {
		return err
	}
	hdr, body := action.SplitMessage(raw)
	for _, f := range action.ParseFields(hdr, 1000) {
		if _, err := s.HeaderField(f.Name, f.Value); err != nil {
			return err
		}
	}
	if _, err := s.HeaderEnd(); err != nil {
		return err
	}
	_, _, err = s.BodyReadFrom(bytes.NewReader(body))
	return err
}
