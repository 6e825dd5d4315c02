package url_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/testutil/cases"

	"github.com/sekisho/sekisho/internal/analyzer/url"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/format/qr"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// newEngine builds the real engine (every registered analyzer) with the
// fake brand list injected into the URL analyzer.
func newEngine(t *testing.T, extra string) *engine.Engine {
	t.Helper()
	old := url.DefaultBrands
	url.DefaultBrands = url.TestBrands
	t.Cleanup(func() { url.DefaultBrands = old })
	cfg, err := config.Parse("[general]\ndata_dir = \"" + t.TempDir() + "\"\n" + extra)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(cfg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func symbols(v pipeline.Verdict) []string {
	var out []string
	for _, s := range v.Symbols {
		out = append(out, s.Name+"("+strconv.FormatFloat(s.Score, 'f', 1, 64)+")")
	}
	return out
}

// The corpus of named cases (testdata/golden, internal/testutil/cases)
// through the whole engine with the test brand list: the "url" view,
// <name>.url.golden (go test -run TestEngineSeedMails -update rewrites it).
func TestEngineSeedMails(t *testing.T) {
	e := newEngine(t, "")
	for _, c := range cases.All(t) {
		t.Run(c.Name, func(t *testing.T) {
			v := e.Scan(context.Background(), c.Raw(t), pipeline.Envelope{}).Verdict
			got := cases.Want{Action: string(v.Action), Category: string(v.Category)}
			for _, s := range v.Symbols {
				got.Symbols = append(got.Symbols, s.Name)
			}
			cases.Check(t, c, "url", got)
		})
	}
}

func qrEML(t *testing.T, link string) []byte {
	img, err := qr.Encode(link, 300)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	enc := base64.StdEncoding.EncodeToString(b.Bytes())
	var sb strings.Builder
	for len(enc) > 76 {
		sb.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	sb.WriteString(enc + "\r\n")
	msg := "From: \"Microsoft 365\" <no-reply@mfa-notice.example>\r\nTo: staff@example.co.jp\r\nSubject: Action required: re-register MFA\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <q1@mfa-notice.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/related; boundary=\"QQ\"\r\n\r\n--QQ\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Your password expires today. Scan the code with your phone to verify your account.</p><img src=\"cid:qr1\">\r\n" +
		"--QQ\r\nContent-Type: image/png\r\nContent-ID: <qr1>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n" + sb.String() + "--QQ--\r\n"
	return []byte(msg)
}

// A QR code generated here, inline in an HTML mail, is decoded by the
// extract stage and its lookalike link flagged by the URL checks.
func TestEngineQRCode(t *testing.T) {
	e := newEngine(t, "")
	r := e.Scan(context.Background(), qrEML(t, "https://micros0ft-login.com/mfa?user=staff"), pipeline.Envelope{})
	for _, s := range []string{url.SymQRURL, url.SymLookalike, url.SymQRSuspicious, "RULE_PHISH_CREDENTIAL_LURE"} {
		if !r.Verdict.Has(s) {
			t.Errorf("missing %s; got %v", s, symbols(r.Verdict))
		}
	}
	found := false
	for _, u := range r.URLs {
		if u.Source == "qr" && strings.Contains(u.Raw, "micros0ft-login.com") {
			found = true
		}
	}
	if !found {
		t.Errorf("QR link not in the result's URLs: %v", r.URLs)
	}
	if r.Verdict.Score < 10 {
		t.Errorf("score %.1f; %v", r.Verdict.Score, symbols(r.Verdict))
	}
	// A benign QR code: decoded, not flagged.
	r = e.Scan(context.Background(), qrEML(t, "https://www.example.org/event"), pipeline.Envelope{})
	if !r.Verdict.Has(url.SymQRURL) || r.Verdict.Has(url.SymQRSuspicious) || r.Verdict.Has(url.SymLookalike) {
		t.Errorf("benign QR: %v", symbols(r.Verdict))
	}
	// Disabled by configuration: nothing decoded.
	e2 := newEngine(t, "[url]\nqr = false\n")
	r = e2.Scan(context.Background(), qrEML(t, "https://micros0ft-login.com/mfa"), pipeline.Envelope{})
	if r.Verdict.Has(url.SymQRURL) {
		t.Error("QR decoded with qr = false")
	}
}

// Block lists from [url] configuration, through the engine.
func TestEngineBlockList(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "block.txt")
	os.WriteFile(f, []byte("evil-cdn.example\n"), 0o644)
	e := newEngine(t, "[url]\nblock_lists = [\""+f+"\"]\nreload_interval = \"0s\"\n")
	raw := []byte("From: a@b.example\r\nTo: c@d.example\r\nSubject: hi\r\n\r\nhttps://x.evil-cdn.example/a\r\n")
	if r := e.Scan(context.Background(), raw, pipeline.Envelope{}); !r.Verdict.Has(url.SymBlocklisted) {
		t.Errorf("not blocked: %v", symbols(r.Verdict))
	}
}

// BenchmarkEngineCorpus scans SpamAssassin corpus messages through the
// whole engine ($SEKISHO_CORPUS, e.g. /tmp/corpus).
func BenchmarkEngineCorpus(b *testing.B) {
	dir := testutil.Corpus(b)
	var msgs [][]byte
	for _, sub := range []string{"test/ham", "test/spam"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		for i, f := range files {
			if i >= 300 {
				break
			}
			if raw, err := os.ReadFile(f); err == nil {
				msgs = append(msgs, raw)
			}
		}
	}
	if len(msgs) == 0 {
		b.Skip("no corpus messages")
	}
	cfg, _ := config.Parse("[general]\ndata_dir = \"" + b.TempDir() + "\"\n")
	e, err := engine.New(cfg, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var total int64
	for _, m := range msgs {
		total += int64(len(m))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range msgs {
			e.Scan(context.Background(), m, pipeline.Envelope{})
		}
	}
	b.SetBytes(total)
	b.ReportMetric(float64(len(msgs)*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// TestEngineDigestDilution: a bare-IP link weighs its full weight in a
// short message and a quarter of it in a list linking 40 or more sites
// (a weblog update digest).
func TestEngineDigestDilution(t *testing.T) {
	e := newEngine(t, "")
	score := func(body string) float64 {
		raw := []byte("From: a@b.example\r\nTo: c@d.example\r\nSubject: updates\r\n\r\n" + body)
		for _, s := range e.Scan(context.Background(), raw, pipeline.Envelope{}).Verdict.Symbols {
			if s.Name == url.SymIPHost {
				return s.Score
			}
		}
		return 0
	}
	alone := score("See http://198.51.100.7/login now\r\n")
	var b strings.Builder
	for i := 0; i < 45; i++ {
		fmt.Fprintf(&b, "http://blog%d-site%c.example/ updated\r\n", i, 'a'+i%26)
	}
	b.WriteString("http://198.51.100.7/~joe/ updated\r\n")
	diluted := score(b.String())
	if alone <= 0 || diluted <= 0 || diluted > alone/3 {
		t.Errorf("URL_IP_HOST alone %.2f, in a 46-site digest %.2f (want about a quarter)", alone, diluted)
	}
}

// BenchmarkAnalyzeCorpus runs the link analyzer alone (package brands,
// no lists) over SpamAssassin messages parsed beforehand: ns/op is per
// message.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	dir := testutil.Corpus(b)
	var msgs []*mail.Message
	for _, sub := range []string{"test/ham", "test/spam"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		sort.Strings(files)
		if len(files) > 300 {
			files = files[:300]
		}
		for _, f := range files {
			if raw, err := os.ReadFile(f); err == nil {
				msgs = append(msgs, mail.Parse(raw, mail.Limits{}))
			}
		}
	}
	if len(msgs) == 0 {
		b.Skip("no corpus messages")
	}
	a := url.NewAnalyzer()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		task := pipeline.NewTask("b", msgs[i%len(msgs)], pipeline.Envelope{}, nil)
		a.Analyze(context.Background(), task)
	}
}
