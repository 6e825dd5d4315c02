package rspamd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func TestEnvelope(t *testing.T) {
	h := http.Header{}
	h.Set("Ip", "::ffff:192.0.2.1")
	h.Set("Helo", "mx.example")
	h.Set("From", "<a@b.example>")
	h.Add("Rcpt", "<x@example.jp>")
	h.Add("Rcpt", "y@example.jp, z@example.jp")
	h.Set("User", "sato")
	h.Set("Queue-Id", "ABC")
	h.Set("Settings-ID", "outbound")
	h.Set("Pass", "all")
	env, pass := Envelope(h)
	if env.ClientIP.String() != "192.0.2.1" || env.Helo != "mx.example" || env.MailFrom != "a@b.example" ||
		len(env.Rcpts) != 3 || env.AuthUser != "sato" || env.QueueID != "ABC" || env.Settings != "outbound" || !pass {
		t.Errorf("%+v", env)
	}
	h.Set("Ip", "not-an-ip")
	env, _ = Envelope(h)
	if env.ClientIP.IsValid() {
		t.Error("bad IP accepted")
	}
}

func TestActionNames(t *testing.T) {
	s := "x"
	cases := []struct {
		o    action.Outcome
		want string
	}{
		{action.Outcome{Action: pipeline.ActionAccept}, "no action"},
		{action.Outcome{Action: pipeline.ActionTag}, "add header"},
		{action.Outcome{Action: pipeline.ActionTag, NewSubject: &s}, "rewrite subject"},
		{action.Outcome{Action: pipeline.ActionQuarantine}, "reject"},
		{action.Outcome{Action: pipeline.ActionReject}, "reject"},
		{action.Outcome{Action: pipeline.ActionTempfail}, "soft reject"},
	}
	for _, c := range cases {
		if got := ActionName(&c.o); got != c.want {
			t.Errorf("%s: %s, want %s", c.o.Action, got, c.want)
		}
	}
	o := action.Outcome{Action: pipeline.ActionTag, Headers: []pipeline.HeaderField{{Name: "X-A", Value: "1"}, {Name: "X-A", Value: "2"}}}
	rep := BuildReply(&o, time.Millisecond)
	if v, ok := rep.Milter.AddHeaders["X-A"].([]hdrValue); !ok || len(v) != 2 {
		t.Errorf("repeated header: %#v", rep.Milter.AddHeaders)
	}
}

func FuzzEnvelope(f *testing.F) {
	f.Add("192.0.2.1", "mx", "<a@b>", "x@y, <z@w>", "user", "Q1")
	f.Add("[::1]", "", "", ",,,", "", "")
	f.Fuzz(func(t *testing.T, ip, helo, from, rcpt, user, qid string) {
		h := http.Header{}
		for k, v := range map[string]string{"Ip": ip, "Helo": helo, "From": from, "Rcpt": rcpt, "User": user, "Queue-Id": qid} {
			h[k] = []string{v}
		}
		env, _ := Envelope(h)
		for _, r := range env.Rcpts {
			if r == "" || len(r) > 512 || strings.ContainsAny(r, "<>") && !strings.Contains(rcpt, r) {
				t.Fatalf("bad rcpt %q", r)
			}
		}
		if len(env.Helo) > 512 || len(env.AuthUser) > 512 {
			t.Fatal("unbounded field")
		}
	})
}

func TestUnzstdBounded(t *testing.T) {
	enc, _ := zstd.NewWriter(nil)
	small := enc.EncodeAll([]byte("From: a\r\n\r\nx"), nil)
	if b, err := unzstd(small, 1000); err != nil || string(b) != "From: a\r\n\r\nx" {
		t.Errorf("%q %v", b, err)
	}
	bomb := enc.EncodeAll(make([]byte, 10<<20), nil)
	if _, err := unzstd(bomb, 1<<20); err == nil {
		t.Error("zstd bomb accepted")
	}
	if _, err := unzstd([]byte("not zstd"), 1000); err == nil {
		t.Error("garbage accepted")
	}
}

// countingWriter counts the writes of a handler.
type countingWriter struct {
	http.ResponseWriter
	writes int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.writes++
	return c.ResponseWriter.Write(b)
}

// TestReplyOneWrite: a reply far larger than net/http's buffer (which
// would switch to chunked encoding) is written once, with its
// Content-Length, and its bytes are what json.Encoder writes.
func TestReplyOneWrite(t *testing.T) {
	s := "[SPAM] <subject> & \u2028 \xff"
	o := &action.Outcome{Action: pipeline.ActionTag, NewSubject: &s, ID: "0000ab"}
	o.Headers = append(o.Headers, pipeline.HeaderField{Name: "X-Spam-Status", Value: "Yes,\r\n score=7"}, pipeline.HeaderField{Name: "X-Spam-Status", Value: "again"})
	rep := BuildReply(o, 1234567*time.Nanosecond)
	for i := range 300 {
		name := fmt.Sprintf("SYM_%03d", i)
		rep.Symbols[name] = Symbol{Name: name, Score: float64(i) / 7, MetricScore: 1e-7 * float64(i), Description: "<b>desc</b> 説明", Options: []string{"a\"b", "c"}}
	}
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(rep); err != nil {
		t.Fatal(err)
	}
	if want.Len() < 16<<10 {
		t.Fatalf("reply of %d bytes: too small to tell", want.Len())
	}
	writesc := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		writeJSON(cw, http.StatusOK, rep)
		writesc <- cw.writes
	}))
	defer srv.Close()
	for range 3 { // again from the pool
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("reply differs from json.Encoder's:\n%s\n%s", got, want.Bytes())
		}
		if writes := <-writesc; resp.ContentLength != int64(want.Len()) || len(resp.TransferEncoding) != 0 || writes != 1 {
			t.Fatalf("Content-Length %d (want %d), Transfer-Encoding %v, %d writes", resp.ContentLength, want.Len(), resp.TransferEncoding, writes)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q", ct)
		}
	}
}

// BenchmarkWriteReply is the reply of a spam verdict with 30 symbols.
func BenchmarkWriteReply(b *testing.B) {
	o := &action.Outcome{Action: pipeline.ActionReject, Code: 550, Enhanced: "5.7.1", Text: "spam", ID: "0000ab"}
	rep := BuildReply(o, time.Millisecond)
	for i := range 30 {
		name := fmt.Sprintf("SYMBOL_NAME_%02d", i)
		rep.Symbols[name] = Symbol{Name: name, Score: float64(i) / 7, MetricScore: float64(i) / 7, Description: "A description of what the rule found", Options: []string{"example.com"}}
	}
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		w.Body.Reset()
		writeJSON(w, http.StatusOK, rep)
	}
}
