// Package outbound tracks what authenticated senders (SASL users) send,
// to catch a compromised account or an infected client spraying mail
// (seed 002: hundreds of free-mail recipients in a burst). Per account it
// keeps sliding-window counts of messages, distinct recipients, recipient
// domains never seen before from that account, the share of recipients at
// free-mail providers, and hourly recipient counts to compare a burst with
// the account's own usual. An account over a limit gets OUTBOUND_ symbols
// (each forces at least quarantine; the front ends turn that into
// quarantine or tempfail per serve.outbound.hold_action), an alert is
// logged, and it is POSTed as JSON to serve.outbound.webhook.
//
// It runs as a late-stage analyzer added by `sekisho serve` (it is not in
// the analyzer registry: a CLI scan of a file must not count as sending).
package outbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/analyzer/header"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/redisconn"
)

// Symbols.
const (
	SymRate        = "OUTBOUND_RATE"
	SymFanout      = "OUTBOUND_RCPT_FANOUT"
	SymNewDomains  = "OUTBOUND_NEW_DOMAINS"
	SymFreemail    = "OUTBOUND_FREEMAIL_SPRAY"
	SymBurst       = "OUTBOUND_BURST"
	maxAccounts    = 100000
	maxRcptTrack   = 20000
	maxDomainsSeen = 5000
	historyHours   = 168
)

func init() {
	d := func(name, en, ja string) pipeline.SymbolDef {
		return pipeline.SymbolDef{Name: name, Weight: 6, Category: pipeline.CategorySpam, Group: "outbound",
			EN: en, JA: ja, MinAction: pipeline.ActionQuarantine, OutboundHold: true}
	}
	pipeline.Register(
		d(SymRate, "This authenticated account sent more messages in the window than allowed: a compromised account or infected client is likely.",
			"この認証済みアカウントの送信通数が上限を超えました。アカウントの乗っ取りや端末の感染が疑われます。"),
		d(SymFanout, "This authenticated account wrote to more distinct recipients in the window than allowed.",
			"この認証済みアカウントの宛先数(重複なし)が上限を超えました。"),
		d(SymNewDomains, "This authenticated account suddenly writes to many recipient domains it never wrote to before.",
			"この認証済みアカウントが、これまで送ったことのない多数のドメインへ急に送信しています。"),
		d(SymFreemail, "Most recipients of this authenticated account are at free-mail providers: the pattern of spam sent through a stolen account.",
			"この認証済みアカウントの宛先の大半がフリーメールです。乗っ取られたアカウントからのスパム送信の典型です。"),
		d(SymBurst, "This authenticated account sends far more than its own usual volume.",
			"この認証済みアカウントが普段の送信量をはるかに超えて送信しています。"),
	)
}

// Alert is what the webhook receives.
type Alert struct {
	Account       string    `json:"account"`
	Symbols       []string  `json:"symbols"`
	Reasons       []string  `json:"reasons"`
	Messages      int       `json:"messages"`
	Recipients    int       `json:"recipients"`
	NewDomains    int       `json:"new_domains"`
	FreemailShare float64   `json:"freemail_share"`
	Usual         float64   `json:"usual_recipients_per_window"`
	Window        string    `json:"window"`
	Action        string    `json:"action"`
	Host          string    `json:"host"`
	ScanID        string    `json:"scan_id"`
	Time          time.Time `json:"time"`
	TextJA        string    `json:"text_ja"`
}

type account struct {
	Msgs       []time.Time          `json:"msgs"`        // message times in the window
	Rcpts      map[string]time.Time `json:"rcpts"`       // recipient → last seen (window)
	Domains    map[string]time.Time `json:"domains"`     // domain → first seen (all time, bounded)
	Hourly     map[int64]int        `json:"hourly"`      // unix hour → recipients
	FirstSeen  time.Time            `json:"first_seen"`  // account first seen
	LastAlert  time.Time            `json:"last_alert"`  // last webhook
	TotalRcpts int64                `json:"total_rcpts"` // lifetime
}

// Tracker keeps the per-account state. Safe for concurrent use.
type Tracker struct {
	cfg    config.ServeOutbound
	host   string
	log    *slog.Logger
	path   string
	client *http.Client

	mu       sync.Mutex
	accounts map[string]*account
	dirty    bool
	now      func() time.Time
	wg       sync.WaitGroup

	rdb     redis.UniversalClient // shared counters ([redis]); nil: in memory
	rprefix string
	stop    chan struct{}
}

// New builds a tracker (nil when disabled). With persist it loads and
// periodically saves data_dir/outbound.json.
func New(cfg *config.Config, log *slog.Logger) (*Tracker, error) {
	oc := cfg.Serve.Outbound
	if !oc.Enabled {
		return nil, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := &Tracker{cfg: oc, host: cfg.General.Hostname, log: log, accounts: map[string]*account{}, now: time.Now,
		client: &http.Client{Timeout: 10 * time.Second}, stop: make(chan struct{})}
	if cfg.Redis.Enabled() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := redisconn.Open(ctx, cfg.Redis)
		if err != nil {
			return nil, fmt.Errorf("outbound: %w", err)
		}
		t.rdb, t.rprefix = c, cfg.Redis.Prefix
		return t, nil
	}
	if oc.Persist {
		t.path = filepath.Join(cfg.General.DataDir, "outbound.json")
		if b, err := os.ReadFile(t.path); err == nil {
			if err := json.Unmarshal(b, &t.accounts); err != nil {
				log.Warn("outbound: state file unreadable, starting afresh", "path", t.path, "err", err)
				t.accounts = map[string]*account{}
			}
		}
		t.wg.Add(1)
		go t.saver()
	}
	return t, nil
}

// SetClock replaces the clock (tests).
func (t *Tracker) SetClock(now func() time.Time) { t.now = now }

func (t *Tracker) saver() {
	defer t.wg.Done()
	tk := time.NewTicker(time.Minute)
	defer tk.Stop()
	for {
		select {
		case <-tk.C:
			t.save()
		case <-t.stop:
			return
		}
	}
}

func (t *Tracker) save() {
	if t.path == "" {
		return
	}
	t.mu.Lock()
	if !t.dirty {
		t.mu.Unlock()
		return
	}
	b, err := json.Marshal(t.accounts)
	t.dirty = false
	t.mu.Unlock()
	if err != nil {
		return
	}
	tmp := t.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err == nil {
		err = os.Rename(tmp, t.path)
		if err != nil {
			t.log.Warn("outbound: save failed", "err", err)
		}
	}
}

// Close saves the state and waits for webhooks in flight.
func (t *Tracker) Close() error {
	select {
	case <-t.stop:
	default:
		close(t.stop)
	}
	t.wg.Wait()
	t.save()
	if t.rdb != nil {
		return t.rdb.Close()
	}
	return nil
}

// CheckContext records one message from account to rcpts and returns the
// breached symbols with their reasons (nil when within limits). Only the
// shared counters (Redis) can fail.
func (t *Tracker) CheckContext(ctx context.Context, acct string, rcpts []string) (syms []string, reasons []string, a Alert, err error) {
	if t.rdb != nil {
		return t.checkRedis(ctx, strings.ToLower(strings.TrimSpace(acct)), rcpts)
	}
	syms, reasons, a = t.Check(acct, rcpts)
	return syms, reasons, a, nil
}

// Check records one message from account to rcpts in memory and returns
// the breached symbols with their reasons (nil when within limits).
func (t *Tracker) Check(acct string, rcpts []string) (syms []string, reasons []string, a Alert) {
	acct = strings.ToLower(strings.TrimSpace(acct))
	now := t.now()
	win := t.cfg.Window.Duration
	if win <= 0 {
		win = time.Hour
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dirty = true
	ac := t.accounts[acct]
	if ac == nil {
		if len(t.accounts) >= maxAccounts {
			t.evict(now, win)
		}
		ac = &account{Rcpts: map[string]time.Time{}, Domains: map[string]time.Time{}, Hourly: map[int64]int{}, FirstSeen: now}
		t.accounts[acct] = ac
	}
	// expire
	cut := now.Add(-win)
	i := 0
	for i < len(ac.Msgs) && ac.Msgs[i].Before(cut) {
		i++
	}
	ac.Msgs = append(ac.Msgs[:0], ac.Msgs[i:]...)
	for r, ts := range ac.Rcpts {
		if ts.Before(cut) {
			delete(ac.Rcpts, r)
		}
	}
	hour := now.Unix() / 3600
	for h := range ac.Hourly {
		if h < hour-historyHours {
			delete(ac.Hourly, h)
		}
	}
	// history before this message: usual recipients per window
	usual := t.usual(ac, now, win)
	// record
	ac.Msgs = append(ac.Msgs, now)
	if len(ac.Msgs) > 100000 {
		ac.Msgs = ac.Msgs[len(ac.Msgs)-100000:]
	}
	for _, r := range rcpts {
		r = strings.ToLower(strings.Trim(strings.TrimSpace(r), "<>"))
		if r == "" {
			continue
		}
		if _, ok := ac.Rcpts[r]; ok || len(ac.Rcpts) < maxRcptTrack {
			ac.Rcpts[r] = now
		}
		ac.Hourly[hour]++
		ac.TotalRcpts++
		if d := domainOf(r); d != "" {
			if _, ok := ac.Domains[d]; !ok && len(ac.Domains) < maxDomainsSeen {
				ac.Domains[d] = now
			}
		}
	}
	// measure
	nr := len(ac.Rcpts)
	free, newDom := 0, map[string]bool{}
	accountOld := now.Sub(ac.FirstSeen) > win
	for r := range ac.Rcpts {
		d := domainOf(r)
		if header.IsFreemail(d) {
			free++
		}
		if fs, ok := ac.Domains[d]; ok && !fs.Before(cut) && accountOld {
			newDom[d] = true
		}
	}
	return t.judge(acct, now, win, len(ac.Msgs), nr, free, len(newDom), usual)
}

// judge compares one account's measures in the window with the limits
// (both back ends: memory and Redis).
func (t *Tracker) judge(acct string, now time.Time, win time.Duration, msgs, nr, free, newDoms int, usual float64) (syms []string, reasons []string, a Alert) {
	share := 0.0
	if nr > 0 {
		share = float64(free) / float64(nr)
	}
	a = Alert{Account: acct, Messages: msgs, Recipients: nr, NewDomains: newDoms, FreemailShare: share,
		Usual: usual, Window: win.String(), Host: t.host, Time: now}
	c := t.cfg
	if c.MaxMessages > 0 && msgs > c.MaxMessages {
		syms = append(syms, SymRate)
		reasons = append(reasons, fmt.Sprintf("%d messages in %s (limit %d)", msgs, win, c.MaxMessages))
	}
	if c.MaxRecipients > 0 && nr > c.MaxRecipients {
		syms = append(syms, SymFanout)
		reasons = append(reasons, fmt.Sprintf("%d distinct recipients in %s (limit %d)", nr, win, c.MaxRecipients))
	}
	if c.MaxNewDomains > 0 && newDoms > c.MaxNewDomains {
		syms = append(syms, SymNewDomains)
		reasons = append(reasons, fmt.Sprintf("%d new recipient domains in %s (limit %d)", newDoms, win, c.MaxNewDomains))
	}
	if c.FreemailMinRecipients > 0 && nr >= c.FreemailMinRecipients && share > c.FreemailShare {
		syms = append(syms, SymFreemail)
		reasons = append(reasons, fmt.Sprintf("%.0f%% of %d recipients at free-mail providers (limit %.0f%%)", share*100, nr, c.FreemailShare*100))
	}
	if c.BurstFactor > 0 && usual > 0 && nr >= c.BurstMinRecipients && float64(nr) > c.BurstFactor*usual {
		syms = append(syms, SymBurst)
		reasons = append(reasons, fmt.Sprintf("%d recipients in %s, %.0fx the account's usual %.1f", nr, win, float64(nr)/usual, usual))
	}
	a.Symbols, a.Reasons = syms, reasons
	return syms, reasons, a
}

// usual is the account's average recipients per window over its history
// before the current window (0 when it has less than a day of history).
func (t *Tracker) usual(ac *account, now time.Time, win time.Duration) float64 {
	winStart := now.Add(-win).Unix() / 3600
	var sum int
	for h, n := range ac.Hourly {
		if h < winStart {
			sum += n
		}
	}
	return usualPer(sum, now.Sub(ac.FirstSeen), win)
}

// usualPer turns the recipients counted before the window (sum) over the
// account's age into recipients per window.
func usualPer(sum int, age, win time.Duration) float64 {
	if age < 24*time.Hour {
		return 0
	}
	hours := age.Hours() - win.Hours()
	if hours > historyHours {
		hours = historyHours
	}
	if hours < 1 {
		return 0
	}
	per := float64(sum) / hours * win.Hours()
	if per < 1 {
		per = 1
	}
	return per
}

func (t *Tracker) evict(now time.Time, win time.Duration) {
	type kv struct {
		k string
		t time.Time
	}
	var all []kv
	for k, a := range t.accounts {
		last := a.FirstSeen
		if n := len(a.Msgs); n > 0 {
			last = a.Msgs[n-1]
		}
		all = append(all, kv{k, last})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
	for _, e := range all[:len(all)/10+1] {
		delete(t.accounts, e.k)
	}
}

// ShouldAlert reports (once per window per account) whether to alert.
func (t *Tracker) shouldAlert(acct string) bool {
	if t.rdb != nil {
		return t.shouldAlertRedis(acct)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ac := t.accounts[strings.ToLower(acct)]
	if ac == nil {
		return false
	}
	now := t.now()
	if now.Sub(ac.LastAlert) < t.cfg.Window.Duration {
		return false
	}
	ac.LastAlert = now
	return true
}

// Notify logs the alert and POSTs it to the webhook (asynchronously).
func (t *Tracker) Notify(a Alert) {
	if !t.shouldAlert(a.Account) {
		return
	}
	a.TextJA = fmt.Sprintf("送信アカウント %s を保留しました: %s", a.Account, strings.Join(a.Reasons, "; "))
	t.log.Warn("outbound abuse: account held", "account", a.Account, "symbols", strings.Join(a.Symbols, ","),
		"reasons", strings.Join(a.Reasons, "; "), "msg_id", a.ScanID, "action", a.Action)
	if t.cfg.Webhook == "" {
		return
	}
	b, _ := json.Marshal(a)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.cfg.Webhook, bytes.NewReader(b))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := t.client.Do(req)
		if err != nil {
			// The URL may carry a token: log only its scheme and host.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			t.log.Error("outbound: webhook failed", "webhook", redactURL(t.cfg.Webhook), "err", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.log.Error("outbound: webhook refused", "webhook", redactURL(t.cfg.Webhook), "status", resp.StatusCode)
		}
	}()
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(addr[i+1:], ".")
}

// Factory is the registry's factory (engine.Registered): the analyzer over
// a tracker from New, none when [serve.outbound] is disabled. It reports
// only for authenticated senders, so offline scans find nothing here.
func Factory(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	t, err := New(cfg, deps.Logger)
	if err != nil || t == nil {
		return nil, err
	}
	return []pipeline.Analyzer{&Analyzer{T: t}}, nil
}

// Analyzer runs the tracker inside the scan.
type Analyzer struct{ T *Tracker }

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Staged   = (*Analyzer)(nil)
	_ pipeline.Closer   = (*Analyzer)(nil)
)

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "outbound" }

// Stage implements pipeline.Staged.
func (a *Analyzer) Stage() pipeline.Stage { return pipeline.StageLate }

// Analyze implements pipeline.Analyzer: only authenticated senders count.
func (a *Analyzer) Analyze(ctx context.Context, task *pipeline.Task) error {
	if a.T == nil || task.Env.AuthUser == "" {
		return nil
	}
	syms, reasons, al, err := a.T.CheckContext(ctx, task.Env.AuthUser, task.Env.Rcpts)
	if err != nil {
		// The shared counters are unreachable: the sender's volume is
		// unknown, so the message waits (the client retries) rather than
		// passing unchecked.
		task.Tempfail("outbound counters unavailable")
		return fmt.Errorf("%w: %w", pipeline.ErrTemporary, err)
	}
	for i, s := range syms {
		task.Add(s, reasons[i])
	}
	if len(syms) > 0 {
		al.ScanID = task.ID
		al.Action = a.T.cfg.HoldAction
		a.T.Notify(al)
	}
	return nil
}

// Close implements pipeline.Closer.
func (a *Analyzer) Close() error {
	if a.T == nil {
		return nil
	}
	return a.T.Close()
}

// redactURL keeps a webhook URL's scheme and host for logs: its path,
// query and user info may carry a token.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(webhook)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
