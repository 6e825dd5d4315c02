package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/mail"
)

// checkParsedFields: when the parse's spans are used for ARC, they give
// exactly what dkim.SplitMessage gives.
func checkParsedFields(t *testing.T, raw []byte) bool {
	t.Helper()
	fields, body, ok := parsedFields(mail.Parse(raw, mail.Limits{}))
	if !ok {
		return false
	}
	wf, wb := dkim.SplitMessage(raw, 2000)
	if len(fields) != len(wf) || !bytes.Equal(body, wb) {
		t.Fatalf("%q: %d fields, body %q; SplitMessage %d fields, body %q", raw, len(fields), body, len(wf), wb)
	}
	for i := range fields {
		if fields[i] != wf[i] {
			t.Fatalf("%q: field %d %+v, SplitMessage %+v", raw, i, fields[i], wf[i])
		}
	}
	return true
}

func TestParsedFields(t *testing.T) {
	for _, c := range []struct {
		raw string
		ok  bool
	}{
		{"ARC-Seal: i=1; a=rsa-sha256;\r\n cv=none\r\nFrom: a@example.jp\r\n\r\nbody\r\n", true},
		{"ARC-Seal: i=1\nFrom: a@example.jp\n\nbody\nline\n", true},
		{"From: a@example.jp\r\nSubject: no body\r\n", true},
		{"\r\nbody only\r\n", true},
		{" leading: fold\r\nFrom: a@example.jp\r\n\r\nx\r\n", false},
		{"From a@example.jp Mon Jan  1 10:00:00 2024\r\nFrom: a@example.jp\r\n\r\nx\r\n", false},
		{"From: a@example.jp\r\nnot a field\r\nSubject: x\r\n\r\nx\r\n", false},
		{"Bad Name: x\r\nFrom: a@example.jp\r\n\r\nx\r\n", false},
	} {
		if got := checkParsedFields(t, []byte(c.raw)); got != c.ok {
			t.Errorf("%q: used parsed fields %v, want %v", c.raw, got, c.ok)
		}
	}
	// The golden corpus: parsed fields wherever the reading agrees.
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "golden", "*.eml"))
	used := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkParsedFields(t, b) {
			used++
		}
	}
	if len(files) == 0 || used == 0 {
		t.Fatalf("parsed fields used for %d of %d golden messages", used, len(files))
	}
	t.Logf("parsed fields used for %d of %d golden messages", used, len(files))
}

func FuzzParsedFields(f *testing.F) {
	f.Add([]byte("ARC-Seal: i=1;\r\n cv=none\r\nFrom: a@example.jp\r\n\r\nbody\r\n"))
	f.Add([]byte("A: b\nC:\td\n e\n\nx\r\ny"))
	f.Fuzz(func(t *testing.T, raw []byte) { checkParsedFields(t, raw) })
}

// FuzzScanFields holds scanFields to Headers.Count and Has.
func FuzzScanFields(f *testing.F) {
	f.Add("Received\nreceived\nRETURN-PATH\ndkim-signature\nArc-Seal\nX\nARC-Message-Signature\narc-authentication-results")
	f.Add("Receiveđ\nARC-ſeal\nDKIM-Signature\nDKIM-\u212aignature\nReturn-Path ")
	f.Fuzz(func(t *testing.T, names string) {
		var h mail.Headers
		for _, n := range strings.Split(names, "\n") {
			h = append(h, mail.Header{Name: n})
		}
		fs, kinds := scanFields(h, nil)
		if fs.received != h.Count("Received") || fs.returnPath != h.Has("Return-Path") || fs.dkim != h.Has("DKIM-Signature") ||
			fs.arcSet != (h.Has("ARC-Seal") || h.Has("ARC-Message-Signature") || h.Has("ARC-Authentication-Results")) {
			t.Fatalf("%q: %+v", names, fs)
		}
		for i := range h {
			if (kinds[i] == fReceived) != strings.EqualFold(h[i].Name, "Received") {
				t.Fatalf("%q: kind %d", h[i].Name, kinds[i])
			}
		}
	})
}
