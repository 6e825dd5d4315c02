package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/analyzer/header"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// FuzzScan feeds arbitrary bytes through parse + header analysis + policy:
// every input must give a verdict with a valid action and UTF-8 text.
func FuzzScan(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "golden", "*.eml"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: =?ISO-2022-JP?B?GyRC?= <a@b>\r\nSubject: =?utf-8?q?=E3=81?= =?utf-8?q?=82?=\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n--x--\r\n"))
	f.Add([]byte("\r\n\r\n"))
	cfg := testConfig(f)
	e, err := New(cfg, Options{Factories: []Factory{header.New}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := e.Scan(context.Background(), raw, pipeline.Envelope{})
		if r.Verdict.Action.Rank() < 0 {
			t.Fatalf("bad action %q", r.Verdict.Action)
		}
		if !utf8.ValidString(r.Msg.Subject) || !utf8.ValidString(r.Verdict.Explanation) {
			t.Fatal("invalid UTF-8 out of the pipeline")
		}
		for _, s := range r.Verdict.Symbols {
			for _, o := range s.Options {
				if len(o) > 400 {
					t.Fatalf("unbounded option on %s: %d bytes", s.Name, len(o))
				}
			}
		}
	})
}
