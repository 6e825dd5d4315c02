package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-milter"
	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/action/banner"
	"github.com/sekisho/sekisho/internal/analyzer/outbound"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/frontend/api"
	fmilter "github.com/sekisho/sekisho/internal/frontend/milter"
	"github.com/sekisho/sekisho/internal/frontend/rspamd"
	"github.com/sekisho/sekisho/internal/frontend/smtpgw"
	"github.com/sekisho/sekisho/internal/frontend/spamd"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"golang.org/x/text/encoding/japanese"
)

// rig is an in-process sekisho: engine, store and processor.
type rig struct {
	cfg   *config.Config
	eng   *engine.Engine
	store *quarantine.Store
	p     *action.Processor
	stats *action.Stats
}

type slowAnalyzer struct{ d time.Duration }

func (s slowAnalyzer) Name() string { return "slow" }
func (s slowAnalyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	select {
	case <-time.After(s.d):
	case <-ctx.Done():
	}
	return nil
}

func newRig(t *testing.T, extraCfg string, extra ...pipeline.Analyzer) *rig {
	t.Helper()
	weights := testWeights
	if os.Getenv("LOAD_FULL") != "" {
		weights = headerWeights // every analyzer on (load figures only)
	}
	cfg, err := config.Parse(fmt.Sprintf("[general]\ndata_dir = %q\nhostname = \"sekisho.test\"\n", filepath.Join(t.TempDir(), "data")) + extraCfg + weights)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	eng, err := engine.New(cfg, engine.Options{Logger: log, Analyzers: extra})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	st, err := quarantine.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{cfg: cfg, eng: eng, store: st, stats: &action.Stats{}}
	eng.Observe(r.stats.Observe)
	r.p = &action.Processor{Engine: eng, Store: st, Config: cfg, Log: log, Banner: banner.New(cfg).Apply}
	return r
}

func listenLocal(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// milterSend plays an MTA: one message through a milter session.
func milterSend(addr string, raw []byte, rcpt string, macros ...string) ([]milter.ModifyAction, *milter.Action, error) {
	cl := milter.NewClientWithOptions("tcp", addr, milter.ClientOptions{ReadTimeout: 60 * time.Second, WriteTimeout: 10 * time.Second,
		ActionMask: milter.OptAddHeader | milter.OptChangeHeader | milter.OptChangeBody | milter.OptQuarantine})
	s, err := cl.Session()
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	if _, err := s.Conn("client.example", milter.FamilyInet, 25000, "192.0.2.10"); err != nil {
		return nil, nil, err
	}
	if _, err := s.Helo("client.example"); err != nil {
		return nil, nil, err
	}
	if len(macros) > 0 {
		if err := s.Macros(milter.CodeMail, macros...); err != nil {
			return nil, nil, err
		}
	}
	if _, err := s.Mail("<sender@partner.example>", nil); err != nil {
		return nil, nil, err
	}
	if _, err := s.Rcpt("<"+rcpt+">", nil); err != nil {
		return nil, nil, err
	}
	hdr, body := action.SplitMessage(raw)
	for _, f := range action.ParseFields(hdr, 1000) {
		if _, err := s.HeaderField(f.Name, f.Value); err != nil {
			return nil, nil, err
		}
	}
	if _, err := s.HeaderEnd(); err != nil {
		return nil, nil, err
	}
	return s.BodyReadFrom(bytes.NewReader(body))
}

// TestMilterActions: in-process milter over loopback with go-milter's
// client as the MTA: headers and subject for spam, 5.7.1 for phishing, and
// the quarantined message kept whole (byte for byte) in the store while
// the MTA is told to discard it.
func TestMilterActions(t *testing.T) {
	r := newRig(t, "")
	ln := listenLocal(t)
	ms := &fmilter.Server{P: r.p, Settings: r.cfg.Serve.Milter}
	go ms.Serve(ln)
	defer ms.Shutdown(context.Background())
	addr := ln.Addr().String()

	mods, act, err := milterSend(addr, spamMsg("m-spam"), "yamada@example.jp", "i", "QID123", "{auth_authen}", "")
	if err != nil {
		t.Fatal(err)
	}
	if act.Code != milter.ActAccept {
		t.Fatalf("spam: action %c", act.Code)
	}
	var subj string
	added := map[string]string{}
	for _, m := range mods {
		switch m.Code {
		case milter.ActChangeHeader:
			if m.HeaderName == "Subject" {
				subj = m.HeaderValue
			}
		case milter.ActAddHeader:
			added[m.HeaderName] = m.HeaderValue
		}
	}
	if !strings.HasPrefix(subj, "[spam] =?UTF-8?b?") {
		t.Errorf("subject not tagged properly: %q", subj)
	}
	if !strings.Contains(added["X-Sekisho-Verdict"], "action=tag") || added["X-Spam-Flag"] != "YES" {
		t.Errorf("headers: %v", added)
	}

	_, act, err = milterSend(addr, phishMsg("m-phish"), "yamada@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	if act.Code != milter.ActReplyCode || act.SMTPCode != 550 || !strings.Contains(act.SMTPText, "5.7.1") {
		t.Errorf("phishing: %+v", act)
	}

	mal := malwareMsg("m-mal")
	_, act, err = milterSend(addr, mal, "yamada@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	if act.Code != milter.ActDiscard {
		t.Fatalf("malware: action %c, want discard", act.Code)
	}
	got, err := r.store.Get(context.Background(), onlyHeld(t, r.store))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, mal) {
		t.Errorf("quarantined copy differs from the message:\n%q\n%q", got, mal)
	}
}

// TestFailSafe: no verdict in time → tempfail (default) or accept with an
// "unscanned" header; a failing quarantine store → tempfail.
func TestFailSafe(t *testing.T) {
	r := newRig(t, "", slowAnalyzer{3 * time.Second})
	fe := r.cfg.Serve.Milter.ServeFrontend
	fe.ScanTimeout.Duration = 100 * time.Millisecond
	o := r.p.Process(context.Background(), hamMsg("fs"), pipeline.Envelope{}, action.Options{Frontend: "milter", Settings: fe, Hold: true})
	if o.Action != pipeline.ActionTempfail || o.Code != 451 {
		t.Errorf("tempfail fail-safe: %+v", o)
	}
	fe.FailSafe = "accept"
	o = r.p.Process(context.Background(), hamMsg("fs"), pipeline.Envelope{}, action.Options{Frontend: "milter", Settings: fe, Hold: true})
	if o.Action != pipeline.ActionAccept || !o.Unscanned || len(o.Headers) == 0 || !strings.Contains(o.Headers[0].Value, "action=unscanned") {
		t.Errorf("accept fail-safe: %+v", o)
	}

	r2 := newRig(t, "")
	r2.p.Store = failingStore{}
	o = r2.p.Process(context.Background(), malwareMsg("x"), pipeline.Envelope{}, action.Options{Frontend: "smtp", Settings: r2.cfg.Serve.SMTP.ServeFrontend, Hold: true})
	if o.Action != pipeline.ActionTempfail || o.Code != 451 {
		t.Errorf("store failure must tempfail: %+v", o)
	}
}

type failingStore struct{}

func (failingStore) Hold(context.Context, []byte, *pipeline.Result) (string, error) {
	return "", errors.New("disk full")
}

// TestOutboundBurst: an authenticated account sending to hundreds of
// free-mail recipients is held and reported to the webhook; a normal
// account is not.
func TestOutboundBurst(t *testing.T) {
	var hooks atomic.Int32
	var body atomic.Value
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body.Store(string(b))
		hooks.Add(1)
	}))
	defer hs.Close()
	r := newRig(t, fmt.Sprintf("[serve.outbound]\nwebhook = %q\n", hs.URL))
	fe := r.cfg.Serve.SMTP.ServeFrontend
	send := func(user string, rcpts []string) *action.Outcome {
		return r.p.Process(context.Background(), hamMsg("ob"), pipeline.Envelope{AuthUser: user, MailFrom: user, Rcpts: rcpts},
			action.Options{Frontend: "smtp", Settings: fe, Hold: true})
	}
	// normal account: a day's ordinary mail to colleagues and partners
	for i := 0; i < 40; i++ {
		o := send("yamada@example.jp", []string{"tanaka@partner.example", fmt.Sprintf("staff%d@example.jp", i%5)})
		if o.Action != pipeline.ActionAccept || o.Outbound {
			t.Fatalf("normal account held at message %d: %+v", i, o.Verdict().Symbols)
		}
	}
	// infected client: 30 messages × 10 free-mail recipients
	free := []string{"gmail.com", "yahoo.co.jp", "hotmail.com", "outlook.jp", "docomo.ne.jp"}
	held := -1
	for i := 0; i < 30; i++ {
		var rc []string
		for j := 0; j < 10; j++ {
			rc = append(rc, fmt.Sprintf("victim%d@%s", i*10+j, free[(i+j)%len(free)]))
		}
		o := send("sato@example.jp", rc)
		if o.Outbound && held < 0 {
			held = i
			if o.Action != pipeline.ActionQuarantine || o.QuarantineID == "" {
				t.Errorf("held account not quarantined: %+v", o)
			}
			if !o.Verdict().Has(outbound.SymFreemail) {
				t.Errorf("symbols: %+v", o.Verdict().Symbols)
			}
		}
	}
	if held < 0 {
		t.Fatal("bursting account never held")
	}
	t.Logf("held after %d messages (%d recipients)", held+1, (held+1)*10)
	deadline := time.Now().Add(5 * time.Second)
	for hooks.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if hooks.Load() != 1 {
		t.Fatalf("webhook calls: %d, want 1", hooks.Load())
	}
	var a outbound.Alert
	json.Unmarshal([]byte(body.Load().(string)), &a)
	if a.Account != "sato@example.jp" || len(a.Symbols) == 0 {
		t.Errorf("alert: %+v", a)
	}
	// tempfail hold action
	r2 := newRig(t, "[serve.outbound]\nhold_action = \"tempfail\"\nmax_messages = 3\n")
	var last *action.Outcome
	for i := 0; i < 5; i++ {
		last = r2.p.Process(context.Background(), hamMsg("ob"), pipeline.Envelope{AuthUser: "u1", Rcpts: []string{"a@example.jp"}},
			action.Options{Frontend: "milter", Settings: fe, Hold: true})
	}
	if last.Action != pipeline.ActionTempfail || last.Code != 451 {
		t.Errorf("tempfail hold: %+v", last)
	}
}

// TestGracefulShutdown: a request in flight when shutdown starts is answered.
func TestGracefulShutdown(t *testing.T) {
	r := newRig(t, "", slowAnalyzer{400 * time.Millisecond})
	ln := listenLocal(t)
	s := &spamd.Server{P: r.p, Settings: r.cfg.Serve.Spamd}
	go s.Serve(ln)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	msg := hamMsg("gs")
	fmt.Fprintf(c, "CHECK SPAMC/1.5\r\nContent-length: %d\r\n\r\n", len(msg))
	c.Write(msg)
	time.Sleep(100 * time.Millisecond)
	done := make(chan error)
	go func() { done <- s.Shutdown(context.Background()) }()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SPAMD/1.1 0 EX_OK") {
		t.Errorf("in-flight request: %q %v", line, err)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting after shutdown")
	}
}

// TestSMTPGatewayLimits: size limit, XCLIENT refused from untrusted peers.
func TestSMTPGatewayLimits(t *testing.T) {
	r := newRig(t, "[serve]\nmax_message_bytes = 2000\n[serve.smtp]\ntrusted_mtas = [\"192.0.2.0/24\"]\n")
	ln := listenLocal(t)
	var relayed atomic.Int32
	s := &smtpgw.Server{P: r.p, Settings: r.cfg.Serve.SMTP, Relay: func(ctx context.Context, from string, rcpts []string, msg []byte) (string, error) {
		relayed.Add(1)
		return "ok", nil
	}}
	go s.Serve(ln)
	defer s.Shutdown(context.Background())
	c, _ := net.Dial("tcp", ln.Addr().String())
	tp := textproto.NewConn(c)
	defer tp.Close()
	expect := func(code int) string {
		t.Helper()
		_, msg, err := tp.ReadResponse(code)
		if err != nil {
			t.Fatalf("want %d: %v", code, err)
		}
		return msg
	}
	expect(220)
	tp.PrintfLine("EHLO test")
	ext := expect(250)
	if strings.Contains(ext, "XCLIENT") || !strings.Contains(ext, "STARTTLS") || !strings.Contains(ext, "SIZE 2000") {
		t.Errorf("EHLO: %s", ext)
	}
	tp.PrintfLine("XCLIENT ADDR=203.0.113.9")
	expect(550)
	tp.PrintfLine("MAIL FROM:<a@b.example> SIZE=5000")
	expect(552)
	tp.PrintfLine("MAIL FROM:<a@b.example>")
	expect(250)
	tp.PrintfLine("RCPT TO:<c@example.jp>")
	expect(250)
	tp.PrintfLine("DATA")
	expect(354)
	w := tp.DotWriter()
	w.Write(bytes.Repeat([]byte("x"), 3000))
	w.Close()
	expect(552)
	tp.PrintfLine("QUIT")
	expect(221)
	if relayed.Load() != 0 {
		t.Error("oversized message relayed")
	}
}

// ---- load test ----

type lat struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *lat) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }
func (l *lat) report(t *testing.T, name string, n int, wall time.Duration) {
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	p := func(q float64) time.Duration { return l.d[int(q*float64(len(l.d)-1))] }
	t.Logf("LOAD %-7s %5d msgs  %7.0f msg/s  p50 %6.2f ms  p99 %6.2f ms", name, n, float64(n)/wall.Seconds(),
		float64(p(0.5).Microseconds())/1000, float64(p(0.99).Microseconds())/1000)
}

// TestLoad runs concurrent clients against every front end on loopback
// (bounded: LOAD_N messages per front end, default 400, 16 clients) and
// checks that every message got exactly one answer; `go test -v` prints
// messages/second and p50/p99 latency.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const clients = 16
	n := 400
	if v, err := strconv.Atoi(os.Getenv("LOAD_N")); err == nil && v > 0 && v <= 100000 {
		n = v
	}
	r := newRig(t, "[serve.outbound]\nenabled = false\n")
	run := func(name string, one func(i int) (string, error)) {
		var l lat
		seen := sync.Map{}
		var dups, errs atomic.Int32
		jobs := make(chan int)
		var wg sync.WaitGroup
		start := time.Now()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					t0 := time.Now()
					key, err := one(i)
					l.add(time.Since(t0))
					if err != nil {
						if errs.Add(1) < 3 {
							t.Errorf("%s %d: %v", name, i, err)
						}
						continue
					}
					if _, loaded := seen.LoadOrStore(key, true); loaded {
						dups.Add(1)
					}
				}
			}()
		}
		for i := 0; i < n; i++ {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		wall := time.Since(start)
		cnt := 0
		seen.Range(func(any, any) bool { cnt++; return true })
		if cnt != n || dups.Load() != 0 {
			t.Errorf("%s: %d distinct answers for %d messages, %d duplicates", name, cnt, n, dups.Load())
		}
		l.report(t, name, n, wall)
	}

	// milter
	{
		ln := listenLocal(t)
		ms := &fmilter.Server{P: r.p, Settings: r.cfg.Serve.Milter}
		go ms.Serve(ln)
		defer ms.Shutdown(context.Background())
		run("milter", func(i int) (string, error) {
			mods, act, err := milterSend(ln.Addr().String(), hamMsg(fmt.Sprintf("load-milter-%d", i)), "yamada@example.jp")
			if err != nil {
				return "", err
			}
			if act.Code != milter.ActAccept {
				return "", fmt.Errorf("action %c", act.Code)
			}
			for _, m := range mods {
				if m.HeaderName == "X-Sekisho-Verdict" {
					return m.HeaderValue[strings.Index(m.HeaderValue, "id="):], nil
				}
			}
			return "", errors.New("no verdict header")
		})
	}
	// SMTP gateway, relaying into a counting next hop
	{
		ln := listenLocal(t)
		var relayedMu sync.Mutex
		relayed := map[string]int{}
		s := &smtpgw.Server{P: r.p, Settings: r.cfg.Serve.SMTP, Relay: func(ctx context.Context, from string, rcpts []string, msg []byte) (string, error) {
			i := bytes.Index(msg, []byte("Marker: "))
			key := string(bytes.TrimSpace(msg[i+8 : i+8+bytes.IndexByte(msg[i+8:], '\r')]))
			relayedMu.Lock()
			relayed[key]++
			relayedMu.Unlock()
			return "queued", nil
		}}
		go s.Serve(ln)
		defer s.Shutdown(context.Background())
		run("smtp", func(i int) (string, error) {
			key := fmt.Sprintf("load-smtp-%d", i)
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return "", err
			}
			defer c.Close()
			tp := textproto.NewConn(c)
			steps := []struct {
				cmd  string
				code int
			}{{"", 220}, {"EHLO load", 250}, {"MAIL FROM:<tanaka@partner.example>", 250}, {"RCPT TO:<yamada@example.jp>", 250}, {"DATA", 354}}
			for _, st := range steps {
				if st.cmd != "" {
					tp.PrintfLine("%s", st.cmd)
				}
				if _, _, err := tp.ReadResponse(st.code); err != nil {
					return "", err
				}
			}
			w := tp.DotWriter()
			w.Write(hamMsg(key))
			w.Close()
			if _, _, err := tp.ReadResponse(250); err != nil {
				return "", err
			}
			tp.PrintfLine("QUIT")
			return key, nil
		})
		relayedMu.Lock()
		for k, v := range relayed {
			if v != 1 {
				t.Errorf("smtp: %s relayed %d times", k, v)
			}
		}
		if len(relayed) != n {
			t.Errorf("smtp: %d relayed, want %d", len(relayed), n)
		}
		relayedMu.Unlock()
	}
	// Rspamd protocol
	{
		mux := http.NewServeMux()
		(&rspamd.Handler{P: r.p, Settings: r.cfg.Serve.Rspamd}).Register(mux)
		hs := httptest.NewServer(mux)
		defer hs.Close()
		cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
		run("rspamd", func(i int) (string, error) {
			req, _ := http.NewRequest("POST", hs.URL+"/checkv2", bytes.NewReader(hamMsg(fmt.Sprintf("load-rspamd-%d", i))))
			req.Header.Set("IP", "192.0.2.1")
			resp, err := cl.Do(req)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			var rep rspamd.Reply
			if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
				return "", err
			}
			if rep.Action != "no action" {
				return "", fmt.Errorf("action %s", rep.Action)
			}
			return rep.MessageID, nil
		})
	}
	// spamd protocol
	{
		ln := listenLocal(t)
		s := &spamd.Server{P: r.p, Settings: r.cfg.Serve.Spamd}
		go s.Serve(ln)
		defer s.Shutdown(context.Background())
		run("spamd", func(i int) (string, error) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return "", err
			}
			defer c.Close()
			key := fmt.Sprintf("load-spamd-%d", i)
			msg := hamMsg(key)
			fmt.Fprintf(c, "HEADERS SPAMC/1.5\r\nContent-length: %d\r\n\r\n", len(msg))
			c.Write(msg)
			b, err := io.ReadAll(c)
			if err != nil {
				return "", err
			}
			if !bytes.HasPrefix(b, []byte("SPAMD/1.1 0 EX_OK")) || !bytes.Contains(b, []byte(key)) {
				return "", fmt.Errorf("reply %q", b)
			}
			i0 := bytes.Index(b, []byte("id="))
			return string(b[i0 : i0+17]), nil
		})
	}
}

// TestMilterBanner: with banners on, a delivered message whose sender asks
// for replies at a free-mail address gets a Japanese/English banner through
// milter body replacement, and its ISO-2022-JP text stays valid.
func TestMilterBanner(t *testing.T) {
	r := newRig(t, "[serve.milter]\nbanner = true\n")
	ln := listenLocal(t)
	ms := &fmilter.Server{P: r.p, Settings: r.cfg.Serve.Milter}
	go ms.Serve(ln)
	defer ms.Shutdown(context.Background())
	raw := bytes.Replace(hamMsg("banner-1"), []byte("To: <yamada@example.jp>\r\n"),
		[]byte("To: <yamada@example.jp>\r\nReply-To: <tanaka.partner@gmail.com>\r\n"), 1)
	mods, act, err := milterSend(ln.Addr().String(), raw, "yamada@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	if act.Code != milter.ActAccept {
		t.Fatalf("action %c", act.Code)
	}
	var body []byte
	for _, m := range mods {
		if m.Code == milter.ActReplBody {
			body = append(body, m.Body...)
		}
	}
	if body == nil {
		t.Fatal("no body replacement")
	}
	dec, err := japanese.ISO2022JP.NewDecoder().Bytes(body)
	if err != nil {
		t.Fatal(err)
	}
	s := string(dec)
	if !strings.Contains(s, "【注意】") || !strings.Contains(s, "CAUTION") || !strings.Contains(s, "お世話になっております") {
		t.Errorf("body:\n%s", s)
	}
}

// TestJSONAPI: /api/v1/scan with a raw body and with JSON, learning
// without a classifier (501), the size limit (413) and the password.
func TestJSONAPI(t *testing.T) {
	r := newRig(t, "[serve]\nmax_message_bytes = 100000\n")
	mux := http.NewServeMux()
	(&api.Handler{P: r.p, Settings: r.cfg.Serve.Console, Password: "s3cret"}).Register(mux)
	hs := httptest.NewServer(mux)
	defer hs.Close()
	do := func(path, ctype string, body []byte, auth bool) (*http.Response, map[string]any) {
		req, _ := http.NewRequest("POST", hs.URL+path, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if auth {
			req.Header.Set("Authorization", "Bearer s3cret")
		}
		req.Header.Set("IP", "203.0.113.5")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	if resp, _ := do("/api/v1/scan", "", phishMsg("api"), false); resp.StatusCode != 401 {
		t.Errorf("no password: %d", resp.StatusCode)
	}
	resp, m := do("/api/v1/scan", "message/rfc822", phishMsg("api"), true)
	if resp.StatusCode != 200 || m["action"] != "reject" || m["category"] != "phishing" || !strings.HasPrefix(m["smtp_reply"].(string), "550 5.7.1") {
		t.Errorf("raw scan: %d %v", resp.StatusCode, m)
	}
	js, _ := json.Marshal(map[string]any{"message": string(spamMsg("api2")), "envelope": map[string]any{"client_ip": "198.51.100.7", "rcpts": []string{"a@example.jp"}}})
	resp, m = do("/api/v1/scan", "application/json", js, true)
	if resp.StatusCode != 200 || m["action"] != "tag" || m["subject"] == nil {
		t.Errorf("json scan: %d %v", resp.StatusCode, m)
	}
	if resp, _ = do("/api/v1/scan", "", bytes.Repeat([]byte("x"), 200000), true); resp.StatusCode != 413 {
		t.Errorf("too big: %d", resp.StatusCode)
	}
	if resp, m = do("/api/v1/learn/spam", "", spamMsg("l"), true); resp.StatusCode != 501 && resp.StatusCode != 200 {
		t.Errorf("learn: %d %v", resp.StatusCode, m)
	}
	if resp, _ = do("/api/v1/learn/other", "", spamMsg("l"), true); resp.StatusCode != 404 {
		t.Errorf("learn/other: %d", resp.StatusCode)
	}
}

// TestSMTPGatewayOutbound: a trusted MTA passes the SASL user with XCLIENT
// LOGIN=; an account spraying free-mail recipients is held (quarantined,
// not relayed); a normal account is relayed.
func TestSMTPGatewayOutbound(t *testing.T) {
	r := newRig(t, "")
	ln := listenLocal(t)
	var relayed atomic.Int32
	s := &smtpgw.Server{P: r.p, Settings: r.cfg.Serve.SMTP, Relay: func(ctx context.Context, from string, rcpts []string, msg []byte) (string, error) {
		relayed.Add(1)
		return "queued", nil
	}}
	go s.Serve(ln)
	defer s.Shutdown(context.Background())
	send := func(login string, rcpts []string) string {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		tp := textproto.NewConn(c)
		step := func(cmd string, code int) string {
			t.Helper()
			if cmd != "" {
				tp.PrintfLine("%s", cmd)
			}
			_, msg, err := tp.ReadResponse(code)
			if err != nil {
				t.Fatalf("%s: %v", cmd, err)
			}
			return msg
		}
		step("", 220)
		step("EHLO mta.example.jp", 250)
		step("XCLIENT ADDR=192.0.2.44 NAME=pc44.example.jp LOGIN="+login, 220)
		step("EHLO pc44", 250)
		step("MAIL FROM:<"+login+">", 250)
		for _, rc := range rcpts {
			step("RCPT TO:<"+rc+">", 250)
		}
		step("DATA", 354)
		w := tp.DotWriter()
		w.Write(hamMsg("gw-ob"))
		w.Close()
		return step("", 250)
	}
	if reply := send("yamada@example.jp", []string{"tanaka@partner.example"}); !strings.Contains(reply, "queued") {
		t.Errorf("normal account: %s", reply)
	}
	var spray []string
	for i := 0; i < 120; i++ {
		spray = append(spray, fmt.Sprintf("v%d@gmail.com", i))
	}
	if reply := send("sato@example.jp", spray); !strings.Contains(reply, "held in quarantine") {
		t.Errorf("spraying account: %s", reply)
	}
	if relayed.Load() != 1 {
		t.Errorf("relayed %d, want 1", relayed.Load())
	}
	if _, err := r.store.Get(context.Background(), onlyHeld(t, r.store)); err != nil {
		t.Errorf("held message not in the store: %v", err)
	}
}

// onlyHeld returns the id of the one message in the quarantine.
func onlyHeld(t *testing.T, st *quarantine.Store) string {
	t.Helper()
	ms, n, err := st.List(context.Background(), quarantine.Filter{Kind: quarantine.KindQuarantine})
	if err != nil || n != 1 || len(ms) != 1 {
		t.Fatalf("quarantine holds %d messages (%v), want 1", n, err)
	}
	return ms[0].ID
}
