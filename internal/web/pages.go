package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/web/sanitize"
)

// page is the data every template gets.
type page struct {
	Lang  string
	User  *accounts.User
	CSRF  string
	Path  string
	Nav   string
	Flash string
	Error string
	Next  string
	Data  any
}

func (p *page) T(key string) string { return tr(p.Lang, key) }

func (p *page) IsAdmin() bool { return p.User != nil && p.User.Role == accounts.RoleAdmin }

// OtherLang is the language the switcher offers.
func (p *page) OtherLang() string {
	if p.Lang == "ja" {
		return "en"
	}
	return "ja"
}

var funcs = template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2006-01-02 15:04:05")
	},
	"bytes": humanBytes,
	"score": func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
	"dur": func(d time.Duration) string {
		switch {
		case d >= time.Second:
			return fmt.Sprintf("%.2f s", d.Seconds())
		case d >= time.Millisecond:
			return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
		}
		return fmt.Sprintf("%d µs", d.Microseconds())
	},
	"join": strings.Join,
	// pathseg escapes a value for one URL path segment.
	"pathseg": url.PathEscape,
	"add":     func(a, b int) int { return a + b },
	"scoreClass": func(f float64) string {
		switch {
		case f >= 10:
			return "high"
		case f >= 5:
			return "mid"
		}
		return "low"
	},
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func (s *server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	for _, name := range []string{"login", "dashboard", "list", "message", "error", "account", "users", "remediate", "feeds", "campaigns", "digest", "reports", "lists", "audit"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("web: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return nil
}

func (s *server) render(w http.ResponseWriter, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, p); err != nil {
		s.log.Error("template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func (s *server) page(r *http.Request, c *reqCtx, nav string) *page {
	p := &page{Lang: c.lang, User: c.sess.User, CSRF: c.sess.CSRF, Path: r.URL.RequestURI(), Nav: nav}
	if k := r.URL.Query().Get("ok"); k != "" {
		if _, ok := messages["flash."+k]; ok {
			p.Flash = "flash." + k
		}
	}
	if k := r.URL.Query().Get("err"); k != "" {
		if _, ok := messages["flash."+k]; ok {
			p.Error = "flash." + k
		}
	}
	return p
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, lang string, code int, key string) {
	w.WriteHeader(code)
	s.render(w, "error", &page{Lang: lang, Path: r.URL.RequestURI(), Error: key})
}

// ---- dashboard

type dashData struct {
	Range      string
	Actions    *chart
	Categories *chart
	Top        []topSym
	Latency    quarantine.Latency
	Quarantine quarantine.Size
	History    quarantine.Size
	Dropped    uint64
	Total      int
}

type topSym struct {
	Name    string
	Count   int
	Explain string
}

func (s *server) dashboard(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	rng := r.URL.Query().Get("range")
	step, n := time.Hour, 24
	if rng == "7d" {
		step, n = 6*time.Hour, 28
	} else {
		rng = "24h"
	}
	now := time.Now()
	since := now.Add(-time.Duration(n-1) * step)
	series, err := s.st.Series(ctx, since, step, n)
	if err != nil {
		s.internal(w, r, c, err)
		return
	}
	d := &dashData{Range: rng}
	for _, b := range series {
		d.Total += b.Total
	}
	acts := []string{"accept", "tag", "quarantine", "reject", "tempfail"}
	cats := make([]string, 0, len(pipeline.Categories))
	for _, ct := range pipeline.Categories {
		cats = append(cats, string(ct))
	}
	labelFmt := "15:04"
	if rng == "7d" {
		labelFmt = "01/02 15h"
	}
	d.Actions = buildChart(series, acts, func(b quarantine.Bucket) map[string]int { return b.ByAction }, "act.", c.lang, labelFmt)
	d.Categories = buildChart(series, cats, func(b quarantine.Bucket) map[string]int { return b.ByCategory }, "cat.", c.lang, labelFmt)
	top, err := s.st.TopSymbols(ctx, since, 15)
	if err != nil {
		s.internal(w, r, c, err)
		return
	}
	for _, t := range top {
		d.Top = append(d.Top, topSym{Name: t.Name, Count: t.Count, Explain: explain(c.lang, t.Name, "", "")})
	}
	if d.Latency, err = s.st.Latencies(ctx, since); err != nil {
		s.internal(w, r, c, err)
		return
	}
	if d.Quarantine, err = s.st.Size(ctx, quarantine.KindQuarantine); err != nil {
		s.internal(w, r, c, err)
		return
	}
	if d.History, err = s.st.Size(ctx, quarantine.KindHistory); err != nil {
		s.internal(w, r, c, err)
		return
	}
	d.Dropped = s.st.WriterStats().Dropped
	p := s.page(r, c, "dashboard")
	p.Data = d
	s.render(w, "dashboard", p)
}

// explain returns a symbol's explanation in the language.
func explain(lang, name, en, ja string) string {
	if en == "" && ja == "" {
		if d, ok := pipeline.Lookup(name); ok {
			en, ja = d.EN, d.JA
		}
	}
	if lang == "ja" && ja != "" {
		return ja
	}
	return en
}

func (s *server) internal(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	s.log.Error("console", "path", r.URL.Path, "user", c.sess.User.Name, "err", err)
	s.fail(w, r, c.lang, http.StatusInternalServerError, "err.internal")
}

// ---- lists

type listData struct {
	Kind       string
	Q          url.Values
	Messages   []*quarantine.Message
	Total      int
	Offset     int
	Limit      int
	PrevURL    string
	NextURL    string
	SortURL    map[string]string // column → link that sorts by it (toggling the direction)
	Categories []string
	Actions    []string
}

func (s *server) list(kind string) authed {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) {
		q := r.URL.Query()
		f := quarantine.Filter{Kind: kind, Rcpt: q.Get("rcpt"), Sender: q.Get("sender"), Subject: q.Get("subject"),
			Symbol: q.Get("symbol"), Hash: strings.TrimSpace(q.Get("hash")), Limit: 50, Sort: q.Get("sort")}
		if v := q.Get("category"); v != "" {
			if _, err := pipeline.ParseCategory(v); err == nil {
				f.Category = v
			}
		}
		if v := q.Get("action"); v != "" {
			if _, err := pipeline.ParseAction(v); err == nil {
				f.Action = v
			}
		}
		if t, err := time.ParseInLocation("2006-01-02", q.Get("from"), time.Local); err == nil {
			f.Since = t
		}
		if t, err := time.ParseInLocation("2006-01-02", q.Get("to"), time.Local); err == nil {
			f.Until = t.Add(24 * time.Hour)
		}
		if v, err := strconv.ParseFloat(q.Get("min"), 64); err == nil {
			f.MinScore = &v
		}
		if v, err := strconv.ParseFloat(q.Get("max"), 64); err == nil {
			f.MaxScore = &v
		}
		if v, err := strconv.Atoi(q.Get("offset")); err == nil && v > 0 && v < 1_000_000 {
			f.Offset = v
		}
		if c.sess.User.Role != accounts.RoleAdmin {
			f.Restrict = append([]string{}, c.sess.User.Addresses...)
		}
		ms, total, err := s.st.List(r.Context(), f)
		if err != nil {
			s.internal(w, r, c, err)
			return
		}
		d := &listData{Kind: kind, Q: q, Messages: ms, Total: total, Offset: f.Offset, Limit: f.Limit}
		for _, ct := range pipeline.Categories {
			d.Categories = append(d.Categories, string(ct))
		}
		d.Actions = []string{"accept", "tag", "quarantine", "reject", "tempfail"}
		d.SortURL = sortURLs(r.URL.Path, q)
		page := func(off int) string {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Set("offset", strconv.Itoa(off))
			return r.URL.Path + "?" + v.Encode()
		}
		if f.Offset > 0 {
			d.PrevURL = page(max(0, f.Offset-f.Limit))
		}
		if f.Offset+len(ms) < total {
			d.NextURL = page(f.Offset + f.Limit)
		}
		p := s.page(r, c, kind)
		p.Data = d
		s.render(w, "list", p)
	}
}

// ---- message view and actions

// load fetches a message the user may see: admins see everything,
// recipients only quarantined mail addressed to their own addresses (and
// get "not found" for anything else, so ids reveal nothing).
func (s *server) load(w http.ResponseWriter, r *http.Request, c *reqCtx, withRaw bool) *quarantine.Message {
	id := r.PathValue("id")
	if len(id) > 64 {
		s.fail(w, r, c.lang, http.StatusNotFound, "err.notfound")
		return nil
	}
	if c.sess.User.Role != accounts.RoleAdmin {
		ok, err := s.st.CanSee(r.Context(), id, c.sess.User.Addresses)
		if err != nil {
			s.internal(w, r, c, err)
			return nil
		}
		if !ok {
			s.log.Warn("refused access to another recipient's message", "user", c.sess.User.Name, "quarantine_id", id)
			s.fail(w, r, c.lang, http.StatusNotFound, "err.notfound")
			return nil
		}
	}
	m, err := s.st.Message(r.Context(), id, withRaw)
	if errors.Is(err, quarantine.ErrNotFound) {
		s.fail(w, r, c.lang, http.StatusNotFound, "err.notfound")
		return nil
	}
	if err != nil {
		s.internal(w, r, c, err)
		return nil
	}
	if c.sess.User.Role != accounts.RoleAdmin && m.Kind != quarantine.KindQuarantine {
		s.fail(w, r, c.lang, http.StatusNotFound, "err.notfound")
		return nil
	}
	return m
}

func (s *server) message(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m := s.load(w, r, c, true)
	if m == nil {
		return
	}
	v := s.view(m, c.lang)
	v.Audit, _ = s.acc.AuditLog(r.Context(), m.ID, 50)
	v.CanRelease = m.Kind == quarantine.KindQuarantine && m.HasRaw && s.mayRelease(c, m)
	v.CanLearn = mayLearn(c)
	p := s.page(r, c, m.Kind)
	p.Data = v
	s.render(w, "message", p)
}

func (s *server) mayRelease(c *reqCtx, m *quarantine.Message) bool {
	if c.sess.User.Role == accounts.RoleAdmin {
		return true
	}
	return s.cfg.Web.RecipientRelease && m.Category != string(pipeline.CategoryMalware)
}

// messageBody serves the sanitised HTML part for the sandboxed iframe.
func (s *server) messageBody(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m := s.load(w, r, c, true)
	if m == nil {
		return
	}
	html := ""
	if m.Raw != nil {
		msg := s.parse(m.Raw)
		for _, p := range msg.TextParts {
			if p.HTML != "" {
				html = p.HTML
				break
			}
		}
	}
	h := w.Header()
	h.Set("Content-Security-Policy", cspBody)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(sanitize.Document(sanitize.HTML(html, c.lang))))
}

func (s *server) download(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m := s.load(w, r, c, true)
	if m == nil {
		return
	}
	if m.Raw == nil {
		s.fail(w, r, c.lang, http.StatusNotFound, "flash.no_raw")
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "download", m.ID, "")
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", `attachment; filename="sekisho-`+m.ID+`.eml"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(m.Raw)
}

func (s *server) back(w http.ResponseWriter, r *http.Request, id, param, key string) {
	http.Redirect(w, r, "/message/"+url.PathEscape(id)+"?"+param+"="+key, http.StatusSeeOther)
}

func (s *server) release(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m := s.load(w, r, c, false)
	if m == nil {
		return
	}
	if !s.mayRelease(c, m) {
		s.back(w, r, m.ID, "err", "forbidden")
		return
	}
	if !m.ReleasedAt.IsZero() && r.PostFormValue("again") != "1" {
		s.back(w, r, m.ID, "err", "already")
		return
	}
	err := s.st.Release(r.Context(), m.ID, c.sess.User.Name)
	var part *quarantine.PartialRelease
	if errors.As(err, &part) {
		s.log.Warn("released to some recipients only", "quarantine_id", m.ID, "msg_id", m.ScanID, "user", c.sess.User.Name, "err", err)
		s.back(w, r, m.ID, "ok", "released_partial")
		return
	}
	if err != nil {
		s.log.Error("release failed", "quarantine_id", m.ID, "msg_id", m.ScanID, "user", c.sess.User.Name, "err", err)
		s.back(w, r, m.ID, "err", "release_failed")
		return
	}
	s.releaseFeedback(r.Context(), m)
	s.back(w, r, m.ID, "ok", "released")
}

func (s *server) remove(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m := s.load(w, r, c, false)
	if m == nil {
		return
	}
	if err := s.st.Delete(r.Context(), m.ID, c.sess.User.Name); err != nil {
		s.internal(w, r, c, err)
		return
	}
	s.log.Info("message deleted", "quarantine_id", m.ID, "msg_id", m.ScanID, "user", c.sess.User.Name)
	target := "/quarantine"
	if m.Kind == quarantine.KindHistory {
		target = "/history"
	}
	http.Redirect(w, r, target+"?ok=deleted", http.StatusSeeOther)
}

func (s *server) learn(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m := s.load(w, r, c, true)
	if m == nil {
		return
	}
	if m.Raw == nil {
		s.back(w, r, m.ID, "err", "no_raw")
		return
	}
	if !mayLearn(c) {
		s.fail(w, r, c.lang, http.StatusForbidden, "err.forbidden")
		return
	}
	spam := r.PostFormValue("spam") == "1"
	if s.eng == nil {
		s.back(w, r, m.ID, "err", "no_learner")
		return
	}
	err := s.eng.Learn(r.Context(), m.Raw, spam)
	switch {
	case errors.Is(err, engine.ErrNoLearner):
		s.back(w, r, m.ID, "err", "no_learner")
		return
	case err != nil:
		s.log.Error("learn failed", "quarantine_id", m.ID, "msg_id", m.ScanID, "err", err)
		s.back(w, r, m.ID, "err", "learn_failed")
		return
	}
	if err := s.st.MarkLearned(r.Context(), m.ID, spam, c.sess.User.Name); err != nil {
		s.internal(w, r, c, err)
		return
	}
	if spam {
		s.back(w, r, m.ID, "ok", "learned_spam")
	} else {
		s.back(w, r, m.ID, "ok", "learned_ham")
	}
}

// ---- own account

func (s *server) account(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, "account", s.page(r, c, "account"))
}

// password changes the signed-in user's password; the store ends every
// session of the account, so a new one is started for this browser.
func (s *server) password(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	name := c.sess.User.Name
	cur, nw, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	if nw != again || len([]rune(nw)) < 10 {
		http.Redirect(w, r, "/account?err=pw_mismatch", http.StatusSeeOther)
		return
	}
	if s.limiter.blocked("user:" + strings.ToLower(name)) {
		http.Redirect(w, r, "/account?err=pw_wrong", http.StatusSeeOther)
		return
	}
	s.hashSem <- struct{}{}
	_, ok := s.acc.Authenticate(r.Context(), name, cur)
	<-s.hashSem
	if !ok {
		s.limiter.fail("user:" + strings.ToLower(name))
		http.Redirect(w, r, "/account?err=pw_wrong", http.StatusSeeOther)
		return
	}
	if err := s.acc.SetPassword(r.Context(), name, nw); err != nil {
		s.internal(w, r, c, err)
		return
	}
	_ = s.acc.Audit(r.Context(), name, "password", "", "")
	tok, _, err := s.acc.CreateSession(r.Context(), name, s.cfg.Web.SessionLifetime.Duration)
	if err != nil {
		s.internal(w, r, c, err)
		return
	}
	s.cookie(w, r, cookieSession, tok, int(s.cfg.Web.SessionLifetime.Seconds()))
	s.log.Info("password changed", "user", name, "remote", r.RemoteAddr)
	http.Redirect(w, r, "/account?ok=pw_changed", http.StatusSeeOther)
}
