// Package web is the console: sign-in, dashboard, quarantine, message view,
// history, and the Prometheus /metrics endpoint.
//
// Pages are rendered on the server with html/template; the few CSS and JS
// assets are embedded. Every response carries a strict
// Content-Security-Policy (default-src 'none'; scripts and styles only from
// the console itself, never inline). Message HTML is sanitised and shown in
// a sandboxed iframe served from its own endpoint with a CSP that allows no
// script and no remote content at all.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/digest"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/metrics"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/remediate"
	"github.com/sekisho/sekisho/internal/report"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/lists"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// Options are what the console needs.
type Options struct {
	Config *config.Config
	Engine *engine.Engine
	Store  *quarantine.Store
	Logger *slog.Logger
	// Stderr receives the first admin password (default os.Stderr).
	Stderr io.Writer
	// FirstAdminInBackground creates the first admin account (an argon2id
	// hash: about a second of CPU) after New returns, so the console
	// listens at once (serve sets it); the password is printed when the
	// account exists.
	FirstAdminInBackground bool
	// Remediator pulls delivered mail back (nil: [remediate] is off).
	Remediator *remediate.Remediator
	// Lists are the recipients' allow/block lists (nil: page off).
	Lists *lists.Store
	// Reports is the report-phish intake (nil: no Report button).
	Reports *report.Service
	// Digest carries out digest links (nil: /digest/ off).
	Digest *digest.Service
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

const (
	cookieSession = "sekisho_session"
	cookieLogin   = "sekisho_login"
	cookieLang    = "sekisho_lang"
)

// Content-Security-Policy of console pages: nothing but the console's own
// script and style files, the message iframe from the console itself, and
// forms posting back to it.
const cspPage = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// cspBody is the policy of the sanitised message HTML: no script, no
// remote or local fetches of any kind, sandboxed into an opaque origin.
const cspBody = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox"

type server struct {
	cfg     *config.Config
	eng     *engine.Engine
	st      *quarantine.Store
	acc     *accounts.Store // console accounts, sessions, audit (st's database)
	log     *slog.Logger
	metrics *metrics.Metrics
	pages   map[string]*template.Template
	limiter loginLimiter
	hashSem chan struct{}
	rem     *remediate.Remediator
	lists   *lists.Store
	reports *report.Service
	digest  *digest.Service
}

// New returns the console handler, mounted at "/" on the console port
// (127.0.0.1:11334 by default) by `sekisho serve`. Paths the Rspamd
// controller protocol uses (/checkv2, /learnspam, /learnham, /ping, /stat,
// /symbols, /api/...) are served by the front ends, not here.
//
// New registers an engine observer that updates the metrics and records
// every scan in the history (asynchronously), and creates the first admin
// account (printing its password once) when there is none.
func New(opts Options) (http.Handler, error) {
	cfg := opts.Config
	if cfg == nil && opts.Engine != nil {
		cfg = opts.Engine.Config()
	}
	if cfg == nil {
		return nil, errors.New("web: no configuration")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{cfg: cfg, eng: opts.Engine, st: opts.Store, log: log.With("component", "web"),
		limiter: newLoginLimiter(cfg, log), hashSem: make(chan struct{}, 2)}
	if opts.Store != nil {
		s.acc = opts.Store.Accounts()
	}
	s.rem = opts.Remediator
	s.lists, s.reports, s.digest = opts.Lists, opts.Reports, opts.Digest
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	var names []string
	if s.eng != nil {
		for _, a := range s.eng.Analyzers() {
			names = append(names, a.Name())
		}
	}
	var size metrics.SizeFunc
	var dropped func() uint64
	if s.st != nil {
		size = func(ctx context.Context) (int, int64, error) {
			z, err := s.st.Size(ctx, quarantine.KindQuarantine)
			return z.Messages, z.Bytes, err
		}
		dropped = func() uint64 { return s.st.WriterStats().Dropped }
	}
	s.metrics = metrics.New(names, size, dropped)
	if s.reports != nil {
		s.reports.Observe(s.metrics)
	}
	if s.digest != nil {
		s.digest.Observe(s.metrics)
	}
	if s.eng != nil {
		for _, a := range s.eng.Analyzers() {
			if r, ok := a.(metrics.ListReporter); ok {
				if err := s.metrics.AddLists(r); err != nil {
					log.Warn("web: list metrics", "analyzer", a.Name(), "err", err)
				}
			}
		}
	}
	if s.eng != nil {
		s.eng.Observe(s.observe)
	}
	if s.st != nil {
		w := opts.Stderr
		if w == nil {
			w = os.Stderr
		}
		if opts.FirstAdminInBackground {
			go func() {
				if err := s.firstAdmin(w); err != nil {
					s.log.Error("first console account not created", "err", err)
				}
			}()
		} else if err := s.firstAdmin(w); err != nil {
			return nil, err
		}
	}

	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(static))))
	mux.Handle("GET /metrics", s.metrics.Handler(cfg.Web.MetricsToken))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("GET /lang/{lang}", s.setLang)
	mux.HandleFunc("POST /logout", s.auth(s.logout))
	mux.HandleFunc("GET /{$}", s.auth(func(w http.ResponseWriter, r *http.Request, c *reqCtx) {
		if c.sess.User.Role == accounts.RoleAdmin {
			http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/quarantine", http.StatusSeeOther)
	}))
	mux.HandleFunc("GET /dashboard", s.auth(s.admin(s.dashboard)))
	mux.HandleFunc("GET /quarantine", s.auth(s.list(quarantine.KindQuarantine)))
	mux.HandleFunc("GET /history", s.auth(s.admin(s.list(quarantine.KindHistory))))
	mux.HandleFunc("GET /message/{id}", s.auth(s.message))
	mux.HandleFunc("GET /message/{id}/body", s.auth(s.messageBody))
	mux.HandleFunc("GET /message/{id}/eml", s.auth(s.admin(s.download)))
	mux.HandleFunc("POST /message/{id}/release", s.auth(s.release))
	mux.HandleFunc("POST /message/{id}/delete", s.auth(s.remove))
	mux.HandleFunc("POST /message/{id}/learn", s.auth(s.learn))
	mux.HandleFunc("GET /users", s.auth(s.admin(s.users)))
	mux.HandleFunc("POST /users", s.auth(s.admin(s.userAdd)))
	mux.HandleFunc("POST /users/{name}/password", s.auth(s.admin(s.userPassword)))
	mux.HandleFunc("POST /users/{name}/delete", s.auth(s.admin(s.userDelete)))
	s.remediateRoutes(mux)
	s.feedRoutes(mux)
	s.campaignRoutes(mux)
	s.selfServiceRoutes(mux)
	mux.HandleFunc("GET /account", s.auth(s.account))
	mux.HandleFunc("POST /account/password", s.auth(s.password))
	return s.secure(mux), nil
}

// observe runs after every scan: metrics and the history.
func (s *server) observe(r *pipeline.Result) {
	// No log line here: the front end's processor logs each message once
	// ("scanned"); a second line per message was noise.
	s.metrics.Observe(r)
	if s.st != nil && r.Msg != nil {
		if err := s.st.Record(context.Background(), r.Msg.Raw, r); err != nil {
			s.log.Warn("history not recorded", "msg_id", r.ID, "err", err)
		}
	}
}

// firstAdmin creates the first account when there is none and prints its
// password once.
func (s *server) firstAdmin(w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := s.acc.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("web: accounts: %w", err)
	}
	if n > 0 {
		return nil
	}
	pw := accounts.RandomPassword()
	name := s.cfg.Web.AdminUser
	if err := s.acc.CreateUser(ctx, name, accounts.RoleAdmin, pw, nil); err != nil {
		// Several instances sharing one database start together: another
		// one may have created the first account meanwhile.
		if n, cerr := s.acc.CountUsers(ctx); cerr == nil && n > 0 {
			return nil
		}
		return fmt.Errorf("web: first account: %w", err)
	}
	line := strings.Repeat("=", 72)
	fmt.Fprintf(w, "\n%s\nsekisho console: created the first administrator account.\n\n    user:     %s\n    password: %s\n\nThis password is shown only this once. Sign in to the console and keep it\nsafe; change it with: sekisho user passwd %s\n%s\n\n", line, name, pw, name, line)
	s.log.Warn("created the first console account; its password was printed to stderr", "user", name)
	return nil
}

// secure adds the security headers every response carries.
func (s *server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", cspPage)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.isTLS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *server) isTLS(r *http.Request) bool {
	switch s.cfg.Web.SecureCookies {
	case "always":
		return true
	case "never":
		return false
	}
	if r.TLS != nil {
		return true
	}
	// A TLS-terminating proxy on the same host.
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			return true
		}
	}
	return false
}

func (s *server) cookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.isTLS(r), SameSite: http.SameSiteStrictMode})
}

// reqCtx is what a signed-in handler gets.
type reqCtx struct {
	sess *accounts.Session
	lang string
}

type authed func(http.ResponseWriter, *http.Request, *reqCtx)

// auth requires a session; pages without one redirect to the sign-in page,
// posts without one (or without the session's CSRF token) are refused.
func (s *server) auth(h authed) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.st == nil {
			http.Error(w, "the quarantine store is not configured", http.StatusServiceUnavailable)
			return
		}
		var sess *accounts.Session
		if c, err := r.Cookie(cookieSession); err == nil {
			sess, _ = s.acc.Session(r.Context(), c.Value, s.cfg.Web.SessionLifetime.Duration)
		}
		lang := s.pickLang(r)
		if sess == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, lang, http.StatusForbidden, "err.forbidden")
			return
		}
		if r.Method == http.MethodPost {
			if !s.sameOrigin(r) || !tokenEq(r.PostFormValue("csrf"), sess.CSRF) {
				s.log.Warn("refused a post without a valid CSRF token", "path", r.URL.Path, "user", sess.User.Name, "remote", r.RemoteAddr)
				s.fail(w, r, lang, http.StatusForbidden, "err.forbidden")
				return
			}
		}
		h(w, r, &reqCtx{sess: sess, lang: lang})
	}
}

// admin restricts a handler to administrators.
func (s *server) admin(h authed) authed {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) {
		if c.sess.User.Role != accounts.RoleAdmin {
			s.fail(w, r, c.lang, http.StatusNotFound, "err.notfound")
			return
		}
		h(w, r, c)
	}
}

// sameOrigin refuses cross-site form posts: browsers send Sec-Fetch-Site
// and Origin on posts; when present they must say same origin.
func (s *server) sameOrigin(r *http.Request) bool {
	if sfs := r.Header.Get("Sec-Fetch-Site"); sfs != "" && sfs != "same-origin" && sfs != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	return true
}

func tokenEq(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func randToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// localPath keeps redirects on the console.
//
// Browsers drop tabs and newlines and read "\\" as "/" in a URL, so
// "/\t/evil.example" means "//evil.example": any control character,
// space or backslash makes the target "/" (issue 14: open redirect).
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.IndexFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }) >= 0 {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}

func (s *server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if l != "en" && l != "ja" {
		http.NotFound(w, r)
		return
	}
	s.cookie(w, r, cookieLang, l, 365*24*3600)
	s.rememberLang(r, l)
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// limiter counts failed sign-ins per key in a window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

func (l *limiter) blocked(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for _, k := range keys {
		ts := l.prune(k, now)
		if len(ts) >= l.max {
			return true
		}
	}
	return false
}

func (l *limiter) maxFails() int { return l.max }

// blockedAt reports whether key has at least max failures in the window.
func (l *limiter) blockedAt(key string, max int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.prune(key, time.Now())) >= max
}

// delay is the progressive wait before a try for key: none below max
// failures in the window, then 250 ms doubling per failure, at most 4 s.
func (l *limiter) delay(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.prune(key, time.Now())) - l.max
	if n < 0 {
		return 0
	}
	return min(250*time.Millisecond<<min(n, 5), 4*time.Second)
}

func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.fails) > 100000 {
		for k := range l.fails {
			l.prune(k, now)
		}
	}
	for _, k := range keys {
		l.fails[k] = append(l.prune(k, now), now)
	}
}

func (l *limiter) prune(k string, now time.Time) []time.Time {
	ts := l.fails[k]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, k)
		return nil
	}
	l.fails[k] = ts
	return ts
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, "")
}

func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, code int, errKey string) {
	tok := randToken()
	s.cookie(w, r, cookieLogin, tok, 3600)
	lang := s.pickLang(r)
	w.WriteHeader(code)
	s.render(w, "login", &page{Lang: lang, CSRF: tok, Path: r.URL.RequestURI(), Error: errKey, Next: localPath(r.URL.Query().Get("next"))})
}

func (s *server) loginPost(w http.ResponseWriter, r *http.Request) {
	lang := s.pickLang(r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(cookieLogin)
	if err != nil || !s.sameOrigin(r) || !tokenEq(r.PostFormValue("csrf"), c.Value) {
		s.fail(w, r, lang, http.StatusForbidden, "err.forbidden")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("user"))
	pw := r.PostFormValue("password")
	// Throttling by source (issue 14): failures lock out the pair (this
	// user from this address) and, for spraying, the address; they never
	// lock the account itself, or anyone could shut the administrator out
	// from elsewhere. Failures for one user from all sources only slow
	// every try for it down, progressively.
	ip := clientIP(r)
	pairKey, ipKey, userKey := "pair:"+strings.ToLower(name)+"|"+ip, "ip:"+ip, "user:"+strings.ToLower(name)
	if s.limiter.blocked(pairKey) || s.limiter.blockedAt(ipKey, 4*s.limiter.maxFails()) {
		s.log.Warn("sign-in refused: too many failures", "user", name, "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusTooManyRequests, "login.limited")
		return
	}
	if d := s.limiter.delay(userKey); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	s.hashSem <- struct{}{}
	u, ok := s.acc.Authenticate(r.Context(), name, pw)
	<-s.hashSem
	if !ok {
		s.limiter.fail(pairKey, ipKey, userKey)
		s.log.Warn("sign-in failed", "user", name, "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, "login.failed")
		return
	}
	tok, _, err := s.acc.CreateSession(r.Context(), u.Name, s.cfg.Web.SessionLifetime.Duration)
	if err != nil {
		s.log.Error("session", "err", err)
		s.fail(w, r, lang, http.StatusInternalServerError, "err.internal")
		return
	}
	s.log.Info("signed in", "user", u.Name, "role", u.Role, "remote", r.RemoteAddr)
	s.cookie(w, r, cookieLogin, "", -1)
	s.cookie(w, r, cookieSession, tok, int(s.cfg.Web.SessionLifetime.Seconds()))
	next := localPath(r.PostFormValue("next"))
	if next == "/" || strings.HasPrefix(next, "/login") {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if ck, err := r.Cookie(cookieSession); err == nil {
		_ = s.acc.DeleteSession(r.Context(), ck.Value)
	}
	s.cookie(w, r, cookieSession, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
