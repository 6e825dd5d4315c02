package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/frontend/listen"
)

// FuzzRead: the JSON API's request reading (JSON or raw body, base64,
// envelope) on attacker bytes: no panic, every byte reserved is given
// back, and what comes out is within max_message_bytes.
func FuzzRead(f *testing.F) {
	for _, s := range []string{`{"message":"Subject: x\r\n\r\nhi","envelope":{"client_ip":"192.0.2.1","rcpts":["a@example.jp"]}}`,
		`{"message_base64":"U3ViamVjdDogeA0KDQpoaQ=="}`, `{"message_base64":"!!"}`, `{"envelope":{"client_ip":"::ffff:1.2.3.4"}}`,
		`[1,2,3]`, `Subject: raw\r\n\r\nbody`} {
		f.Add(s, true)
		f.Add(s, false)
	}
	cfg := config.Default()
	cfg.Serve.MaxMessageBytes = 1 << 10
	h := &Handler{P: &action.Processor{Config: cfg}}
	f.Fuzz(func(t *testing.T, body string, asJSON bool) {
		r := httptest.NewRequest("POST", "/api/v1/scan", strings.NewReader(body))
		if asJSON {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		var res listen.Reservation
		raw, _, ok := h.read(w, r, &res)
		res.Release()
		if ok && int64(len(raw)) > cfg.Serve.MaxMessageBytes {
			t.Fatalf("%d bytes passed", len(raw))
		}
		if !ok && w.Code == http.StatusOK {
			t.Fatal("refused without an error status")
		}
		if listen.InFlight.Used() != 0 {
			t.Fatalf("bytes in flight left: %d", listen.InFlight.Used())
		}
	})
}
