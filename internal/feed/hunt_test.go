package feed

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// TestHunt: a held message (raw kept) is found by its Reply-To address
// and attachment MD5; a history record without raw bytes is found by its
// link and client address; new indicators are hunted and recorded once.
func TestHunt(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.Quarantine.HistoryMaxMessageBytes = 10 // history keeps no raw bytes
	q, err := quarantine.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	held := "From: a@sender.example\r\nReply-To: drop@mailbox.example\r\nTo: u@example.jp\r\nSubject: held\r\nMessage-ID: <held@x>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n" +
		"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nhello\r\n--b--\r\n"
	m := mail.Parse([]byte(held), mail.Limits{})
	if _, err := q.Hold(ctx, []byte(held), &pipeline.Result{ID: "1", Msg: m}); err != nil {
		t.Fatal(err)
	}
	hist := "From: b@other.example\r\nTo: u@example.jp\r\nSubject: hist\r\nMessage-ID: <hist@x>\r\n\r\nsee https://evil.example/p\r\n"
	hm := mail.Parse([]byte(hist), mail.Limits{})
	q.Record(ctx, []byte(hist), &pipeline.Result{ID: "2", Msg: hm, URLs: hm.URLs, Env: pipeline.Envelope{ClientIP: netip.MustParseAddr("203.0.113.8")}})
	q.Flush(ctx)

	st, err := OpenStore(ctx, filepath.Join(t.TempDir(), "feeds.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	added := map[string][]Indicator{"f": {
		{Ref: "r", Terms: []Term{{KindEmail, "drop@mailbox.example"}}},
		{Ref: "h", Terms: []Term{{KindMD5, "5d41402abc4b2a76b9719d911017c592"}}},
		{Ref: "u", Terms: []Term{{KindURL, "https://evil.example/p"}}},
		{Ref: "ip", Terms: []Term{{KindIP, "203.0.113.0/24"}}},
		{Ref: "none", Terms: []Term{{KindDomain, "unrelated.example"}}},
	}}
	ms, err := HuntNew(ctx, st, q, MailLimits(cfg), added)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range ms {
		got[m.Ref] = m.MessageID + " " + m.MsgKind
	}
	want := map[string]string{"r": "held@x quarantine", "h": "held@x quarantine", "u": "hist@x history", "ip": "hist@x history"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q want %q (all %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("matches %v", got)
	}
	rec, _ := st.Matches(ctx, time.Time{}, 0)
	if len(rec) != 4 {
		t.Errorf("recorded %d", len(rec))
	}
	HuntNew(ctx, st, q, MailLimits(cfg), added)
	if rec, _ := st.Matches(ctx, time.Time{}, 0); len(rec) != 4 {
		t.Errorf("recorded twice: %d", len(rec))
	}
}
