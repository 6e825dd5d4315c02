// Package bayes is sekisho's learning statistical classifier (BAYES_).
//
// Messages are turned into features by package tokenize (words of the
// subject and visible text — Japanese segmented by a morphological
// analyser —, orthogonal sparse bigrams, URL hosts and paths, header facts,
// attachment names and types). The store (package store: one file, or
// Redis) counts, per feature, the spam and ham messages that contained it.
// A new message's features are combined with Robinson's per-feature
// probability and Fisher's chi-square rule (see classify.go); the result
// is reported as BAYES_SPAM or BAYES_HAM with a factor that grows with the
// confidence, and the most telling features as evidence.
//
// The features are hashed with the store's hash scheme (scheme 1 for
// every store made before scheme 2, scheme 2 for a new one: see package
// tokenize and bayesstore.SchemeText), read from the store at every
// tokenization, so a store replaced under a File (and reloaded) or a
// Redis store opened after a reload is tokenized for as it was made.
package bayes

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

// Symbols.
const (
	SymSpam = "BAYES_SPAM"
	SymHam  = "BAYES_HAM"
)

// Weights (the policy's weight table may override them). The factor
// reported with each symbol is in (0, 1] and grows with the margin of the
// chi-square combination, so the score scales with confidence.
const (
	weightSpam = 12.0
	weightHam  = -6.0
)

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: SymSpam, Weight: weightSpam, Category: pipeline.CategorySpam, Group: "bayes",
			EN: "The learning classifier finds this message's words and features typical of spam learned here (score scales with its confidence).",
			JA: "学習型分類器が、このメッセージの単語や特徴をこれまで学習した迷惑メールに典型的だと判断しました(スコアは確信度に比例)。"},
		pipeline.SymbolDef{Name: SymHam, Weight: weightHam, Category: pipeline.CategoryClean, Group: "bayes",
			EN: "The learning classifier finds this message typical of legitimate mail learned here (score scales with its confidence).",
			JA: "学習型分類器が、このメッセージをこれまで学習した正常なメールに典型的だと判断しました(スコアは確信度に比例)。"},
	)
}

// Classifier is the BAYES_ analyzer. It learns (pipeline.Learner) and
// holds a store (pipeline.Closer).
type Classifier struct {
	st        bayesstore.Store
	schemer   bayesstore.Schemer // st's, nil if it records none (scheme 1)
	params    Params
	minLearns uint64
	per       string
	topt      tokenize.Options
	log       *slog.Logger
	auto      *autolearn // nil unless [bayes] autolearn

	bmu       sync.Mutex
	batch     []batchMsg // non-nil between BeginBatch and EndBatch
	batchKeys int

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

var (
	_ pipeline.Analyzer  = (*Classifier)(nil)
	_ pipeline.Learner   = (*Classifier)(nil)
	_ pipeline.Closer    = (*Classifier)(nil)
	_ pipeline.Forgetter = (*Classifier)(nil)
	_ pipeline.Observer  = (*Classifier)(nil)
)

// New builds the classifier (learning from verdicts when autolearn is on).
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	bc := cfg.Bayes
	if !bc.Enabled {
		return nil, nil
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var st bayesstore.Store
	switch bc.Backend {
	case "redis":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := openRedis(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("bayes: %w", err)
		}
		st = r
	default:
		path := bc.File
		if path == "" {
			path = "bayes.db"
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(deps.DataDir, path)
		}
		f, err := bayesstore.OpenFile(path)
		if err != nil {
			return nil, fmt.Errorf("bayes: %w", err)
		}
		f.MaxFeatures = bc.MaxFeatures
		st = f
	}
	c := NewClassifier(st, Options{MinLearns: bc.MinLearns, Per: bc.Per, NoBigrams: !bc.Bigrams, CharGrams: bc.CharGrams, Logger: log})
	if iv := bc.SyncInterval.Duration; iv > 0 && bc.Backend != "redis" {
		c.wg.Add(1)
		go c.syncLoop(iv)
	}
	if bc.Autolearn {
		c.SetAutolearn(bc.AutolearnSpamScore, bc.AutolearnHamScore)
	}
	return []pipeline.Analyzer{c}, nil
}

// Options configure a Classifier built directly (tests, tools).
type Options struct {
	MinLearns int
	Per       string
	NoBigrams bool
	CharGrams int
	Params    *Params
	Logger    *slog.Logger
}

// NewClassifier wraps a bayesstore.
func NewClassifier(st bayesstore.Store, o Options) *Classifier {
	c := &Classifier{st: st, params: DefaultParams, minLearns: uint64(max(o.MinLearns, 1)), per: o.Per,
		topt: tokenize.Options{NoBigrams: o.NoBigrams, CharGrams: o.CharGrams}, log: o.Logger, stop: make(chan struct{})}
	if o.Params != nil {
		c.params = *o.Params
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.schemer, _ = st.(bayesstore.Schemer)
	return c
}

// Scheme is the hash scheme of the store (tokenize.SchemeText or
// SchemePairMix): LearnKeys and ScoreKeys take keys of this scheme.
func (c *Classifier) Scheme() int {
	if c.schemer == nil {
		return bayesstore.SchemeText
	}
	return c.schemer.Scheme()
}

// opts are the tokenizer's options for the store's scheme now.
func (c *Classifier) opts() tokenize.Options {
	o := c.topt
	o.Scheme = c.Scheme()
	return o
}

// Store returns the classifier's bayesstore.
func (c *Classifier) Store() bayesstore.Store { return c.st }

func (c *Classifier) syncLoop(iv time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if err := c.st.Sync(context.Background()); err != nil {
				c.log.Warn("bayes: store sync failed", "err", err)
			}
		}
	}
}

// Name implements pipeline.Analyzer.
func (c *Classifier) Name() string { return "bayes" }

// Close implements pipeline.Closer: the store is synced and closed.
func (c *Classifier) Close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		c.wg.Wait()
		err = c.st.Close()
	})
	return err
}

// classes returns the learning classes for a message: the global one and,
// with per-domain or per-user learning, the recipient's.
func (c *Classifier) classes(t *pipeline.Task) []string {
	if c.per == "" {
		return globalOnly
	}
	out := []string{""}
	rcpt := ""
	if len(t.Env.Rcpts) > 0 {
		rcpt = t.Env.Rcpts[0]
	} else if t.Msg != nil && len(t.Msg.To) > 0 {
		rcpt = t.Msg.To[0].Addr
	}
	rcpt = strings.ToLower(strings.Trim(rcpt, "<> "))
	if rcpt == "" {
		return out
	}
	switch c.per {
	case "domain":
		if i := strings.LastIndexByte(rcpt, '@'); i >= 0 {
			rcpt = rcpt[i+1:]
		}
		out = append(out, "d:"+rcpt)
	case "user":
		out = append(out, "u:"+rcpt)
	}
	return out
}

// globalOnly is classes' answer without per-domain or per-user learning
// (shared: its users only read it).
var globalOnly = []string{""}

const tokensKey = "bayes.tokens"

// tokenize and bayesstore number the hash schemes alike (neither imports
// the other): a difference fails to compile here (a negative constant
// converted to uint).
const (
	_ = uint(tokenize.SchemeText-bayesstore.SchemeText) + uint(bayesstore.SchemeText-tokenize.SchemeText)
	_ = uint(tokenize.SchemePairMix-bayesstore.SchemePairMix) + uint(bayesstore.SchemePairMix-tokenize.SchemePairMix)
)

// tokens tokenizes the task's message once per task (again if the
// store's scheme changed since).
func (c *Classifier) tokens(t *pipeline.Task) *tokenize.Tokens {
	o := c.opts()
	if v, ok := t.Get(tokensKey); ok {
		if tk, ok := v.(*tokenize.Tokens); ok && tk.Scheme() == o.Scheme {
			return tk
		}
	}
	tk := tokenize.Message(t.Msg, t.URLs(), o)
	t.Set(tokensKey, tk)
	return tk
}

// scanTokens returns the task's features for a scan: the task's own when
// it has them; with autolearn on, tokenized and kept on the task (Observe
// learns them after the verdict); otherwise tokenized into the scratch
// (nothing reads them after the scan: Learn and Forget get tasks of
// their own), valid until sc is released.
func (c *Classifier) scanTokens(t *pipeline.Task, sc *scratch) *tokenize.Tokens {
	o := c.opts()
	if v, ok := t.Get(tokensKey); ok {
		if tk, ok := v.(*tokenize.Tokens); ok && tk.Scheme() == o.Scheme {
			return tk
		}
	}
	if c.auto != nil {
		tk := tokenize.Message(t.Msg, t.URLs(), o)
		t.Set(tokensKey, tk)
		return tk
	}
	tokenize.MessageTo(&sc.tk, t.Msg, t.URLs(), o)
	return &sc.tk
}

// scratch holds a classification's buffers: the counts, the evidence,
// the tokens (when they are not kept on the task) and the options' bytes.
// Pooled: what a scan hands out of it is copied.
type scratch struct {
	counts []bayesstore.Counts
	used   []Evidence
	tk     tokenize.Tokens
	buf    []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledItems: larger buffers are dropped when the scratch goes back
// to the pool (a huge message must not pin them).
const maxPooledItems = 1 << 16

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func (s *scratch) release() {
	s.tk.Reset()
	if cap(s.counts) > maxPooledItems {
		s.counts = nil
	}
	if cap(s.buf) > maxPooledItems {
		s.buf = nil
	}
	scratchPool.Put(s)
}

// fill returns the features' hashes (the tokens', not copied: the store
// and decide only read them) and as many zeroed counts.
func (s *scratch) fill(tk *tokenize.Tokens) ([]uint64, []bayesstore.Counts) {
	n := tk.Len()
	s.counts = slices.Grow(s.counts[:0], n)[:n]
	clear(s.counts)
	return tk.Keys(), s.counts
}

// Result is a classification with its explanation.
type Result struct {
	Class    string
	Voted    bool // false when the class has not learned enough
	Totals   bayesstore.Totals
	Decision Decision
	Top      []string // most telling features, "text(p)"
	// Known is the share of the message's features the store has seen at
	// least twice: low for mail in a language or vocabulary the classifier
	// was never taught, whose verdict then rests on a few generic tokens.
	Known float64
}

// topN is how many of the most telling features a Result shows.
const topN = 8

// maxHitOptions is how many options pipeline.Task.AddScaled keeps of a
// new hit (TestMaxHitOptions holds the two to each other).
const maxHitOptions = 10

// Classify scores a task's message without reporting.
func (c *Classifier) Classify(ctx context.Context, t *pipeline.Task) (Result, error) {
	sc := getScratch()
	defer sc.release()
	res, tk, err := c.classify(ctx, t, sc)
	if err != nil || !res.Voted || tk.Len() == 0 {
		return res, err
	}
	if n := min(len(res.Decision.Used), topN); n > 0 {
		res.Top = make([]string, n)
		for i, e := range res.Decision.Used[:n] {
			sc.buf = appendTop(sc.buf[:0], tk, e)
			res.Top[i] = string(sc.buf)
		}
	}
	if res.Decision.Used != nil {
		res.Decision.Used = slices.Clone(res.Decision.Used)
	}
	return res, nil
}

// appendTop appends evidence e as Result.Top shows it: "text(p)" (a
// scheme-2 body pair's text made here from its words, as appendReadable
// shows scheme 1's).
func appendTop(dst []byte, tk *tokenize.Tokens, e Evidence) []byte {
	if a, w, d, ok := tk.Pair(e.Index); ok {
		dst = appendPair(dst, a, string(rune('0'+d)), w)
	} else {
		dst = appendReadable(dst, tk.Text(e.Index))
	}
	dst = append(dst, '(')
	dst = strconv.AppendFloat(dst, e.Prob, 'f', 3, 64)
	return append(dst, ')')
}

// classify is Classify without Top; the result's Decision.Used and the
// tokens returned are sc's (valid until sc is released).
func (c *Classifier) classify(ctx context.Context, t *pipeline.Task, sc *scratch) (Result, *tokenize.Tokens, error) {
	tk := c.scanTokens(t, sc)
	classes := c.classes(t)
	// The most specific class that has learned enough votes.
	var res Result
	var keys []uint64
	var counts []bayesstore.Counts
	fetched := ""
	if f, ok := c.st.(bayesstore.Fetcher); ok && tk.Len() > 0 {
		// One call for the totals of every class and the counts in the
		// most specific one, which votes unless it has not learned
		// enough yet.
		keys, counts = sc.fill(tk)
		fetched = classes[len(classes)-1]
		tots, err := f.Fetch(ctx, classes, fetched, keys, counts)
		if err != nil {
			return res, tk, fmt.Errorf("bayes: %w: %w", pipeline.ErrTemporary, err)
		}
		for i := len(classes) - 1; i >= 0; i-- {
			res.Class, res.Totals = classes[i], tots[i]
			if tots[i].Spam >= c.minLearns && tots[i].Ham >= c.minLearns {
				res.Voted = true
				break
			}
		}
	} else {
		for i := len(classes) - 1; i >= 0; i-- {
			tot, err := c.st.Totals(ctx, classes[i])
			if err != nil {
				return res, tk, fmt.Errorf("bayes: %w: %w", pipeline.ErrTemporary, err)
			}
			res.Class, res.Totals = classes[i], tot
			if tot.Spam >= c.minLearns && tot.Ham >= c.minLearns {
				res.Voted = true
				break
			}
		}
	}
	if !res.Voted || tk.Len() == 0 {
		return res, tk, nil
	}
	if counts == nil || fetched != res.Class {
		keys, counts = sc.fill(tk)
		if err := c.st.Lookup(ctx, res.Class, keys, counts); err != nil {
			return res, tk, fmt.Errorf("bayes: %w: %w", pipeline.ErrTemporary, err)
		}
	}
	var known int
	res.Decision, known = decideKnown(counts, keys, res.Totals, c.params, sc.used[:0])
	if res.Decision.Used != nil {
		sc.used = res.Decision.Used[:0]
	}
	res.Known = float64(known) / float64(len(counts))
	return res, tk, nil
}

// appendReadable appends readable(s).
func appendReadable(dst []byte, s string) []byte {
	i := strings.IndexByte(s, 0x1f)
	if i < 0 {
		return append(dst, s...)
	}
	if j := strings.IndexByte(s[i+1:], 0x1f); j >= 0 && strings.IndexByte(s[i+1+j+1:], 0x1f) < 0 {
		return appendPair(dst, s[:i], s[i+1:i+1+j], s[i+1+j+1:])
	}
	for k := 0; k < len(s); k++ {
		if s[k] == 0x1f {
			dst = append(dst, ' ')
		} else {
			dst = append(dst, s[k])
		}
	}
	return dst
}

// appendPair appends the pair (a, d, w), text a+"\x1f"+d+"\x1f"+w,
// readable: "a w" at distance 1, else "a …d… w".
func appendPair(dst []byte, a, d, w string) []byte {
	dst = append(dst, a...)
	if d == "1" {
		dst = append(dst, ' ')
	} else {
		dst = append(dst, " …"...)
		dst = append(dst, d...)
		dst = append(dst, "… "...)
	}
	return append(dst, w...)
}

// readable makes a feature printable: bigram separators become "…N…".
func readable(s string) string {
	if !strings.Contains(s, "\x1f") {
		return s
	}
	p := strings.Split(s, "\x1f")
	if len(p) == 3 {
		if p[1] == "1" {
			return p[0] + " " + p[2]
		}
		return p[0] + " …" + p[1] + "… " + p[2]
	}
	return strings.ReplaceAll(s, "\x1f", " ")
}

// Factor maps the combined margin (the linear layer's output, fitted to
// ±1 at the hinge, plus a little of the chi-square margin) to a symbol
// factor in (0, 1]: logarithmic in the margin's size, so weak evidence gets
// a small score and the factor keeps rising (keeping strong cases ranked,
// good for ROC) until it reaches 1. For spam a margin of 1 gives 0.23 (2.7
// points), 2.6 gives 0.42 (5 points: the tag threshold on its own), 20
// gives 1; for ham the curve rises sooner (knee 0.5, full at 30).
func Factor(margin float64) float64 {
	if margin >= 0 {
		return curve(margin, spamKnee, spamFull)
	}
	return curve(-margin, hamKnee, hamFull)
}

func curve(m, knee, full float64) float64 {
	return math.Min(1, math.Log1p(m/knee)/math.Log1p(full/knee))
}

// Shapes of the factor curves: chosen with the other analyzers' symbols on,
// from two-fold cross-validation on the training half of the SpamAssassin
// corpus and the trained eval (docs/bayes.md), so that the tag threshold
// sits where the classifier's false positives stay at or below 0.1 %.
const (
	spamKnee, spamFull = 1.0, 20.0
	hamKnee, hamFull   = 0.5, 30.0
)

// minMargin: below it (either way) the classifier stays silent.
const minMargin = 0.0

// Analyze implements pipeline.Analyzer.
func (c *Classifier) Analyze(ctx context.Context, t *pipeline.Task) error {
	sc := getScratch()
	defer sc.release()
	res, tk, err := c.classify(ctx, t, sc)
	if err != nil {
		return err
	}
	if !res.Voted {
		return nil
	}
	d := res.Decision
	if math.Abs(d.Margin) < minMargin || d.Margin == 0 {
		return nil
	}
	// The options are written one after the other into one buffer, made
	// one string and cut into the options (one allocation for all).
	var ends [6 + topN]int
	n := 0
	b := sc.buf[:0]
	opt := func(name string, v float64, prec int) {
		b = strconv.AppendFloat(append(b, name...), v, 'f', prec, 64)
		ends[n] = len(b)
		n++
	}
	opt("p=", 1/(1+math.Exp(-d.Margin)), 4)
	opt("margin=", d.Margin, 2)
	opt("chi2=", d.Prob, 4)
	opt("linear=", d.Linear, 2)
	opt("known=", res.Known, 2)
	if res.Class != "" {
		b = append(append(b, "class="...), res.Class...)
		ends[n] = len(b)
		n++
	}
	sym := SymHam
	if d.Margin > 0 {
		sym = SymSpam
	}
	// A new hit keeps its first maxHitOptions options (pipeline's
	// AddScaled): the top features past them are not formatted. (A hit
	// already there merges the options it does not have: then all are.)
	nTop := min(len(d.Used), topN)
	if nTop > maxHitOptions-n && !t.Has(sym) {
		nTop = max(maxHitOptions-n, 0)
	}
	for _, e := range d.Used[:nTop] {
		b = appendTop(b, tk, e)
		ends[n] = len(b)
		n++
	}
	sc.buf = b
	all := string(b)
	var opts [len(ends)]string
	lo := 0
	for i, e := range ends[:n] {
		opts[i] = all[lo:e]
		lo = e
	}
	t.AddScaled(sym, Factor(d.Margin), opts[:n]...)
	return nil
}

// Digest identifies a message for relearning: its Message-ID, subject,
// visible text and attachment contents.
func Digest(class string, m *mail.Message) bayesstore.Digest {
	if m == nil {
		return bayesstore.MakeDigest(class)
	}
	h := sha256.New()
	for _, a := range m.Attachments {
		h.Write(a.Body)
		h.Write([]byte{0})
	}
	return bayesstore.MakeDigest(class, []byte(m.MessageID), []byte(m.Subject), []byte(m.Text), h.Sum(nil))
}

// ErrNoFeatures means a message had nothing to learn from.
var ErrNoFeatures = errors.New("bayes: message has no features to learn")

// Learn implements pipeline.Learner.
func (c *Classifier) Learn(ctx context.Context, t *pipeline.Task, spam bool) error {
	_, err := c.LearnOutcome(ctx, t, spam)
	return err
}

// LearnOutcome learns and tells what happened (for the global class).
func (c *Classifier) LearnOutcome(ctx context.Context, t *pipeline.Task, spam bool) (bayesstore.Outcome, error) {
	tk := c.tokens(t)
	if tk.Len() == 0 {
		return 0, ErrNoFeatures
	}
	keys := tk.Hashes()
	var first bayesstore.Outcome
	for i, cl := range c.classes(t) {
		o, err := c.learnKeys(ctx, tk.Scheme(), cl, Digest(cl, t.Msg), keys, spam)
		if err != nil {
			return 0, err
		}
		if i == 0 {
			first = o
		}
	}
	return first, nil
}

// LearnKeys learns a message's features in one class: the counts (and the
// digest) in the store, then the linear layer's step (or, during a batch,
// the message is kept for EndBatch). The keys must be of the store's
// hash scheme (Scheme).
func (c *Classifier) LearnKeys(ctx context.Context, class string, d bayesstore.Digest, keys []uint64, spam bool) (bayesstore.Outcome, error) {
	return c.learnKeys(ctx, c.Scheme(), class, d, keys, spam)
}

// learnKeys is LearnKeys of keys made with the given hash scheme: every
// write to the store checks it against the store's scheme with the write
// (bayesstore.LearnAs), since a store replaced under a File, or an
// emptied Redis database, may have changed it since the keys were made.
func (c *Classifier) learnKeys(ctx context.Context, scheme int, class string, d bayesstore.Digest, keys []uint64, spam bool) (bayesstore.Outcome, error) {
	o, err := bayesstore.LearnAs(ctx, c.st, scheme, class, d, keys, spam)
	if err != nil {
		return 0, fmt.Errorf("bayes: learn: %w", err)
	}
	if o == bayesstore.AlreadyLearned {
		return o, nil
	}
	if c.recordBatch(class, scheme, keys, spam) {
		return o, nil
	}
	if err := c.onlineStep(ctx, scheme, class, keys, spam); err != nil {
		return 0, err
	}
	return o, nil
}

// ScoreKeys classifies features in one class (no minimum applies); the
// keys must be of the store's hash scheme (Scheme).
func (c *Classifier) ScoreKeys(ctx context.Context, class string, keys []uint64) (Decision, error) {
	tot, err := c.st.Totals(ctx, class)
	if err != nil {
		return Decision{}, err
	}
	counts := make([]bayesstore.Counts, len(keys))
	if err := c.st.Lookup(ctx, class, keys, counts); err != nil {
		return Decision{}, err
	}
	return decide(counts, keys, tot, c.params, nil), nil
}

// autolearn holds the [bayes] autolearn thresholds.
type autolearn struct{ spamScore, hamScore float64 }

// SetAutolearn turns autolearn on: live mail whose verdict scores at or
// above spamScore is learned as spam, at or below hamScore as ham.
func (c *Classifier) SetAutolearn(spamScore, hamScore float64) {
	c.auto = &autolearn{spamScore: spamScore, hamScore: hamScore}
}

// Observe implements pipeline.Observer: with autolearn on it learns the
// live inbound mail (pipeline.FlowMail) the other checks are sure about.
// It reads the final verdict's score — the policy's weights, disabled
// symbols left out — without the classifier's own symbols, so it does not
// teach itself; a scan where an analyzer failed or ran out of time
// teaches nothing. An offline scan (scan, eval) never learns here.
func (c *Classifier) Observe(ctx context.Context, r *pipeline.Result) {
	a := c.auto
	if a == nil || r.Env.Flow != pipeline.FlowMail || r.Env.Outbound || r.Msg == nil {
		return
	}
	score := 0.0
	for _, s := range r.Verdict.Symbols {
		if s.Name == pipeline.SymAnalyzerError || s.Name == pipeline.SymAnalyzerTimeout {
			return
		}
		if d, ok := pipeline.Lookup(s.Name); ok && (d.Group == "bayes" || d.Group == "pipeline") {
			continue
		}
		score += s.Score
	}
	var spam bool
	switch {
	case score >= a.spamScore:
		spam = true
	case score <= a.hamScore:
		spam = false
	default:
		return
	}
	t := pipeline.NewTask(r.ID, r.Msg, r.Env, c.log)
	if v, ok := r.Get(tokensKey); ok {
		t.Set(tokensKey, v)
	} else {
		t.Set(tokensKey, tokenize.Message(r.Msg, r.URLs, c.opts()))
	}
	o, err := c.LearnOutcome(ctx, t, spam)
	if err != nil && !errors.Is(err, ErrNoFeatures) {
		c.log.Warn("bayes autolearn failed", "msg_id", r.ID, "err", err)
		return
	}
	c.log.Debug("bayes autolearn", "msg_id", r.ID, "spam", spam, "score", score, "outcome", o.String())
}

// Forget removes a message learned earlier (from every class it was
// learned in): its counts, hence its features' naive-Bayes values. The
// linear weights keep what they learned until the next train. It reports
// whether the global class knew it.
func (c *Classifier) Forget(ctx context.Context, t *pipeline.Task) (bool, error) {
	tk := c.tokens(t)
	keys := tk.Hashes()
	var known bool
	for i, cl := range c.classes(t) {
		ok, err := bayesstore.ForgetAs(ctx, c.st, tk.Scheme(), cl, Digest(cl, t.Msg), keys)
		if err != nil {
			return false, fmt.Errorf("bayes: forget: %w", err)
		}
		if i == 0 {
			known = ok
		}
	}
	return known, nil
}
