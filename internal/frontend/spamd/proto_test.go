package spamd

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestReadRequest(t *testing.T) {
	msg := "Subject: hi\r\n\r\nbody\r\n"
	req, err := ReadRequest(bufio.NewReader(strings.NewReader(fmt.Sprintf("SYMBOLS SPAMC/1.5\r\nUser: joe\r\nContent-length: %d\r\n\r\n%s", len(msg), msg))), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "SYMBOLS" || req.Version != "1.5" || req.Headers["user"] != "joe" || string(req.Body) != msg {
		t.Errorf("%+v", req)
	}
	// zlib
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(msg))
	zw.Close()
	req, err = ReadRequest(bufio.NewReader(strings.NewReader(fmt.Sprintf("CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: %d\r\n\r\n%s", z.Len(), z.String()))), 1000)
	if err != nil || string(req.Body) != msg {
		t.Errorf("zlib: %v %q", err, req.Body)
	}
	// zlib bomb bounded
	var big bytes.Buffer
	zw = zlib.NewWriter(&big)
	zw.Write(bytes.Repeat([]byte("a"), 1<<20))
	zw.Close()
	_, err = ReadRequest(bufio.NewReader(strings.NewReader(fmt.Sprintf("CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: %d\r\n\r\n%s", big.Len(), big.String()))), 1000)
	var pe *ProtoError
	if !errors.As(err, &pe) || pe.Code != ExTooBig {
		t.Errorf("bomb: %v", err)
	}
	for _, bad := range []string{"CHECK\r\n\r\n", "FOO SPAMC/1.5\r\n\r\n", "CHECK SPAMC/1.5\r\n\r\n", "CHECK SPAMC/1.5\r\nContent-length: x\r\n\r\n",
		"CHECK SPAMC/1.5\r\nContent-length: 99999\r\n\r\n", "CHECK SPAMC/1.5\r\nno colon\r\n\r\n"} {
		if _, err := ReadRequest(bufio.NewReader(strings.NewReader(bad)), 1000); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	req, err = ReadRequest(bufio.NewReader(strings.NewReader("PING SPAMC/1.5\r\n\r\n")), 1000)
	if err != nil || req.Method != "PING" {
		t.Errorf("ping: %v", err)
	}
}

func TestReplyCompressed(t *testing.T) {
	var b bytes.Buffer
	Reply(&b, []string{"Spam: False ; 0.0 / 5.0"}, []byte("A,B"), true, true)
	s := b.String()
	if !strings.Contains(s, "Compress: zlib\r\n") || !strings.HasPrefix(s, "SPAMD/1.1 0 EX_OK\r\n") {
		t.Errorf("%q", s)
	}
}

func FuzzReadRequest(f *testing.F) {
	f.Add([]byte("CHECK SPAMC/1.5\r\nContent-length: 4\r\n\r\nab\r\n"))
	f.Add([]byte("TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\nContent-length: 2\r\n\r\nab"))
	f.Add([]byte("PING SPAMC/1.5\r\n\r\n"))
	f.Add([]byte("PROCESS SPAMC/1.3\r\nCompress: zlib\r\nContent-length: 8\r\n\r\nx\x9c\x03\x00\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := ReadRequest(bufio.NewReader(bytes.NewReader(b)), 1<<16)
		if err == nil && int64(len(req.Body)) > 1<<16 {
			t.Fatal("body over limit")
		}
	})
}

// readLineRef is readLine as it was (every line through an appended
// copy): the reference FuzzReadLineMatches compares with.
func readLineRef(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		frag, isPrefix, err := r.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, frag...)
		if len(b) > maxLine {
			return "", &ProtoError{ExProtocol, "line too long"}
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// FuzzReadLineMatches: readLine returns the lines and errors the
// reference does, with buffers from the smallest bufio allows (lines in
// fragments) to larger than any line.
func FuzzReadLineMatches(f *testing.F) {
	f.Add([]byte("CHECK SPAMC/1.5\r\nUser: x\r\n\r\nbody"), uint16(16), uint16(0))
	f.Add([]byte("a\nb\r\n\r\n"), uint16(8192), uint16(9000))
	f.Add([]byte("\r\n"+strings.Repeat("y", 8193)+"\n"), uint16(60000), uint16(8192))
	f.Fuzz(func(t *testing.T, b []byte, size, long uint16) {
		// A long first line of long bytes (up to 16 KiB), made here.
		b = append(bytes.Repeat([]byte{'x'}, int(long)%(16<<10)), b...)
		r1 := bufio.NewReaderSize(bytes.NewReader(b), int(size))
		r2 := bufio.NewReaderSize(bytes.NewReader(b), int(size))
		for {
			l1, e1 := readLine(r1)
			l2, e2 := readLineRef(r2)
			if l1 != l2 || fmt.Sprint(e1) != fmt.Sprint(e2) {
				t.Fatalf("readLine %q %v, reference %q %v", l1, e1, l2, e2)
			}
			if e1 != nil {
				return
			}
		}
	})
}

// TestRequestOwnsItsBytes: nothing of a parsed request points into the
// reader's buffer (handle puts the reader back in the pool once the
// request is read, and the next connection reads into the same buffer).
func TestRequestOwnsItsBytes(t *testing.T) {
	in := "SYMBOLS SPAMC/1.5\r\nUser: joe\r\nContent-length: 6\r\n\r\nabcdef"
	br := bufio.NewReaderSize(strings.NewReader(in), 64<<10)
	req, err := ReadRequest(br, 1000)
	if err != nil {
		t.Fatal(err)
	}
	br.Reset(strings.NewReader(strings.Repeat("Z", len(in)+100)))
	if _, err := br.Peek(len(in) + 100); err != nil {
		t.Fatal(err)
	}
	if req.Method != "SYMBOLS" || req.Version != "1.5" || req.Headers["user"] != "joe" || req.Headers["content-length"] != "6" || string(req.Body) != "abcdef" {
		t.Fatalf("request changed with the reader's buffer: %+v %q", req, req.Body)
	}
}

// replyRef is Reply as it was (a bytes.Buffer and fmt): the reference
// of FuzzAppendReplyMatches.
func replyRef(w io.Writer, headers []string, body []byte, withBody, compress bool) error {
	var b bytes.Buffer
	b.WriteString("SPAMD/1.1 0 EX_OK\r\n")
	if withBody && compress {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(body)
		zw.Close()
		body = z.Bytes()
		b.WriteString("Compress: zlib\r\n")
	}
	if withBody {
		fmt.Fprintf(&b, "Content-length: %d\r\n", len(body))
	}
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	if withBody {
		b.Write(body)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// FuzzAppendReplyMatches: the reply bytes are those the bytes.Buffer
// version wrote, for any headers, body and flags, appended after
// anything already in the buffer.
func FuzzAppendReplyMatches(f *testing.F) {
	f.Add("Spam: True ; 9.0 / 5.0", "", []byte("A,B"), true, false, []byte(nil))
	f.Add("Spam: False ; 0.0 / 5.0", "X: y", []byte(nil), false, false, []byte("prefix"))
	f.Add("", "", bytes.Repeat([]byte("x"), 5000), true, true, []byte(nil))
	f.Fuzz(func(t *testing.T, h1, h2 string, body []byte, withBody, compress bool, prefix []byte) {
		hdrs := []string{h1}
		if h2 != "" {
			hdrs = append(hdrs, h2)
		}
		var want bytes.Buffer
		want.Write(prefix)
		replyRef(&want, hdrs, body, withBody, compress)
		if got := appendReply(bytes.Clone(prefix), hdrs, body, withBody, compress); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendReply:\n%q\nwant\n%q", got, want.Bytes())
		}
		var got bytes.Buffer
		Reply(&got, hdrs, body, withBody, compress)
		if !bytes.Equal(got.Bytes(), want.Bytes()[len(prefix):]) {
			t.Fatalf("Reply:\n%q\nwant\n%q", got.Bytes(), want.Bytes()[len(prefix):])
		}
	})
}
