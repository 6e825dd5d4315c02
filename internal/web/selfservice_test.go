package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/digest"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/report"
	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/lists"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
	"github.com/sekisho/sekisho/internal/web"
)

// selfConsole is a console with the self-service parts: lists, reports,
// digests (sent to the test's SMTP sink).
type selfConsole struct {
	*console
	ls *lists.Store
	ds *digest.Service
	rs *report.Service
}

func newSelfConsole(t *testing.T) *selfConsole {
	t.Helper()
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	cfg.General.Hostname = "gw.example.jp"
	cfg.General.Domains = []string{"example.jp"}
	sink := testutil.SMTPSink(t)
	cfg.Quarantine.ReleaseHost = sink.Addr
	cfg.Quarantine.ReleaseStartTLS = "none"
	cfg.Report.Address = "phish-report@example.jp"
	eng, err := engine.New(cfg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := quarantine.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := lists.Open(context.Background(), st.DB(), st.Dialect(), st.Now)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := digest.New(context.Background(), cfg, st, ls, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := report.New(context.Background(), cfg, eng, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h, err := web.New(web.Options{Config: cfg, Engine: eng, Store: st, Stderr: &out, Lists: ls, Digest: ds, Reports: rs})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	cfg.Digest.BaseURL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		st.Close()
		eng.Close()
	})
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("first admin password not printed: %q", out.String())
	}
	c := &console{t: t, cfg: cfg, eng: eng, st: st, srv: srv, sink: sink, password: m[1]}
	return &selfConsole{console: c, ls: ls, ds: ds, rs: rs}
}

// malwareMsg carries the EICAR test file: categorised as malware
// without clamd.
func malwareMsg(id string) []byte {
	eicar := `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`
	return []byte(strings.ReplaceAll(fmt.Sprintf(`From: "Sato" <sato@partner.example>
To: alice@example.jp
Subject: Invoice attached
Date: Mon, 16 Nov 2026 10:00:00 +0900
Message-ID: <%s@partner.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8

See the attachment.
--b1
Content-Type: application/octet-stream; name="invoice.com"
Content-Disposition: attachment; filename="invoice.com"
Content-Transfer-Encoding: base64

%s
--b1--
`, id, base64.StdEncoding.EncodeToString([]byte(eicar))), "\n", "\r\n"))
}

// digestLinks reads the digest mail: its text and the links by action
// and quarantine id (in the order listed).
func digestLinks(t *testing.T, raw []byte) (string, []string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(b), regexp.MustCompile(`https?://\S+/digest/\S+`).FindAllString(string(b), -1)
}

func linkClaims(t *testing.T, link string) digest.Claims {
	t.Helper()
	tok, _ := url.PathUnescape(link[strings.LastIndex(link, "/")+1:])
	p, _, _ := strings.Cut(tok, ".")
	b, _ := base64.RawURLEncoding.DecodeString(p)
	f := strings.Split(string(b), "\n")
	return digest.Claims{Action: f[1], QID: f[2], Rcpt: f[3]}
}

// TestDigestLinks: the digest lists alice's held mail with links; GET
// only shows a confirm page (a link scanner's prefetch does nothing); POST
// releases exactly once; the message's other links are then used too;
// malware gets no release link, and a signed release link for it is
// refused; an expired link is refused.
func TestDigestLinks(t *testing.T) {
	c := newSelfConsole(t)
	ctx := context.Background()
	phishID := c.hold(fixture(t, "phish-o365.eml", "http://127.0.0.1:9"), "alice@example.jp")
	malID := c.hold(malwareMsg("mal-1"), "alice@example.jp")
	if m, _ := c.st.Message(ctx, malID, false); m.Category != "malware" {
		t.Fatalf("malware fixture categorised %s", m.Category)
	}
	sent, err := c.ds.Run(ctx, false)
	if err != nil || len(sent) != 1 || sent[0].Rcpt != "alice@example.jp" || len(sent[0].Items) != 2 || sent[0].Error != "" {
		t.Fatalf("digest run: %+v %v", sent, err)
	}
	dm := c.sink.WaitFor(t, "Auto-Submitted: auto-generated", 10*time.Second)
	if len(dm.Rcpts) != 1 || dm.Rcpts[0] != "alice@example.jp" || dm.From != "" {
		t.Fatalf("digest envelope: %q %v", dm.From, dm.Rcpts)
	}
	text, all := digestLinks(t, dm.Data)
	byAct := map[string]string{}
	var links []string
	for _, l := range all {
		cl := linkClaims(t, l)
		if cl.Action == digest.ActSession {
			byAct["session"] = l
			continue
		}
		links = append(links, l)
		if cl.QID == malID && cl.Action != digest.ActDelete {
			t.Errorf("malware has a %s link", cl.Action)
		}
		byAct[cl.QID+" "+cl.Action] = l
	}
	if !strings.Contains(text, "contains malware and cannot be released") || len(links) != 4 {
		t.Fatalf("digest text (%d links):\n%s", len(links), text)
	}
	rel := byAct[phishID+" "+digest.ActRelease]
	path := strings.TrimPrefix(rel, c.srv.URL)

	// GET: a confirm page; nothing released (mail scanners prefetch).
	cl := c.client()
	for i := 0; i < 2; i++ {
		resp, body := cl.get(path)
		if resp.StatusCode != 200 || !strings.Contains(body, `id="dg-confirm"`) || !strings.Contains(body, "Release this message") {
			t.Fatalf("GET %d: %d\n%s", i, resp.StatusCode, body)
		}
	}
	if m, _ := c.st.Message(ctx, phishID, false); !m.ReleasedAt.IsZero() {
		t.Fatal("GET released the message")
	}
	// POST from another site is refused.
	if resp, _ := cl.post(path, url.Values{}, map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", resp.StatusCode)
	}
	// POST releases.
	resp, body := cl.post(path, url.Values{}, map[string]string{"Origin": c.srv.URL})
	if resp.StatusCode != 200 || !strings.Contains(body, `id="dg-done"`) {
		t.Fatalf("POST: %d\n%s", resp.StatusCode, body)
	}
	c.sink.WaitFor(t, "Office 365", 10*time.Second)
	if m, _ := c.st.Message(ctx, phishID, false); m.ReleasedAt.IsZero() || m.ReleasedBy != "digest:alice@example.jp" {
		t.Fatalf("not released: %+v", m)
	}
	// Once: the same link and the message's delete link are used up.
	resp, body = cl.post(path, url.Values{}, map[string]string{"Origin": c.srv.URL})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `data-err="used"`) {
		t.Fatalf("second POST: %d\n%s", resp.StatusCode, body)
	}
	_, body = cl.get(strings.TrimPrefix(byAct[phishID+" "+digest.ActDelete], c.srv.URL))
	if !strings.Contains(body, `data-err="used"`) {
		t.Fatalf("delete link after release:\n%s", body)
	}

	// Malware: a correctly signed release link is still refused.
	kb, err := os.ReadFile(filepath.Join(c.cfg.General.DataDir, "digest.key"))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := hex.DecodeString(strings.TrimSpace(string(kb)))
	forged := "/digest/" + digest.Sign(key, digest.Claims{Action: digest.ActRelease, QID: malID, Rcpt: "alice@example.jp",
		Expires: time.Now().Add(time.Hour), Nonce: "n-mal"})
	if _, body := cl.get(forged); !strings.Contains(body, `data-err="refused"`) || strings.Contains(body, `id="dg-confirm"`) {
		t.Fatalf("malware release page:\n%s", body)
	}
	if resp, body := cl.post(forged, url.Values{}, map[string]string{"Origin": c.srv.URL}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, `data-err="refused"`) {
		t.Fatalf("malware release POST: %d\n%s", resp.StatusCode, body)
	}
	if m, _ := c.st.Message(ctx, malID, false); !m.ReleasedAt.IsZero() {
		t.Fatal("malware released")
	}
	// Expired and tampered links.
	old := "/digest/" + digest.Sign(key, digest.Claims{Action: digest.ActDelete, QID: malID, Rcpt: "alice@example.jp",
		Expires: time.Now().Add(-time.Minute), Nonce: "n-old"})
	if _, body := cl.get(old); !strings.Contains(body, `data-err="expired"`) {
		t.Fatalf("expired link:\n%s", body)
	}
	if _, body := cl.get(path + "x"); !strings.Contains(body, `data-err="invalid"`) {
		t.Fatalf("tampered link:\n%s", body)
	}
	// Another recipient's message through a link for alice: invalid.
	bobID := c.hold(malwareMsg("mal-2"), "bob@example.jp")
	other := "/digest/" + digest.Sign(key, digest.Claims{Action: digest.ActDelete, QID: bobID, Rcpt: "alice@example.jp",
		Expires: time.Now().Add(time.Hour), Nonce: "n-bob"})
	if _, body := cl.post(other, url.Values{}, map[string]string{"Origin": c.srv.URL}); !strings.Contains(body, `data-err="invalid"`) {
		t.Fatalf("other recipient's message:\n%s", body)
	}
	// The malware's delete link works.
	if resp, body := cl.post(strings.TrimPrefix(byAct[malID+" "+digest.ActDelete], c.srv.URL), url.Values{}, map[string]string{"Origin": c.srv.URL}); resp.StatusCode != 200 || !strings.Contains(body, `id="dg-done"`) {
		t.Fatalf("delete: %d\n%s", resp.StatusCode, body)
	}
	if _, err := c.st.Message(ctx, malID, false); err == nil {
		t.Fatal("malware not deleted")
	}
	// A second run lists only what was held since the first: bob's.
	if sent, err := c.ds.Run(ctx, true); err != nil || len(sent) != 1 || sent[0].Rcpt != "bob@example.jp" || len(sent[0].Items) != 1 {
		t.Fatalf("second run: %v %v", len(sent), err)
	}

	// The sign-in link: not a message link, and a message link does not
	// sign in; POST opens a session of a recipient account for alice only.
	signin := strings.TrimPrefix(byAct["session"], c.srv.URL)
	if !strings.HasPrefix(signin, "/digest/signin/") {
		t.Fatalf("sign-in link %q", signin)
	}
	if _, body := cl.get("/digest/" + strings.TrimPrefix(signin, "/digest/signin/")); !strings.Contains(body, `data-err="invalid"`) {
		t.Fatalf("sign-in token as a message link:\n%s", body)
	}
	if _, body := cl.get("/digest/signin" + strings.TrimPrefix(path, "/digest")); !strings.Contains(body, `data-err="invalid"`) {
		t.Fatalf("message token as a sign-in link:\n%s", body)
	}
	if resp, body := cl.get(signin); resp.StatusCode != 200 || !strings.Contains(body, `id="dg-signin"`) || !strings.Contains(body, "alice@example.jp") {
		t.Fatalf("sign-in page: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := cl.post(signin, url.Values{}, map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", resp.StatusCode)
	}
	for i := 0; i < 2; i++ { // usable until it expires
		if resp, _ := cl.post(signin, url.Values{}, map[string]string{"Origin": c.srv.URL}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/quarantine" {
			t.Fatalf("sign-in POST %d: %d %s", i, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	u, err := c.st.Accounts().User(ctx, "digest:alice@example.jp")
	if err != nil || u.Role != accounts.RoleRecipient || strings.Join(u.Addresses, ",") != "alice@example.jp" {
		t.Fatalf("digest account: %+v %v", u, err)
	}
	if _, body := cl.get("/quarantine"); !strings.Contains(body, "digest:alice@example.jp") || strings.Contains(body, bobID) || strings.Contains(body, `id="nav-audit"`) {
		t.Fatalf("alice's view:\n%s", body)
	}
	if resp, _ := cl.get("/message/" + bobID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("bob's message in alice's view: %d", resp.StatusCode)
	}
	// Her own message: no learning (the shared classifier is not for
	// every digest reader), refused when posted anyway.
	resp, page := cl.get("/message/" + phishID)
	if resp.StatusCode != 200 || strings.Contains(page, `id="btn-ham"`) || !strings.Contains(page, `id="btn-delete"`) {
		t.Fatalf("alice's message in her view: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := cl.post("/message/"+phishID+"/learn", url.Values{"csrf": {csrfOf(t, page)}, "spam": {"0"}}, map[string]string{"Origin": c.srv.URL}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("learn from a digest sign-in: %d", resp.StatusCode)
	}
	expired := "/digest/signin/" + digest.Sign(key, digest.Claims{Action: digest.ActSession, Rcpt: "alice@example.jp",
		Expires: time.Now().Add(-time.Minute), Nonce: "n-s"})
	if resp, body := cl.post(expired, url.Values{}, map[string]string{"Origin": c.srv.URL}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, `data-err="expired"`) {
		t.Fatalf("expired sign-in: %d\n%s", resp.StatusCode, body)
	}

	// Counted on /metrics.
	_, metrics := cl.get("/metrics")
	for _, want := range []string{
		`sekisho_digests_total{outcome="sent"} 1`,
		`sekisho_digest_link_actions_total{action="release",outcome="done"} 1`,
		`sekisho_digest_link_actions_total{action="release",outcome="used"} 1`,
		`sekisho_digest_link_actions_total{action="release",outcome="refused"} 1`,
		`sekisho_digest_link_actions_total{action="delete",outcome="done"} 1`,
		`sekisho_digest_link_actions_total{action="session",outcome="done"} 2`,
		`sekisho_digest_link_actions_total{action="session",outcome="expired"} 1`,
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestReleaseAllowLink: "release and allow" adds alice's allow entry for
// the sender, and the policy then delivers the sender's spam to her.
func TestReleaseAllowLink(t *testing.T) {
	c := newSelfConsole(t)
	ctx := context.Background()
	id := c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "alice@example.jp")
	if _, err := c.ds.Run(ctx, false); err != nil {
		t.Fatal(err)
	}
	_, links := digestLinks(t, c.sink.WaitFor(t, "Auto-Submitted: auto-generated", 10*time.Second).Data)
	var ra string
	for _, l := range links {
		if linkClaims(t, l).Action == digest.ActReleaseAllow {
			ra = strings.TrimPrefix(l, c.srv.URL)
		}
	}
	if ra == "" {
		t.Fatalf("no release-allow link in %v", links)
	}
	cl := c.client()
	if resp, body := cl.post(ra, url.Values{}, map[string]string{"Origin": c.srv.URL}); resp.StatusCode != 200 {
		t.Fatalf("release-allow: %d\n%s", resp.StatusCode, body)
	}
	m, _ := c.st.Message(ctx, id, false)
	es := c.ls.Entries([]string{"alice@example.jp"})
	if len(es) != 1 || es[0].Kind != lists.Allow || es[0].Value != strings.ToLower(m.FromAddr) {
		t.Fatalf("entries %+v (sender %s)", es, m.FromAddr)
	}
	if log, _ := c.st.Accounts().AuditLog(ctx, id, 10); len(log) == 0 {
		t.Fatal("no audit entry")
	}
}

// TestSelfServiceIsolation: a recipient account acts only on its own
// held mail and its own lists: bulk actions skip other recipients'
// messages, learning is for administrators, list entries for another
// address are refused, and the reports page shows only its own reports.
func TestSelfServiceIsolation(t *testing.T) {
	c := newSelfConsole(t)
	ctx := context.Background()
	if err := c.st.Accounts().CreateUser(ctx, "bob", "recipient", "bob-pw-123456", []string{"bob@example.jp"}); err != nil {
		t.Fatal(err)
	}
	alice := c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "alice@example.jp")
	bob := c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "bob@example.jp")
	cl := c.client()
	if resp := cl.login("bob", "bob-pw-123456"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, page := cl.get("/quarantine")
	if strings.Contains(page, alice) || !strings.Contains(page, bob) {
		t.Fatalf("bob's quarantine list shows alice's message or not his own")
	}
	csrf := csrfOf(t, page)
	resp, _ := cl.post("/bulk", url.Values{"csrf": {csrf}, "bulk": {"delete"}, "id": {alice, bob}, "back": {"/quarantine"}}, nil)
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "err=bulk_partial") {
		t.Fatalf("bulk delete redirect %q", loc)
	}
	if _, err := c.st.Message(ctx, alice, false); err != nil {
		t.Fatal("bob deleted alice's message")
	}
	if _, err := c.st.Message(ctx, bob, false); err == nil {
		t.Fatal("bob's own message was not deleted")
	}
	if resp, _ := cl.post("/bulk", url.Values{"csrf": {csrf}, "bulk": {"spam"}, "id": {alice}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("recipient bulk learn: %d", resp.StatusCode)
	}
	if resp, _ := cl.post("/lists", url.Values{"csrf": {csrf}, "scope": {"alice@example.jp"}, "kind": {"allow"}, "value": {"evil.example"}}, nil); !strings.Contains(resp.Header.Get("Location"), "err=forbidden") {
		t.Fatalf("list entry for alice: %s", resp.Header.Get("Location"))
	}
	if resp, _ := cl.post("/lists", url.Values{"csrf": {csrf}, "scope": {"bob@example.jp"}, "kind": {"block"}, "value": {"spam.example"}}, nil); !strings.Contains(resp.Header.Get("Location"), "ok=list_added") {
		t.Fatalf("list entry for bob: %s", resp.Header.Get("Location"))
	}
	if _, err := c.ls.Add(ctx, "alice@example.jp", lists.Allow, "partner.example", "admin"); err != nil {
		t.Fatal(err)
	}
	_, page = cl.get("/lists")
	if strings.Contains(page, `data-value="partner.example"`) || !strings.Contains(page, `data-value="spam.example"`) {
		t.Fatal("bob's lists page shows alice's entries or not his own")
	}
	if resp, _ := cl.post("/lists/delete", url.Values{"csrf": {csrf}, "scope": {"alice@example.jp"}, "kind": {"allow"}, "value": {"partner.example"}}, nil); !strings.Contains(resp.Header.Get("Location"), "err=forbidden") {
		t.Fatalf("removing alice's entry: %s", resp.Header.Get("Location"))
	}
	// Reports: bob sees his own only; the audit page is for administrators.
	if _, err := c.rs.Submit(ctx, alice, "alice@example.jp", "en"); err != nil {
		t.Fatal(err)
	}
	_, page = cl.get("/reports")
	if strings.Contains(page, "alice@example.jp") {
		t.Fatal("bob sees alice's report")
	}
	if resp, _ := cl.get("/audit"); resp.StatusCode == http.StatusOK {
		t.Fatal("a recipient reads the audit log")
	}
	// Switching the console's language is remembered for bob's address
	// (digests and report answers use it).
	if l := c.ds.Pref(ctx, "bob@example.jp"); l != "" {
		t.Fatalf("preference before switching: %q", l)
	}
	cl.get("/lang/ja?next=/quarantine")
	if l := c.ds.Pref(ctx, "bob@example.jp"); l != "ja" {
		t.Fatalf("preference after switching: %q", l)
	}
	if l := c.ds.Lang(ctx, "alice@example.jp"); l != "en" {
		t.Fatalf("alice's default language: %q", l)
	}
	// A report of another recipient's message is refused.
	if resp, _ := cl.post("/message/"+alice+"/report", url.Values{"csrf": {csrf}}, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("report of alice's message: %d", resp.StatusCode)
	}
}

// TestSortColumns: the list's column headers sort by score, sender and
// subject both ways; an unknown order falls back to newest first.
func TestSortColumns(t *testing.T) {
	c := newSelfConsole(t)
	ctx := context.Background()
	a := c.hold(fixture(t, "phish-o365.eml", "http://127.0.0.1:9"), "alice@example.jp")
	b := c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "alice@example.jp")
	ma, _ := c.st.Message(ctx, a, false)
	mb, _ := c.st.Message(ctx, b, false)
	if ma.Score == mb.Score {
		t.Skip("fixtures score the same")
	}
	low, high := a, b
	if ma.Score > mb.Score {
		low, high = b, a
	}
	cl := c.client()
	cl.login("admin", c.password)
	order := func(q string) (string, string) {
		t.Helper()
		_, page := cl.get("/quarantine?" + q)
		ia, ib := strings.Index(page, "/message/"+low), strings.Index(page, "/message/"+high)
		if ia < 0 || ib < 0 {
			t.Fatalf("%s: messages missing", q)
		}
		if ia < ib {
			return low, high
		}
		return high, low
	}
	if first, _ := order("sort=score"); first != low {
		t.Error("sort=score: highest first")
	}
	if first, _ := order("sort=-score"); first != high {
		t.Error("sort=-score: lowest first")
	}
	if first, _ := order("sort=drop+table"); first != b {
		t.Error("unknown sort: not newest first")
	}
	_, page := cl.get("/quarantine?sort=-score&subject=")
	if !strings.Contains(page, `id="sort-score"`) || !strings.Contains(page, "sort=score") {
		t.Error("score header does not toggle to ascending")
	}
}

// TestDigestSchedule: the service sends digests by itself every
// digest.interval (serve starts it when [digest] enabled = true).
func TestDigestSchedule(t *testing.T) {
	c := newSelfConsole(t)
	c.cfg.Digest.Interval.Duration = 2 * time.Second
	c.ds.Start()
	defer c.ds.Close()
	// Held after the start: the first run looks one interval back.
	c.hold(fixture(t, "phish-kagoya-ja.eml", ""), "alice@example.jp")
	m := c.sink.WaitFor(t, "Auto-Submitted: auto-generated", 20*time.Second)
	if len(m.Rcpts) != 1 || m.Rcpts[0] != "alice@example.jp" {
		t.Fatalf("scheduled digest to %v", m.Rcpts)
	}
}
