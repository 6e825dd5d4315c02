package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
)

// TestBenchMilterFields: the bench's client sends the header fields that
// action.ParseFields reads (what it sent through go-milter's client).
func TestBenchMilterFields(t *testing.T) {
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
				b.Write([]byte{0, 0, 0, 1, 'c'})
			}
			got <- out
		}()
		mc := &milterClient{br: bufio.NewReader(a)}
		if err := mc.fields(a, []byte(h), 30); err != nil {
			t.Fatal(err)
		}
		a.Close()
		if g := <-got; strings.Join(g, "|") != strings.Join(want, "|") {
			t.Errorf("%q:\n got %q\nwant %q", h, g, want)
		}
	}
}
