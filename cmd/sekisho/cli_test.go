package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/cases"
)

// update is the tests' one -update flag (internal/testutil/cases): it
// rewrites the corpus expectations and the generated docs of this package.
var update = cases.Update

// sekishoBin is the real binary, built once per test run.
func sekishoBin(t *testing.T) string { return testutil.Binary(t) }

func runBin(t *testing.T, stdin []byte, args ...string) ([]byte, []byte, error) {
	t.Helper()
	cmd := exec.Command(sekishoBin(t), append([]string{"--data-dir", t.TempDir()}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// TestGoldenScan scans the corpus of named cases (testdata/golden,
// internal/testutil/cases) through the real binary and compares each with
// its reviewed .golden file (go test ./cmd/sekisho -run Golden -update).
func TestGoldenScan(t *testing.T) {
	all := cases.All(t)
	out, stderr, err := runBin(t, nil, "scan", "--json", cases.Dir())
	if err != nil {
		t.Fatalf("scan: %v\n%s", err, stderr)
	}
	got := map[string]ScanJSON{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var s ScanJSON
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		got[filepath.Base(s.File)] = s
	}
	if len(got) != len(all) {
		t.Fatalf("scanned %d messages, have %d cases", len(got), len(all))
	}
	for _, c := range all {
		s := got[c.Name+".eml"]
		t.Run(c.Name, func(t *testing.T) {
			for _, k := range []string{"file", "subject", "from", "action", "category", "score", "symbols", "explanation"} {
				if !strings.Contains(string(out), `"`+k+`":`) {
					t.Fatalf("JSON lacks %q", k)
				}
			}
			g := cases.Want{Subject: s.Subject, From: s.From, Action: string(s.Action), Category: string(s.Category)}
			for _, sym := range s.Symbols {
				g.Symbols = append(g.Symbols, sym.Name)
			}
			cases.Check(t, c, "", g)
		})
	}
}

// TestDecodedJapanese pins the decoded subjects and senders of the
// Japanese golden cases, whatever the analyzers say.
func TestDecodedJapanese(t *testing.T) {
	want := map[string][2]string{
		"seed004-kagoya-phish-iso2022jp.eml": {"【重要:KAGOYA】Active!mailの脆弱性に関するお知らせ© KAGOYA JAPAN Inc", `"KAGOYA | KAGOYAカスタマーサポート" <t_0205@cameo.plala.or.jp>`},
		"seed003-amazon-shipping-sjis.eml":   {"お注文について", "Amazon Shipping <amz@123fnord.com>"},
		"seed000-emotet-reply-zip.eml":       {"Re: お見積りの件", "株式会社サンプル商事 営業部 田中 <info@zavod-metall.ru>"},
		"ham-ja-business-eucjp.eml":          {"Re: 打ち合わせの件", "鈴木 一郎 <suzuki@test-shokai.co.jp>"},
		"ja-unlabelled-sjis-headers.eml":     {"①ご請求書送付のお知らせ", "営業部 佐々木 <sasaki@example.co.jp>"},
	}
	for name, w := range want {
		out, stderr, err := runBin(t, nil, "scan", "--json", filepath.Join("..", "..", "testdata", "golden", name))
		if err != nil {
			t.Fatalf("%s: %v %s", name, err, stderr)
		}
		var s ScanJSON
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatal(err)
		}
		if s.Subject != w[0] {
			t.Errorf("%s subject %q, want %q", name, s.Subject, w[0])
		}
		if strings.ReplaceAll(s.From, `"`, "") != strings.ReplaceAll(w[1], `"`, "") {
			t.Errorf("%s from %q, want %q", name, s.From, w[1])
		}
	}
}

func TestScanStdinHumanAndErrors(t *testing.T) {
	msg := []byte("From: a@example.com\r\nSubject: Re: hi\r\n\r\nbody\r\n")
	out, _, err := runBin(t, msg, "scan", "--lang", "ja", "-")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"HDR_RE_NO_THREAD", "説明:", "Verdict:"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("human output lacks %q:\n%s", w, out)
		}
	}
	if _, _, err := runBin(t, nil, "scan", "/nonexistent/file.eml"); err == nil {
		t.Error("missing file gave no error")
	}
	cfg := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(cfg, []byte("[policy]\nbogus = 1\n"), 0o644)
	_, stderr, err := runBin(t, msg, "--config", cfg, "scan", "-")
	if err == nil || !strings.Contains(string(stderr), "policy.bogus") {
		t.Errorf("unknown key not refused clearly: %v %s", err, stderr)
	}
}

func TestMboxAndMaildir(t *testing.T) {
	dir := t.TempDir()
	mbox := "From a@x Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: one\n\nhello\n>From the start\n\nFrom b@x Mon Jan  1 00:00:00 2024\nFrom: b@example.com\nSubject: two\n\nbye\n"
	os.WriteFile(filepath.Join(dir, "box.mbox"), []byte(mbox), 0o644)
	md := filepath.Join(dir, "Maildir")
	for _, s := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(md, s), 0o755)
	}
	os.WriteFile(filepath.Join(md, "new", "1.host"), []byte("From: c@example.com\nSubject: three\n\nx\n"), 0o644)
	os.WriteFile(filepath.Join(md, "tmp", "2.host"), []byte("From: d@example.com\nSubject: partial\n\nx\n"), 0o644)
	out, stderr, err := runBin(t, nil, "scan", "--json", dir)
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	var subjects []string
	for _, ln := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var s ScanJSON
		json.Unmarshal(ln, &s)
		subjects = append(subjects, s.Subject)
	}
	sort.Strings(subjects)
	if strings.Join(subjects, ",") != "one,three,two" {
		t.Fatalf("got %v", subjects)
	}
}

// TestEvalCorpus runs eval over the whole SpamAssassin corpus through the
// real binary: no crash, no lost message, every figure present.
func TestEvalCorpus(t *testing.T) {
	dir := testutil.Corpus(t)
	out, stderr, err := runBin(t, nil, "eval", "--json", "--ham", filepath.Join(dir, "all", "ham"), "--spam", filepath.Join(dir, "all", "spam"))
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr)
	}
	var r map[string]any
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ham", "spam", "tp", "fp", "tn", "fn", "fp_rate", "fn_rate", "precision", "recall", "f1", "auc", "recall_at_fp0", "recall_at_fp001", "msgs_per_sec"} {
		if _, ok := r[k]; !ok {
			t.Errorf("eval JSON lacks %q", k)
		}
	}
	hams, _ := filepath.Glob(filepath.Join(dir, "all", "ham", "*"))
	spams, _ := filepath.Glob(filepath.Join(dir, "all", "spam", "*"))
	if int(r["ham"].(float64)) != len(hams) || int(r["spam"].(float64)) != len(spams) {
		t.Fatalf("lost messages: scanned ham %v spam %v of %d/%d", r["ham"], r["spam"], len(hams), len(spams))
	}
	t.Logf("corpus eval: fp=%v fn=%v recall=%v auc=%v msgs/s=%v", r["fp"], r["fn"], r["recall"], r["auc"], r["msgs_per_sec"])
}

func TestSymbolsDocUpToDate(t *testing.T) {
	out, _, err := runBin(t, nil, "symbols", "--markdown")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "symbols.md")
	if *update {
		os.WriteFile(path, out, 0o644)
		return
	}
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b, out) {
		t.Fatal("docs/symbols.md is stale: run go test ./cmd/sekisho -run SymbolsDoc -update")
	}
}

func TestExampleConfigUpToDate(t *testing.T) {
	out, _, err := runBin(t, nil, "config", "example")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "sekisho.example.toml")
	if *update {
		os.WriteFile(path, out, 0o644)
		return
	}
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b, out) {
		t.Fatal("docs/sekisho.example.toml is stale: run go test ./cmd/sekisho -run ExampleConfig -update")
	}
	if _, stderr, err := runBin(t, nil, "config", "check", path); err != nil {
		t.Fatalf("example does not check: %v %s", err, stderr)
	}
}

// TestConfigCheckARCKey: config check loads the ARC sealing key as serve
// would, so a missing or unusable key is found before serve starts.
func TestConfigCheckARCKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.toml")
	write := func(key string) {
		os.WriteFile(cfg, []byte("[general]\ndata_dir = \""+dir+"\"\n[serve.arc]\ndomain = \"gw.example.jp\"\nselector = \"s\"\nkey_file = \""+key+"\"\n"), 0o644)
	}
	write("missing.pem")
	if _, stderr, err := runBin(t, nil, "config", "check", cfg); err == nil || !strings.Contains(string(stderr), "serve.arc") {
		t.Fatalf("missing key accepted: %v %s", err, stderr)
	}
	os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	write(filepath.Join(dir, "bad.pem")) // absolute: runBin overrides the data dir
	if _, stderr, err := runBin(t, nil, "config", "check", cfg); err == nil || !strings.Contains(string(stderr), "bad.pem") || strings.Contains(string(stderr), "no such file") {
		t.Fatalf("unusable key: %v %s", err, stderr)
	}
}

func TestNextReportRun(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-22T00:02:00Z": "2026-11-22T00:05:00Z",
		"2026-11-22T00:05:00Z": "2026-11-23T00:05:00Z",
		"2026-11-22T14:00:00Z": "2026-11-23T00:05:00Z",
	} {
		now, _ := time.Parse(time.RFC3339, in)
		if got := nextReportRun(now).Format(time.RFC3339); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
