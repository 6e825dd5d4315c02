package milter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestInPlaceRetention: everything the session keeps from in-place
// packets survives many later packets that refill the 8K buffer.
func TestInPlaceRetention(t *testing.T) {
	cfg := config.Default()
	var got []string
	s := &Server{P: &action.Processor{Config: cfg}, Settings: cfg.Serve.Milter, scan: func(raw []byte, env pipeline.Envelope) *action.Outcome {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%v|%s|%s|%s|%d", env.ClientIP, env.ClientHost, env.Helo, env.MailFrom, env.Rcpts, env.QueueID, env.AuthUser, env.Hostname, len(raw)))
		if !strings.HasPrefix(string(raw), "X-H0: v0-") {
			t.Errorf("raw %q", raw[:40])
		}
		for i := 0; i < 300; i++ {
			if !strings.Contains(string(raw), fmt.Sprintf("X-H%d: v%d-%s\r\n", i, i, strings.Repeat("z", 50))) {
				t.Errorf("field %d missing", i)
				break
			}
		}
		return &action.Outcome{Action: pipeline.ActionAccept}
	}}
	var w writer
	w.simple('O', []byte{0, 0, 0, 6, 0, 0, 0, 0x3f, 0, 0x1f, 0xff, 0xff})
	w.simple('D', []byte("Cj\x00mx.example.org\x00{daemon_name}\x00d\x00"))
	w.simple('C', []byte("client.example.net\x004\x00\x19192.0.2.77\x00"))
	w.simple('D', []byte("H\x00"))
	w.simple('H', []byte("helo.example.net\x00"))
	for m := 0; m < 3; m++ {
		w.simple('D', []byte(fmt.Sprintf("Mi\x00QUEUE%d\x00{auth_authen}\x00user%d\x00", m, m)))
		w.simple('M', []byte(fmt.Sprintf("<from%d@example.com>\x00", m)))
		for r := 0; r < 3; r++ {
			w.simple('R', []byte(fmt.Sprintf("<rcpt%d-%d@example.jp>\x00", m, r)))
		}
		for i := 0; i < 300; i++ {
			w.simple('L', []byte(fmt.Sprintf("X-H%d\x00v%d-%s\x00", i, i, strings.Repeat("z", 50))))
		}
		w.simple('N', nil)
		for i := 0; i < 50; i++ {
			w.simple('B', []byte(strings.Repeat("body line\r\n", 20)))
		}
		w.simple('E', nil)
	}
	w.simple('Q', nil)
	exchange(t, s, w.b)
	for m, g := range got {
		want := fmt.Sprintf("192.0.2.77|client.example.net|helo.example.net|from%d@example.com|[rcpt%d-0@example.jp rcpt%d-1@example.jp rcpt%d-2@example.jp]|QUEUE%d|user%d|mx.example.org|", m, m, m, m, m, m)
		if !strings.HasPrefix(g, want) {
			t.Errorf("message %d:\n got %s\nwant %s", m, g, want)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d scans", len(got))
	}
	t.Log(got)
}
