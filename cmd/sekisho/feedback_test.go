package main

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/store/repstore"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestQuarantineReleaseFeedback: 'sekisho quarantine release' tells
// reputation the message was wanted (good feedback on its sender).
func TestQuarantineReleaseFeedback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	sink := testutil.SMTPSink(t)
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "sekisho.toml")
	os.WriteFile(cfgPath, []byte("[general]\ndata_dir = \""+data+"\"\n[quarantine]\nrelease_host = \""+sink.Addr+"\"\nrelease_starttls = \"none\"\n[reputation]\nenabled = true\n"), 0o600)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../internal/store/quarantine/testdata/phish-o365.eml")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := eng.Scan(context.Background(), raw, pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Rcpts: []string{"tanaka@example.jp"}, Frontend: pipeline.FrontendSMTP})
	eng.Close()
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.Hold(context.Background(), raw, r)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if out, err := exec.Command(sekishoBin(t), "-c", cfgPath, "quarantine", "release", id).CombinedOutput(); err != nil {
		t.Fatalf("release: %v\n%s", err, out)
	}
	sink.Wait(t, 10*time.Second)
	rs, err := repstore.OpenSQLite(repstore.Path(data), time.Hour*720)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	m := eng.Parse(raw)
	from, _ := m.PrimaryFromAddress()
	cs, err := rs.Get(context.Background(), []string{"a:" + from.Addr}, time.Now())
	if err != nil || cs[0].Good < 0.99 {
		t.Fatalf("no release feedback for %s: %+v %v", from.Addr, cs[0], err)
	}
}
