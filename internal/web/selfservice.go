package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sekisho/sekisho/internal/digest"
	"github.com/sekisho/sekisho/internal/report"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/lists"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// Self-service and administration: digest links (no account), the
// Report button and the reports page, allow/block lists, bulk actions on
// search results, and the audit page. See docs/console.md.

func (s *server) selfServiceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /digest/{token}", s.digestPage)
	mux.HandleFunc("POST /digest/{token}", s.digestAct)
	mux.HandleFunc("GET /digest/signin/{token}", s.digestSignInPage)
	mux.HandleFunc("POST /digest/signin/{token}", s.digestSignIn)
	mux.HandleFunc("POST /message/{id}/report", s.auth(s.reportMessage))
	mux.HandleFunc("GET /reports", s.auth(s.reportsPage))
	mux.HandleFunc("GET /lists", s.auth(s.listsPage))
	mux.HandleFunc("POST /lists", s.auth(s.listsAdd))
	mux.HandleFunc("POST /lists/delete", s.auth(s.listsDelete))
	mux.HandleFunc("POST /bulk", s.auth(s.bulk))
	mux.HandleFunc("GET /audit", s.auth(s.admin(s.auditPage)))
}

func isAdmin(c *reqCtx) bool { return c.sess.User.Role == accounts.RoleAdmin }

// ---- digest links: GET shows what the link would do (mail scanners
// prefetch links; nothing happens on GET), POST does it.

type digestView struct {
	Token  string
	Item   *digest.Item
	Action string
	Done   bool
	Err    string
	SignIn string // the recipient a sign-in link is for
}

func digestErrKey(err error) string {
	switch {
	case errors.Is(err, digest.ErrExpired):
		return "expired"
	case errors.Is(err, digest.ErrUsed):
		return "used"
	case errors.Is(err, digest.ErrRefused):
		return "refused"
	case errors.Is(err, digest.ErrGone):
		return "gone"
	case errors.Is(err, digest.ErrBadToken):
		return "invalid"
	}
	return "failed"
}

func (s *server) digestRender(w http.ResponseWriter, r *http.Request, v *digestView, code int) {
	lang := s.pickLang(r)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	if code != http.StatusOK {
		w.WriteHeader(code)
	}
	s.render(w, "digest", &page{Lang: lang, Path: r.URL.RequestURI(), Nav: "digest", Data: v})
}

func (s *server) digestPage(w http.ResponseWriter, r *http.Request) {
	if s.digest == nil {
		http.NotFound(w, r)
		return
	}
	tok := r.PathValue("token")
	lang := s.pickLang(r)
	it, err := s.digest.Peek(r.Context(), tok, lang)
	v := &digestView{Token: tok, Item: it}
	if it != nil {
		v.Action = it.Claims.Action
		_ = s.digest.SetLang(r.Context(), it.Claims.Rcpt, lang)
	}
	if err != nil {
		v.Err = digestErrKey(err)
		s.digestRender(w, r, v, http.StatusOK)
		return
	}
	s.digestRender(w, r, v, http.StatusOK)
}

func (s *server) digestAct(w http.ResponseWriter, r *http.Request) {
	if s.digest == nil {
		http.NotFound(w, r)
		return
	}
	if !s.sameOrigin(r) {
		s.fail(w, r, s.pickLang(r), http.StatusForbidden, "err.forbidden")
		return
	}
	tok := r.PathValue("token")
	it, err := s.digest.Act(r.Context(), tok, s.pickLang(r))
	v := &digestView{Token: tok, Item: it}
	if it != nil {
		v.Action = it.Claims.Action
	}
	action := s.digest.LinkAction(tok)
	if action == "" {
		action = "other"
	}
	if err != nil {
		v.Err = digestErrKey(err)
		if v.Err == "failed" {
			s.log.Error("digest link failed", "err", err)
		}
		s.metrics.DigestLink(action, v.Err)
		s.digestRender(w, r, v, http.StatusConflict)
		return
	}
	s.metrics.DigestLink(action, "done")
	v.Done = true
	s.digestRender(w, r, v, http.StatusOK)
}

// ---- sign-in through a digest: the digest's sign-in link opens a
// session of the recipient, scoped to their own mail (an account
// "digest:ADDRESS" with the recipient role and no usable password,
// created on first use). GET asks, POST signs in.

// digestUserPrefix names the accounts digest sign-ins create.
const digestUserPrefix = "digest:"

// mayLearn: teaching the shared classifier is not for sessions opened by
// a digest link (anyone with held mail has one); accounts an
// administrator created keep it.
func mayLearn(c *reqCtx) bool { return !strings.HasPrefix(c.sess.User.Name, digestUserPrefix) }

func (s *server) digestSignInPage(w http.ResponseWriter, r *http.Request) {
	if s.digest == nil || s.acc == nil {
		http.NotFound(w, r)
		return
	}
	tok := r.PathValue("token")
	v := &digestView{Token: tok, Action: digest.ActSession}
	rcpt, err := s.digest.SignIn(tok)
	if err != nil {
		v.Err = digestErrKey(err)
	} else {
		v.SignIn = rcpt
		_ = s.digest.SetLang(r.Context(), rcpt, s.pickLang(r))
	}
	s.digestRender(w, r, v, http.StatusOK)
}

func (s *server) digestSignIn(w http.ResponseWriter, r *http.Request) {
	if s.digest == nil || s.acc == nil {
		http.NotFound(w, r)
		return
	}
	lang := s.pickLang(r)
	if !s.sameOrigin(r) {
		s.fail(w, r, lang, http.StatusForbidden, "err.forbidden")
		return
	}
	tok := r.PathValue("token")
	rcpt, err := s.digest.SignIn(tok)
	if err != nil {
		v := &digestView{Token: tok, Action: digest.ActSession, Err: digestErrKey(err)}
		s.metrics.DigestLink(digest.ActSession, v.Err)
		s.digestRender(w, r, v, http.StatusConflict)
		return
	}
	name, err := s.digestUser(r, rcpt)
	if err != nil {
		s.log.Error("digest sign-in failed", "rcpt", rcpt, "err", err)
		s.metrics.DigestLink(digest.ActSession, "failed")
		s.digestRender(w, r, &digestView{Token: tok, Action: digest.ActSession, Err: "failed"}, http.StatusInternalServerError)
		return
	}
	sess, _, err := s.acc.CreateSession(r.Context(), name, s.cfg.Web.SessionLifetime.Duration)
	if err != nil {
		s.log.Error("session", "err", err)
		s.metrics.DigestLink(digest.ActSession, "failed")
		s.fail(w, r, lang, http.StatusInternalServerError, "err.internal")
		return
	}
	s.metrics.DigestLink(digest.ActSession, "done")
	_ = s.acc.Audit(r.Context(), name, "digest-signin", "", rcpt)
	s.log.Info("signed in through a digest", "user", name, "remote", r.RemoteAddr)
	s.cookie(w, r, cookieSession, sess, int(s.cfg.Web.SessionLifetime.Seconds()))
	http.Redirect(w, r, "/quarantine", http.StatusSeeOther)
}

// digestUser returns the recipient account of rcpt, creating it (role
// recipient, the one address, a random password nobody knows) on first
// use. An existing account of that name that is not exactly that is
// refused rather than used.
func (s *server) digestUser(r *http.Request, rcpt string) (string, error) {
	name := digestUserPrefix + strings.ToLower(rcpt)
	u, err := s.acc.User(r.Context(), name)
	if err != nil {
		err = s.acc.CreateUser(r.Context(), name, accounts.RoleRecipient, accounts.RandomPassword(), []string{rcpt})
		if err != nil && !errors.Is(err, accounts.ErrUserExist) {
			return "", err
		}
		if u, err = s.acc.User(r.Context(), name); err != nil {
			return "", err
		}
	}
	if u.Role != accounts.RoleRecipient || len(u.Addresses) != 1 || !strings.EqualFold(u.Addresses[0], rcpt) {
		return "", errors.New("web: account " + name + " is not a digest recipient's")
	}
	return name, nil
}

// ---- Report button and reports page

// reporter is the address a console user reports as.
func reporter(c *reqCtx) string {
	if len(c.sess.User.Addresses) > 0 {
		return c.sess.User.Addresses[0]
	}
	return c.sess.User.Name
}

func (s *server) reportMessage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m := s.load(w, r, c, false)
	if m == nil {
		return
	}
	if s.reports == nil {
		s.back(w, r, m.ID, "err", "report_failed")
		return
	}
	id, err := s.reports.Submit(r.Context(), m.ID, reporter(c), c.lang)
	if err != nil && id == "" {
		s.log.Error("report failed", "quarantine_id", m.ID, "user", c.sess.User.Name, "err", err)
		s.back(w, r, m.ID, "err", "report_failed")
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "report", m.ID, id)
	s.back(w, r, m.ID, "ok", "reported")
}

type reportsView struct {
	Reports []*report.Report
	On      bool
	Address string
}

func (s *server) reportsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v := reportsView{On: s.reports != nil, Address: s.cfg.Report.Address}
	if s.reports != nil {
		var who []string
		if !isAdmin(c) {
			who = append([]string{}, c.sess.User.Addresses...)
		}
		list, err := s.reports.List(r.Context(), 200, who)
		if err != nil {
			s.internal(w, r, c, err)
			return
		}
		v.Reports = list
	}
	p := s.page(r, c, "reports")
	p.Data = v
	s.render(w, "reports", p)
}

// ---- allow/block lists

type listsView struct {
	Entries []lists.Entry
	Scopes  []string // scopes the user may edit (admins: any, shown as a free field)
	On      bool
}

// scopesOf: the recipient addresses a non-admin may edit; nil for admins
// (any scope).
func scopesOf(c *reqCtx) []string {
	if isAdmin(c) {
		return nil
	}
	out := []string{}
	for _, a := range c.sess.User.Addresses {
		if v, ok := lists.Normalise(a); ok {
			out = append(out, v)
		}
	}
	return out
}

func (s *server) listsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v := listsView{On: s.lists != nil, Scopes: scopesOf(c)}
	if s.lists != nil {
		v.Entries = s.lists.Entries(v.Scopes)
	}
	p := s.page(r, c, "lists")
	p.Data = v
	s.render(w, "lists", p)
}

func (s *server) mayScope(c *reqCtx, scope string) bool {
	sc := scopesOf(c)
	if sc == nil {
		return true
	}
	v, ok := lists.Normalise(scope)
	return ok && slices.Contains(sc, v)
}

func (s *server) listsAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if s.lists == nil {
		http.Redirect(w, r, "/lists", http.StatusSeeOther)
		return
	}
	scope, kind, value := strings.TrimSpace(r.PostFormValue("scope")), r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("value"))
	if !s.mayScope(c, scope) {
		http.Redirect(w, r, "/lists?err=forbidden", http.StatusSeeOther)
		return
	}
	e, err := s.lists.Add(r.Context(), scope, kind, value, c.sess.User.Name)
	if err != nil {
		http.Redirect(w, r, "/lists?err=invalid", http.StatusSeeOther)
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "list-"+e.Kind, "", e.Scope+": "+e.Value)
	http.Redirect(w, r, "/lists?ok=list_added", http.StatusSeeOther)
}

func (s *server) listsDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if s.lists == nil {
		http.Redirect(w, r, "/lists", http.StatusSeeOther)
		return
	}
	scope, kind, value := r.PostFormValue("scope"), r.PostFormValue("kind"), r.PostFormValue("value")
	if !s.mayScope(c, scope) {
		http.Redirect(w, r, "/lists?err=forbidden", http.StatusSeeOther)
		return
	}
	if ok, err := s.lists.Remove(r.Context(), scope, kind, value); err != nil || !ok {
		http.Redirect(w, r, "/lists?err=invalid", http.StatusSeeOther)
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "list-remove", "", scope+": "+kind+" "+value)
	http.Redirect(w, r, "/lists?ok=list_removed", http.StatusSeeOther)
}

// ---- bulk actions on search results

// maxBulk bounds one bulk action.
const maxBulk = 500

func (s *server) bulk(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	act := r.PostFormValue("bulk")
	ids := r.PostForm["id"]
	back := localPath(r.PostFormValue("back"))
	if !strings.HasPrefix(back, "/quarantine") && !strings.HasPrefix(back, "/history") {
		back = "/quarantine"
	}
	if len(ids) == 0 || len(ids) > maxBulk {
		http.Redirect(w, r, addQuery(back, "err", "bulk_none"), http.StatusSeeOther)
		return
	}
	switch act {
	case "release", "delete", "block", "spam", "ham":
	default:
		http.Redirect(w, r, addQuery(back, "err", "bulk_none"), http.StatusSeeOther)
		return
	}
	if (act == "spam" || act == "ham") && !isAdmin(c) {
		s.fail(w, r, c.lang, http.StatusForbidden, "err.forbidden")
		return
	}
	done, failed := 0, 0
	for _, id := range ids {
		if len(id) > 64 {
			failed++
			continue
		}
		if !isAdmin(c) {
			ok, err := s.st.CanSee(ctx, id, c.sess.User.Addresses)
			if err != nil || !ok {
				failed++
				continue
			}
		}
		m, err := s.st.Message(ctx, id, act == "spam" || act == "ham")
		if err != nil || !isAdmin(c) && m.Kind != quarantine.KindQuarantine {
			failed++
			continue
		}
		if err := s.bulkOne(r, c, act, m); err != nil {
			s.log.Warn("bulk action failed", "action", act, "quarantine_id", id, "user", c.sess.User.Name, "err", err)
			failed++
			continue
		}
		done++
	}
	_ = s.acc.Audit(ctx, c.sess.User.Name, "bulk-"+act, "", strings.Join(ids[:min(len(ids), 20)], " "))
	target := addQuery(back, "ok", "bulk_done")
	if failed > 0 {
		target = addQuery(back, "err", "bulk_partial")
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

var errBulkRefused = errors.New("web: not allowed")

func (s *server) bulkOne(r *http.Request, c *reqCtx, act string, m *quarantine.Message) error {
	ctx := r.Context()
	user := c.sess.User.Name
	switch act {
	case "release":
		if m.Kind != quarantine.KindQuarantine || !m.HasRaw || !m.ReleasedAt.IsZero() || !s.mayRelease(c, m) {
			return errBulkRefused
		}
		return s.st.Release(ctx, m.ID, user)
	case "delete":
		return s.st.Delete(ctx, m.ID, user)
	case "block":
		if s.lists == nil {
			return errBulkRefused
		}
		sender := m.FromAddr
		if sender == "" {
			sender = m.MailFrom
		}
		scopes := scopesOf(c)
		if scopes == nil { // admins block for the message's recipients
			scopes = m.Rcpts
		}
		for _, sc := range scopes {
			if !slices.Contains(m.Rcpts, sc) {
				continue
			}
			if _, err := s.lists.Add(ctx, sc, lists.Block, sender, user); err != nil {
				return err
			}
		}
		return nil
	case "spam", "ham":
		if m.Raw == nil || s.eng == nil {
			return errBulkRefused
		}
		spam := act == "spam"
		if err := s.eng.Learn(ctx, m.Raw, spam); err != nil {
			return err
		}
		return s.st.MarkLearned(ctx, m.ID, spam, user)
	}
	return errBulkRefused
}

func addQuery(path, k, v string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + url.QueryEscape(k) + "=" + url.QueryEscape(v)
}

// ---- audit page

type auditView struct {
	Entries []accounts.AuditEntry
	User    string
}

func (s *server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	entries, err := s.acc.AuditLog(r.Context(), "", 500)
	if err != nil {
		s.internal(w, r, c, err)
		return
	}
	v := auditView{User: strings.TrimSpace(r.URL.Query().Get("user"))}
	for _, e := range entries {
		if v.User == "" || strings.Contains(strings.ToLower(e.User), strings.ToLower(v.User)) {
			v.Entries = append(v.Entries, e)
		}
	}
	p := s.page(r, c, "audit")
	p.Data = v
	s.render(w, "audit", p)
}

// sortURLs are the column headers' links: the same search sorted by the
// column, descending first, ascending when it already sorts descending.
func sortURLs(path string, q url.Values) map[string]string {
	out := map[string]string{}
	cur := q.Get("sort")
	for _, col := range []string{"time", "sender", "subject", "score"} {
		v := url.Values{}
		for k, vs := range q {
			if k != "offset" && k != "ok" && k != "err" {
				v[k] = vs
			}
		}
		next := "-" + col
		if cur == "-"+col || cur == "" && col == "time" {
			next = col
		}
		v.Set("sort", next)
		out[col] = path + "?" + v.Encode()
	}
	return out
}

// rememberLang keeps a signed-in user's language choice for their
// addresses: digests and report answers use it.
func (s *server) rememberLang(r *http.Request, lang string) {
	if s.digest == nil || s.acc == nil {
		return
	}
	c, err := r.Cookie(cookieSession)
	if err != nil {
		return
	}
	sess, err := s.acc.Session(r.Context(), c.Value, s.cfg.Web.SessionLifetime.Duration)
	if err != nil || sess == nil {
		return
	}
	for _, a := range sess.User.Addresses {
		_ = s.digest.SetLang(r.Context(), a, lang)
	}
}
