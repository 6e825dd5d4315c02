package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/web"
)

// console is a running console over a real engine and a SQLite store.
type console struct {
	t        testing.TB
	cfg      *config.Config
	eng      *engine.Engine
	st       *quarantine.Store
	srv      *httptest.Server
	sink     *testutil.Sink
	password string // the first admin's
}

func fixture(t testing.TB, name, pixelBase string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "store", "quarantine", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("PIXELBASE"), []byte(pixelBase))
}

func newConsole(t testing.TB, mut func(*config.Config)) *console {
	t.Helper()
	return newConsoleWith(t, mut, engine.Options{})
}

func newConsoleWith(t testing.TB, mut func(*config.Config), eopts engine.Options) *console {
	t.Helper()
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.General.Hostname = "gw.example.jp"
	sink := testutil.SMTPSink(t)
	cfg.Quarantine.ReleaseHost = sink.Addr
	if mut != nil {
		mut(cfg)
	}
	eng, err := engine.New(cfg, eopts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h, err := web.New(web.Options{Config: cfg, Engine: eng, Store: st, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("CONSOLE_DEBUG") != "" {
			_, ck := r.Cookie("sekisho_session")
			t.Logf("%s %s cookie=%v dest=%s", r.Method, r.URL, ck == nil, r.Header.Get("Sec-Fetch-Dest"))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		st.Close()
		eng.Close()
	})
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("first admin password not printed: %q", out.String())
	}
	return &console{t: t, cfg: cfg, eng: eng, st: st, srv: srv, sink: sink, password: m[1]}
}

// hold scans raw with the real engine (recording history through the
// console's observer) and quarantines it as a front end would.
func (c *console) hold(raw []byte, rcpt string) string {
	c.t.Helper()
	ctx := context.Background()
	r := c.eng.Scan(ctx, raw, pipeline.Envelope{ClientIP: netip.MustParseAddr("198.51.100.23"), Helo: "mail-relay.example.net",
		MailFrom: "micros0ftsupport@hotmail.com", Rcpts: []string{rcpt}, QueueID: "4XyZ1abc", Frontend: "milter"})
	id, err := c.st.Hold(ctx, raw, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.st.Flush(ctx); err != nil {
		c.t.Fatal(err)
	}
	return id
}

type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (c *console) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: c.t, base: c.srv.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (cl *client) get(path string) (*http.Response, string) {
	cl.t.Helper()
	resp, err := cl.hc.Get(cl.base + path)
	if err != nil {
		cl.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func (cl *client) post(path string, form url.Values, hdr map[string]string) (*http.Response, string) {
	cl.t.Helper()
	req, _ := http.NewRequest("POST", cl.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := cl.hc.Do(req)
	if err != nil {
		cl.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, body string) string {
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf token in page")
	}
	return m[1]
}

func (cl *client) login(user, pw string) *http.Response {
	cl.t.Helper()
	_, body := cl.get("/login")
	resp, _ := cl.post("/login", url.Values{"csrf": {csrfOf(cl.t, body)}, "user": {user}, "password": {pw}}, nil)
	return resp
}

func TestFirstAdminPrintedOnce(t *testing.T) {
	c := newConsole(t, nil)
	var out bytes.Buffer
	if _, err := web.New(web.Options{Config: c.cfg, Engine: c.eng, Store: c.st, Stderr: &out}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Fatalf("password printed again: %q", out.String())
	}
	cl := c.client()
	if resp := cl.login("admin", c.password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	for _, ck := range cl.hc.Jar.Cookies(mustURL(c.srv.URL)) {
		if ck.Name == "sekisho_session" && ck.Value == "" {
			t.Fatal("no session")
		}
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

// TestNoSessionRedirects: every page without a session goes to sign-in;
// posts without a session are refused.
func TestNoSessionRedirects(t *testing.T) {
	c := newConsole(t, nil)
	id := c.hold(fixture(t, "phish-o365.eml", "http://127.0.0.1:9"), "tanaka@example.jp")
	cl := c.client()
	for _, p := range []string{"/", "/dashboard", "/quarantine", "/history", "/account", "/message/" + id, "/message/" + id + "/body", "/message/" + id + "/eml"} {
		resp, _ := cl.get(p)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("%s: %d %q", p, resp.StatusCode, loc)
		}
	}
	resp, _ := cl.post("/message/"+id+"/delete", url.Values{"csrf": {"x"}}, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("post without session: %d", resp.StatusCode)
	}
	if _, err := c.st.Message(context.Background(), id, false); err != nil {
		t.Fatal("message deleted without a session")
	}
	// Security headers.
	resp, _ = cl.get("/login")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("headers: %v", resp.Header)
	}
	for _, ck := range resp.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
			t.Fatalf("cookie %s not HttpOnly/Strict", ck.Name)
		}
	}
}

// TestSecureCookieBehindTLS: cookies are Secure when the request came over TLS.
func TestSecureCookieBehindTLS(t *testing.T) {
	c := newConsole(t, func(cfg *config.Config) { cfg.Web.SecureCookies = "always" })
	resp, _ := c.client().get("/login")
	for _, ck := range resp.Cookies() {
		if !ck.Secure {
			t.Fatalf("cookie %s not Secure", ck.Name)
		}
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS")
	}
}

// TestCSRF: forged posts without the token (or from another origin) are refused.
func TestCSRF(t *testing.T) {
	c := newConsole(t, nil)
	id := c.hold(fixture(t, "phish-o365.eml", "http://127.0.0.1:9"), "tanaka@example.jp")
	cl := c.client()
	// Sign-in itself needs the pre-session token.
	if resp, _ := cl.post("/login", url.Values{"user": {"admin"}, "password": {c.password}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without token: %d", resp.StatusCode)
	}
	if resp := cl.login("admin", c.password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, page := cl.get("/message/" + id)
	tok := csrfOf(t, page)
	for name, tc := range map[string]struct {
		form url.Values
		hdr  map[string]string
	}{
		"no token":     {url.Values{}, nil},
		"wrong token":  {url.Values{"csrf": {"AAAA" + tok[4:]}}, nil},
		"other origin": {url.Values{"csrf": {tok}}, map[string]string{"Origin": "http://evil.example"}},
		"cross site":   {url.Values{"csrf": {tok}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		resp, _ := cl.post("/message/"+id+"/delete", tc.form, tc.hdr)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	if _, err := c.st.Message(context.Background(), id, false); err != nil {
		t.Fatal("forged post deleted the message")
	}
	resp, _ := cl.post("/message/"+id+"/delete", url.Values{"csrf": {tok}}, map[string]string{"Origin": c.srv.URL})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("real post: %d", resp.StatusCode)
	}
	if _, err := c.st.Message(context.Background(), id, false); err == nil {
		t.Fatal("not deleted")
	}
	// Logout needs the token too.
	if resp, _ := cl.post("/logout", url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without token: %d", resp.StatusCode)
	}
}

// TestRecipientIsolation: a recipient sees only quarantined mail for its
// own addresses; everything else is "not found".
func TestRecipientIsolation(t *testing.T) {
	c := newConsole(t, nil)
	tanaka := c.hold(fixture(t, "phish-o365.eml", "http://127.0.0.1:9"), "tanaka@example.jp")
	sato := c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "sato@example.jp")
	if err := c.st.Accounts().CreateUser(context.Background(), "sato", accounts.RoleRecipient, "sato-pw-1", []string{"Sato@example.jp"}); err != nil {
		t.Fatal(err)
	}
	cl := c.client()
	if resp := cl.login("sato", "sato-pw-1"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %d", resp.StatusCode)
	}
	_, list := cl.get("/quarantine")
	if !strings.Contains(list, "/message/"+sato) || strings.Contains(list, tanaka) || strings.Contains(list, "Office 365") {
		t.Fatalf("list shows other mail or misses own:\n%s", list)
	}
	_, own := cl.get("/message/" + sato)
	tok := csrfOf(t, own)
	for _, p := range []string{"/message/" + tanaka, "/message/" + tanaka + "/body", "/message/" + tanaka + "/eml", "/history", "/dashboard", "/message/" + sato + "/eml"} {
		if resp, _ := cl.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	for _, a := range []string{"release", "delete", "learn"} {
		if resp, _ := cl.post("/message/"+tanaka+"/"+a, url.Values{"csrf": {tok}}, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s on another's mail: %d", a, resp.StatusCode)
		}
	}
	if len(c.sink.Received()) != 0 {
		t.Fatal("another recipient's mail was released")
	}
	// History entries are admin-only even for one's own mail.
	hist, _, _ := c.st.List(context.Background(), quarantine.Filter{Kind: quarantine.KindHistory, Rcpt: "sato@"})
	if len(hist) == 0 {
		t.Fatal("no history recorded by the observer")
	}
	if resp, _ := cl.get("/message/" + hist[0].ID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("recipient opened a history entry: %d", resp.StatusCode)
	}
	// Own mail: view and release.
	if resp, _ := cl.post("/message/"+sato+"/release", url.Values{"csrf": {tok}}, nil); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ok=released") {
		t.Fatalf("own release: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	got := c.sink.Wait(t, 10*time.Second)
	if !bytes.Equal(got.Data, fixture(t, "phish-kagoya-ja.eml", "")) {
		t.Fatal("released bytes differ")
	}
}

// TestSanitisedBody: the message HTML endpoint has no script, no event
// handler, no remote reference, and a sandboxing CSP.
func TestSanitisedBody(t *testing.T) {
	c := newConsole(t, nil)
	id := c.hold(fixture(t, "phish-o365.eml", "http://127.0.0.1:9"), "tanaka@example.jp")
	cl := c.client()
	cl.login("admin", c.password)
	resp, body := cl.get("/message/" + id + "/body")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Fatalf("body CSP %q", csp)
	}
	low := strings.ToLower(body)
	for _, bad := range []string{"<script", "onload", "onerror", "javascript:", "src=", "href=", "<iframe", "url(", "127.0.0.1:9"} {
		if strings.Contains(low, bad) {
			t.Errorf("sanitised body contains %q:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, "Office 365") || !strings.Contains(body, `title="https://micros0ft-login.example/owa/keep?u=tanaka"`) {
		t.Fatalf("body lost its content:\n%s", body)
	}
	_, page := cl.get("/message/" + id)
	for _, want := range []string{"micros0ft-login.example", "Password_Keep.html", "spf=softfail", "mail-relay.example.net", `sandbox=""`} {
		if !strings.Contains(page, want) {
			t.Errorf("message page lacks %q", want)
		}
	}
}

// TestLoginRateLimit: after login_attempts failures even the right
// password is refused for the window.
func TestLoginRateLimit(t *testing.T) {
	c := newConsole(t, func(cfg *config.Config) { cfg.Web.LoginAttempts = 3 })
	cl := c.client()
	for i := 0; i < 3; i++ {
		if resp := cl.login("admin", "wrong"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("try %d: %d", i, resp.StatusCode)
		}
	}
	if resp := cl.login("admin", c.password); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after failures: %d", resp.StatusCode)
	}
}

// TestLearnWithoutClassifier shows engine.ErrNoLearner clearly.
func TestLearnWithoutClassifier(t *testing.T) {
	// The sender analyzer learns contacts; with it off too, nothing can learn.
	c := newConsole(t, func(cfg *config.Config) { cfg.Bayes.Enabled = false; cfg.Sender.Enabled = false })
	id := c.hold(fixture(t, "phish-o365.eml", "http://127.0.0.1:9"), "tanaka@example.jp")
	cl := c.client()
	cl.login("admin", c.password)
	_, page := cl.get("/message/" + id)
	resp, _ := cl.post("/message/"+id+"/learn", url.Values{"csrf": {csrfOf(t, page)}, "spam": {"1"}}, nil)
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "err=no_learner") {
		t.Fatalf("learn: %d %s", resp.StatusCode, loc)
	}
	_, page = cl.get(loc)
	if !strings.Contains(page, "bayes.enabled = false") {
		t.Fatal("no clear message about the disabled classifier")
	}
}

// TestMetricsEndpoint checks /metrics after a scan, open and with a token.
func TestMetricsEndpoint(t *testing.T) {
	c := newConsole(t, func(cfg *config.Config) { cfg.Web.MetricsToken = "tok" })
	c.hold(fixture(t, "ham-notes.eml", ""), "sato@example.jp")
	cl := c.client()
	if resp, _ := cl.get("/metrics"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", c.srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`sekisho_scans_total{action="accept",category="clean",frontend="milter"} 1`, "sekisho_scan_duration_seconds_bucket", "sekisho_quarantine_messages 1"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestPagesRender signs in as admin and renders every page in both languages.
func TestPagesRender(t *testing.T) {
	c := newConsole(t, nil)
	id := c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "sato@example.jp")
	cl := c.client()
	cl.login("admin", c.password)
	for _, lang := range []string{"en", "ja"} {
		cl.get("/lang/" + lang + "?next=/")
		for _, p := range []string{"/dashboard", "/dashboard?range=7d", "/quarantine?subject=容量&category=clean&min=-5&max=100&from=2000-01-01", "/history", "/message/" + id} {
			resp, body := cl.get(p)
			if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: %d", lang, p, resp.StatusCode)
			}
		}
	}
	_, body := cl.get("/message/" + id)
	if !strings.Contains(body, "メールボックス容量超過") || !strings.Contains(body, "active-japan-top.beak.host") {
		t.Fatal("Japanese message not shown")
	}
	resp, eml := cl.get("/message/" + id + "/eml")
	if resp.Header.Get("Content-Type") != "message/rfc822" || eml != string(fixture(t, "phish-kagoya-ja.eml", "")) {
		t.Fatal("download differs")
	}
	// Accept-Language picks Japanese without a cookie.
	req, _ := http.NewRequest("GET", c.srv.URL+"/login", nil)
	req.Header.Set("Accept-Language", "ja-JP,ja;q=0.9,en;q=0.8")
	r2, _ := http.DefaultClient.Do(req)
	b, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if !strings.Contains(string(b), "ログイン") {
		t.Fatal("Accept-Language ignored")
	}
	// Open redirects are refused.
	for _, next := range []string{"//evil.example/", "/%09/evil.host", "/%0d%0a/evil.host", "/%5C/evil.host", "/%20/evil.host", "https://evil.example/", "/\\evil.host"} {
		resp, _ = cl.get("/lang/en?next=" + next)
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Fatalf("open redirect for next=%s: %q", next, loc)
		}
	}
	resp, _ = cl.get("/lang/en?next=/quarantine%3Fpage%3D2")
	if loc := resp.Header.Get("Location"); loc != "/quarantine?page=2" {
		t.Fatalf("local next: %q", loc)
	}
}

type fakeLearner struct {
	mu   sync.Mutex
	seen []bool
}

func (f *fakeLearner) Name() string                                  { return "fakelearner" }
func (f *fakeLearner) Analyze(context.Context, *pipeline.Task) error { return nil }
func (f *fakeLearner) Learn(_ context.Context, _ *pipeline.Task, spam bool) error {
	f.mu.Lock()
	f.seen = append(f.seen, spam)
	f.mu.Unlock()
	return nil
}

// TestLearnFromHistory: "spam"/"not spam" on a history entry feed the
// engine's learners and are recorded.
func TestLearnFromHistory(t *testing.T) {
	fl := &fakeLearner{}
	c := newConsoleWith(t, nil, engine.Options{Analyzers: []pipeline.Analyzer{fl}})
	c.hold(fixture(t, "ham-notes.eml", ""), "sato@example.jp")
	hist, _, err := c.st.List(context.Background(), quarantine.Filter{Kind: quarantine.KindHistory})
	if err != nil || len(hist) != 1 {
		t.Fatalf("history: %v %d", err, len(hist))
	}
	cl := c.client()
	cl.login("admin", c.password)
	_, page := cl.get("/message/" + hist[0].ID)
	tok := csrfOf(t, page)
	resp, _ := cl.post("/message/"+hist[0].ID+"/learn", url.Values{"csrf": {tok}, "spam": {"0"}}, nil)
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "ok=learned_ham") {
		t.Fatalf("learn: %s", loc)
	}
	m, _ := c.st.Message(context.Background(), hist[0].ID, false)
	if m.Learned != "ham" || m.LearnedBy != "admin" || len(fl.seen) != 1 || fl.seen[0] {
		t.Fatalf("learned %q by %q, learner saw %v", m.Learned, m.LearnedBy, fl.seen)
	}
}

// TestChangeOwnPassword: any account can change its password with the
// current one; other sessions end.
func TestChangeOwnPassword(t *testing.T) {
	c := newConsole(t, nil)
	other := c.client()
	other.login("admin", c.password)
	cl := c.client()
	cl.login("admin", c.password)
	_, page := cl.get("/account")
	tok := csrfOf(t, page)
	resp, _ := cl.post("/account/password", url.Values{"csrf": {tok}, "current": {"wrong"}, "new": {"0123456789ab"}, "again": {"0123456789ab"}}, nil)
	if !strings.Contains(resp.Header.Get("Location"), "err=pw_wrong") {
		t.Fatalf("wrong current: %s", resp.Header.Get("Location"))
	}
	resp, _ = cl.post("/account/password", url.Values{"csrf": {tok}, "current": {c.password}, "new": {"0123456789ab"}, "again": {"0123456789ab"}}, nil)
	if !strings.Contains(resp.Header.Get("Location"), "ok=pw_changed") {
		t.Fatalf("change: %s", resp.Header.Get("Location"))
	}
	if resp, _ := cl.get("/dashboard"); resp.StatusCode != 200 {
		t.Fatalf("this browser signed out: %d", resp.StatusCode)
	}
	if resp, _ := other.get("/dashboard"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other session survived: %d", resp.StatusCode)
	}
	if _, ok := c.st.Accounts().Authenticate(context.Background(), "admin", "0123456789ab"); !ok {
		t.Fatal("new password not set")
	}
}

// TestLoginThrottleBySource (issue 14): failures from one address lock
// that address out for the user, not the user: the administrator signs in
// from another address (after a short, bounded delay).
func TestLoginThrottleBySource(t *testing.T) {
	c := newConsole(t, func(cfg *config.Config) { cfg.Web.LoginAttempts = 3 })
	h := c.srv.Config.Handler
	try := func(ip, pw string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/login", nil)
		req.RemoteAddr = ip + ":1234"
		h.ServeHTTP(rec, req)
		tok := csrfOf(t, rec.Body.String())
		var cookie *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Value != "" {
				cookie = ck
			}
		}
		form := url.Values{"user": {"admin"}, "password": {pw}, "csrf": {tok}}
		req = httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = ip + ":1234"
		req.AddCookie(cookie)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := 0; i < 5; i++ {
		try("203.0.113.9", "wrong")
	}
	if code := try("203.0.113.9", c.password); code != http.StatusTooManyRequests {
		t.Errorf("attacker's address after failures: %d, want 429", code)
	}
	start := time.Now()
	if code := try("192.0.2.1", c.password); code != http.StatusSeeOther {
		t.Errorf("administrator from another address: %d, want 303 (signed in)", code)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("sign-in from elsewhere waited %v", d)
	}
}
