// Package engine runs the scan: parse once, run the analyzers stage by
// stage (concurrently within a stage on reused worker goroutines, each
// isolated with recover and the stage's deadline), then ask the policy
// for a verdict.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/policy"
)

// Factory builds a package's analyzers from the configuration. It returns
// none when the feature is disabled.
type Factory func(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error)

// ObserverFactory builds what learns from the final verdict outside the
// analyzers (internal/observe). It returns none when the feature is
// disabled. An observer may also be a pipeline.Learner ('learn'), a
// pipeline.Forgetter and a pipeline.Closer.
type ObserverFactory func(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Observer, error)

// Engine scans messages. It is safe for concurrent use.
type Engine struct {
	log  *slog.Logger
	hold policy.OutboundHold // outbound counters survive reloads
	opt  Options
	cur  atomic.Pointer[gen] // what Reload replaces
	// workersStarted counts the analyzer workers started (submit), for
	// the tests that hold scans to reusing them.
	workersStarted atomic.Int64
	rmu            sync.Mutex // one Reload at a time

	obsMu     sync.RWMutex
	observers []func(*pipeline.Result)

	idPrefix string
	idSeq    atomic.Uint64

	lists atomic.Pointer[ListLookup] // recipients' allow/block lists (SetLists)

	// The idle workers, most recently idle last (submit takes the last:
	// its stack is warm; the reaper lets the first go). Each waits on its
	// own channel; closed: Close ran, no worker waits any more.
	idleMu sync.Mutex
	idleWs []*workerSlot
	closed bool
	// pooled: made by New (an Engine literal runs each job on a worker
	// of its own).
	pooled bool
	// reaping: the reaper runs; ticks counts its ticks (under idleMu).
	reaping atomic.Bool
	ticks   uint64
	idle    time.Duration // workerIdle when New made the engine

	// quit is closed by Close: the reaper stops. workersLive counts the
	// running workers (tests).
	quit        chan struct{}
	quitOnce    sync.Once
	workersLive atomic.Int64
}

// workerSlot is an idle worker: its channel (room for one job) gets the
// one job, or the zero job that lets it go, from whoever takes it off the
// idle list (submit, the reaper or Close, under idleMu), so a send into
// it never blocks.
type workerSlot struct {
	ch   chan job
	tick uint64 // the reaper's tick count when it went idle
}

// gen is one generation of what the configuration builds: policy,
// analyzers, limits. Reload builds a new one and swaps it in; scans in
// flight finish on the one they started with, which is closed after.
type gen struct {
	cfg       *config.Config
	policy    *policy.Policy
	observing []pipeline.Observer // analyzers and observers that learn from the verdict
	extra     []pipeline.Observer // observers that are not analyzers
	limits    mail.Limits
	stages    [][]pipeline.Analyzer // sorted by stage
	all       []pipeline.Analyzer
	scanTO    time.Duration
	analyzeTO time.Duration

	// refs counts the scans using this generation (nested calls, such
	// as learning from an observer, take their own); a retired one is
	// closed when the last lets go. No lock is held across a scan.
	refs      atomic.Int64
	retired   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// acquire returns the current generation, held for use until release.
func (e *Engine) acquire() *gen {
	for {
		g := e.cur.Load()
		g.refs.Add(1)
		if e.cur.Load() == g {
			return g
		}
		g.release()
	}
}

func (g *gen) release() {
	if g.refs.Add(-1) == 0 && g.retired.Load() {
		g.close()
	}
}

// retire marks g replaced; it closes now when unused, else at the last
// release.
func (g *gen) retire() {
	g.retired.Store(true)
	if g.refs.Load() == 0 {
		g.close()
	}
}

// close closes g's analyzers once.
func (g *gen) close() error {
	g.closeOnce.Do(func() {
		var errs []error
		for _, a := range g.learning() {
			if c, ok := a.(pipeline.Closer); ok {
				if err := c.Close(); err != nil {
					errs = append(errs, err)
				}
			}
		}
		g.closeErr = errors.Join(errs...)
	})
	return g.closeErr
}

// Options adjust an engine beyond the configuration.
type Options struct {
	Logger *slog.Logger
	// Factories replace the registered analyzer factories (tests).
	Factories []Factory
	// Analyzers are added as they are (tests).
	Analyzers []pipeline.Analyzer
	// Observers replace the registered observer factories (tests). When
	// nil: RegisteredObservers with the registered analyzers, none when
	// Factories replaces those.
	Observers []ObserverFactory
}

// New builds an engine from configuration.
func New(cfg *config.Config, opt Options) (*Engine, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{log: log, opt: opt, hold: policy.NewOutboundHold(cfg.Serve.Outbound.HoldAction), pooled: true, quit: make(chan struct{}),
		idle: workerIdle}
	g, err := e.build(cfg)
	if err != nil {
		return nil, err
	}
	e.cur.Store(g)
	var b [4]byte
	_, _ = rand.Read(b[:])
	e.idPrefix = hex.EncodeToString(b[:])
	return e, nil
}

// Reload builds everything the configuration decides (policy, weights,
// thresholds, analyzers with their rules and lists) from cfg and swaps it
// in: scans in flight finish with the old set, new scans use the new one.
// On error nothing changes. Front-end listeners and the stores are not
// the engine's: changing those needs a restart.
func (e *Engine) Reload(cfg *config.Config) error {
	e.rmu.Lock()
	defer e.rmu.Unlock()
	g, err := e.build(cfg)
	if err != nil {
		return err
	}
	e.cur.Swap(g).retire()
	return nil
}

func (e *Engine) build(cfg *config.Config) (*gen, error) {
	log, opt := e.log, e.opt
	pol, err := policy.New(cfg.Policy)
	if err != nil {
		return nil, err
	}
	// The brand catalogue (built in plus [brands] files) is shared by the
	// analyzers through package brands.
	if err := brands.Configure(cfg.Brands.Files); err != nil {
		return nil, fmt.Errorf("engine: brands.files: %w", err)
	}
	if err := os.MkdirAll(cfg.General.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("engine: data dir: %w", err)
	}
	g := &gen{
		cfg: cfg, policy: pol,
		limits: mail.Limits{
			MaxSize: cfg.Limits.MaxMessageBytes, MaxParts: cfg.Limits.MaxParts, MaxDepth: cfg.Limits.MaxDepth,
			MaxHeaders: cfg.Limits.MaxHeaders, MaxURLs: cfg.Limits.MaxURLs,
			MaxHeaderBytes: cfg.Limits.MaxHeaderBytes, MaxTextBytes: cfg.Limits.MaxTextBytes,
		},
		scanTO: cfg.Limits.ScanTimeout.Duration, analyzeTO: cfg.Limits.AnalyzerTimeout.Duration,
	}
	if g.scanTO <= 0 {
		g.scanTO = 30 * time.Second
	}
	if g.analyzeTO <= 0 || g.analyzeTO > g.scanTO {
		g.analyzeTO = g.scanTO
	}
	factories := opt.Factories
	if factories == nil {
		factories = Registered()
	}
	deps := pipeline.Deps{Logger: log, DataDir: cfg.General.DataDir}
	for _, f := range factories {
		as, err := f(cfg, deps)
		if err != nil {
			g.all = append(g.all, as...)
			g.close()
			return nil, err
		}
		g.all = append(g.all, as...)
	}
	g.all = append(g.all, opt.Analyzers...)
	for _, a := range g.all {
		if o, ok := a.(pipeline.Observer); ok {
			g.observing = append(g.observing, o)
		}
	}
	ofs := opt.Observers
	if ofs == nil && opt.Factories == nil {
		ofs = RegisteredObservers()
	}
	for _, f := range ofs {
		obs, err := f(cfg, deps)
		if err != nil {
			g.close()
			return nil, err
		}
		g.extra = append(g.extra, obs...)
	}
	g.observing = append(g.observing, g.extra...)
	byStage := map[pipeline.Stage][]pipeline.Analyzer{}
	var keys []int
	for _, a := range g.all {
		st := pipeline.StageMain
		if s, ok := a.(pipeline.Staged); ok {
			st = s.Stage()
		}
		if _, ok := byStage[st]; !ok {
			keys = append(keys, int(st))
		}
		byStage[st] = append(byStage[st], a)
	}
	sort.Ints(keys)
	for _, k := range keys {
		g.stages = append(g.stages, byStage[pipeline.Stage(k)])
	}
	return g, nil
}

// Config returns the engine's configuration.
func (e *Engine) Config() *config.Config { return e.cur.Load().cfg }

// Policy returns the engine's policy.
func (e *Engine) Policy() *policy.Policy { return e.cur.Load().policy }

// Logger returns the engine's logger.
func (e *Engine) Logger() *slog.Logger { return e.log }

// Analyzers returns the configured analyzers.
func (e *Engine) Analyzers() []pipeline.Analyzer {
	return append([]pipeline.Analyzer(nil), e.cur.Load().all...)
}

// Limits returns the parser limits.
func (e *Engine) Limits() mail.Limits { return e.cur.Load().limits }

// Observe registers a function called after every scan (metrics, history,
// DMARC report rows), after the analyzers that observe (pipeline.Observer).
// It must be quick, must not change the Result and must not keep its
// message beyond the call unless it copies what it needs.
func (e *Engine) Observe(f func(*pipeline.Result)) {
	e.obsMu.Lock()
	e.observers = append(e.observers, f)
	e.obsMu.Unlock()
}

// NewID returns a fresh scan id.
func (e *Engine) NewID() string {
	// fmt.Sprintf("%s%06x", e.idPrefix, seq), in one allocation.
	var hb [16]byte
	h := strconv.AppendUint(hb[:0], e.idSeq.Add(1), 16)
	var b [40]byte
	out := append(b[:0], e.idPrefix...)
	for n := len(h); n < 6; n++ {
		out = append(out, '0')
	}
	return string(append(out, h...))
}

// Parse parses raw bytes with the engine's limits.
func (e *Engine) Parse(raw []byte) *mail.Message { return mail.Parse(raw, e.Limits()) }

// Scan parses and scans one message.
func (e *Engine) Scan(ctx context.Context, raw []byte, env pipeline.Envelope) *pipeline.Result {
	g := e.acquire()
	defer g.release()
	// The scan's duration (scan_ms) includes parsing.
	start := time.Now()
	return e.scan(ctx, g, mail.Parse(raw, g.limits), env, start)
}

// ScanMessage scans an already parsed message.
func (e *Engine) ScanMessage(ctx context.Context, msg *mail.Message, env pipeline.Envelope) *pipeline.Result {
	g := e.acquire()
	defer g.release()
	return e.scan(ctx, g, msg, env, time.Now())
}

func (e *Engine) scan(ctx context.Context, g *gen, msg *mail.Message, env pipeline.Envelope, start time.Time) *pipeline.Result {
	id := e.NewID()
	task := pipeline.NewTask(id, msg, env, e.log)
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, g.scanTO)
	defer cancel()
	b := analysisBudget(parent, ctx)
	e.run(&b, g, task)
	if b.over() {
		// The message's budget (not one analyzer's own time-out) ran
		// out: no verdict can be trusted, so the policy answers tempfail
		// and the front end's fail_safe applies (the sender retries).
		task.Add(pipeline.SymScanTimeout)
		task.Tempfail("scan time budget exhausted")
	}
	// The policy alone decides, outbound hold included: what leaves here is
	// final. Learning and recording observe it afterwards.
	v := g.policy.DecideFor(task.Hits(), task.TempfailReasons(), env, e.hold)
	if f := e.lists.Load(); f != nil && env.Flow == pipeline.FlowMail && !env.Outbound {
		g.policy.ApplyLists(&v, (*f)(ctx, env, msg))
	}
	v.Attachments = task.Attachments()
	v.Auth = task.Auth()
	r := &pipeline.Result{ID: id, Msg: msg, Env: env, Verdict: v, URLs: task.URLs(), Duration: time.Since(start), Time: start,
		Values: task.Values()}
	// Fail closed: what could not be inspected holds mail that carries an
	// attachment or a link ([policy] unscannable_action).
	g.policy.FailClosed(&r.Verdict, policy.Carries(r))
	for _, o := range g.observing {
		e.observe(ctx, o, r)
	}
	e.obsMu.RLock()
	obs := e.observers
	e.obsMu.RUnlock()
	for _, f := range obs {
		f(r)
	}
	return r
}

// budget is the part of the message's one budget (the caller's deadline,
// e.g. the front end's scan_timeout, or [limits] scan_timeout) the
// analyzers may use: a tenth of it, at least 50 ms and at most 2 s, is
// kept for the policy, the observers and the action step, so a verdict is
// always made before the front end gives up. An analyzer that overruns
// its own [limits] analyzer_timeout is PIPELINE_ANALYZER_TIMEOUT (the
// fail-closed rule holds mail that carries something); when the budget
// itself runs out, the verdict is tempfail (PIPELINE_SCAN_TIMEOUT) and the
// front end's fail_safe applies.
//
// It is not a context of its own: each stage's context (stageCtx) has the
// caller's context as parent and the earlier of the stage's and the
// budget's deadlines, and runStage ends it at that deadline or when the
// caller's context ends, as a context.WithDeadline child of a budget
// context would end.
type budget struct {
	parent context.Context // the caller's
	dl     time.Time       // the analyzers' deadline
	// spent: a stage's wait ended at the budget's deadline.
	spent bool
	// watch sends the end of parent into the running stage's channel
	// (nil when parent cannot end).
	watch *parentWatch
}

// analysisBudget is the budget of a scan whose context ctx (a child of
// parent) has the scan's deadline.
func analysisBudget(parent, ctx context.Context) budget {
	dl, ok := ctx.Deadline()
	if !ok {
		// Not reached: ctx has the scan's deadline. No budget then.
		return budget{parent: parent, dl: time.Now().Add(1 << 62)}
	}
	reserve := min(max(time.Until(dl)/10, 50*time.Millisecond), 2*time.Second)
	return budget{parent: parent, dl: dl.Add(-reserve)}
}

// over reports whether the budget has ended: spent, past its deadline or
// the caller's context ended (as Err of the budget's context would).
func (b *budget) over() bool {
	return b.spent || b.parent.Err() != nil || !time.Now().Before(b.dl)
}

// run executes the stages. A stage's analyzers run concurrently on the
// engine's workers (goroutines kept between scans, so that neither a
// goroutine nor its grown stack is made per analyzer and scan) under one
// deadline for the stage: [limits] analyzer_timeout from the stage's
// start, as each analyzer had its own, since all of them start at once
// (an idle worker or a new one takes each at once).
func (e *Engine) run(b *budget, g *gen, task *pipeline.Task) {
	// The stages' contexts, in one allocation (never reused: see stageCtx).
	scs := make([]stageCtx, len(g.stages))
	if b.parent.Done() != nil {
		// The caller's context can end: its end is sent into the
		// running stage's channel (parentWatch).
		b.watch = new(parentWatch)
		defer context.AfterFunc(b.parent, b.watch.fire)()
	}
	for i, stage := range g.stages {
		if b.over() {
			task.Add(pipeline.SymScanTimeout)
			return
		}
		e.runStage(b, &scs[i], g, stage, task)
	}
}

// parentWatch sends the end of the caller's context into the channel of
// the stage running then (an outcome with index parentOutcome), so that
// runStage waits on that one channel instead of selecting over it and
// the context's Done.
type parentWatch struct {
	mu    sync.Mutex
	cur   *stageRun // the stage waiting, nil between stages
	fired bool
}

// parentOutcome is the index of the outcome parentWatch sends.
const parentOutcome = deadlineOutcome - 1

// fire runs when the caller's context ends.
func (w *parentWatch) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fired = true
	if w.cur != nil {
		w.cur.send(outcome{i: parentOutcome})
	}
}

// watch makes sr the stage that fire sends to (nil: none), sending at
// once when the context has already ended.
func (w *parentWatch) watch(sr *stageRun) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cur = sr
	if sr != nil && w.fired {
		sr.send(outcome{i: parentOutcome})
	}
}

// outcome is a wake-up of the stage's wait: an analyzer's error (its
// index in the stage; an analyzer that returns nil wakes no one), every
// analyzer answered (allDoneOutcome), the deadline (deadlineOutcome) or
// the caller's end (parentOutcome).
type outcome struct {
	i int
}

// stageRun collects a stage's outcomes. Each analyzer's worker writes its
// error and marks it answered (errs, done); one that failed wakes
// runStage with its index (reported at once, in the order of the
// answers, as before), and the last to answer wakes it with
// allDoneOutcome, so that runStage is woken once per stage, not once per
// analyzer. An error's outcome is sent before its worker counts itself
// answered, hence before allDoneOutcome: runStage has taken every error
// out when it takes allDoneOutcome. An analyzer that overran is
// abandoned: its late answer may still land, but the verdict does not
// wait for it.
//
// Its timer sends the stage's deadline into the same channel (an
// outcome with index deadlineOutcome), so that runStage waits on one
// channel instead of selecting over it, a timer channel and the caller's
// context (a blocking select on a timer channel puts the timer in the
// runtime's heap and takes it out again at every wait). The channel has
// room for every analyzer's error and the three other wake-ups, each
// sent at most once per stage: a send never blocks. A stageRun goes back to the pool only when every
// analyzer answered and its timer was stopped before it fired: nothing
// can write into it after.
type stageRun struct {
	out  chan outcome
	errs []error       // analyzer i's error, written before done[i]
	done []atomic.Bool // analyzer i answered
	seen []bool        // analyzer i's error was reported (runStage's)
	left atomic.Int64  // analyzers that have not answered
	tm   *time.Timer   // sends deadlineOutcome into out when it fires
}

// deadlineOutcome is the index of the outcome a stage's timer sends;
// allDoneOutcome the one the last analyzer to answer sends.
const (
	deadlineOutcome = -1
	allDoneOutcome  = -3
)

// newStageRun makes a run with room for n analyzers' answers.
func newStageRun(n int) *stageRun {
	sr := &stageRun{out: make(chan outcome, n+3), errs: make([]error, n), done: make([]atomic.Bool, n), seen: make([]bool, n)}
	sr.tm = time.AfterFunc(time.Hour, func() { sr.send(outcome{i: deadlineOutcome}) })
	sr.tm.Stop()
	return sr
}

// send sends a wake-up (each at most once per stage, so the channel has
// room: the default is not reached).
func (sr *stageRun) send(o outcome) {
	select {
	case sr.out <- o:
	default:
	}
}

// answer records analyzer i's error (waking the stage with it when not
// nil); the last analyzer to answer wakes the stage.
func (sr *stageRun) answer(i int, err error) {
	sr.errs[i] = err
	sr.done[i].Store(true)
	if err != nil {
		sr.send(outcome{i: i})
	}
	if sr.left.Add(-1) == 0 {
		sr.send(outcome{i: allDoneOutcome})
	}
}

var stageRuns = sync.Pool{New: func() any { return newStageRun(16) }}

// runStage runs one stage's analyzers with recover and the stage's
// deadline, and reports each one's failure (error, panic, time-out) as a
// finding.
func (e *Engine) runStage(b *budget, sctx *stageCtx, g *gen, stage []pipeline.Analyzer, task *pipeline.Task) {
	now := time.Now()
	sctx.parent = b.parent
	sctx.dl = now.Add(g.analyzeTO)
	atBudget := !sctx.dl.Before(b.dl) // the budget ends first (or with it)
	if atBudget {
		sctx.dl = b.dl
	}
	sr := stageRuns.Get().(*stageRun)
	if len(sr.done) < len(stage) || cap(sr.out) < len(stage)+3 {
		sr = newStageRun(len(stage))
	}
	// A panic out of the stage ends its context too (as the deferred
	// cancel of context.WithTimeout did); the first error sticks.
	defer sctx.cancel(context.Canceled)
	for i := range stage {
		sr.errs[i] = nil
		sr.done[i].Store(false)
		sr.seen[i] = false
	}
	sr.left.Store(int64(len(stage)))
	sr.tm.Reset(sctx.dl.Sub(now))
	b.watch.watch(sr)
	for i, a := range stage {
		e.submit(job{ctx: sctx, a: a, task: task, i: i, sr: sr})
	}
	if len(stage) == 0 {
		sr.send(outcome{i: allDoneOutcome})
	}
	o := <-sr.out
	for ; o.i >= 0; o = <-sr.out { // an analyzer's error
		sr.seen[o.i] = true
		report(task, stage[o.i], sr.errs[o.i])
	}
	if o.i == allDoneOutcome {
		// The stage is over: what its analyzers left behind on its
		// context ends with it (deferred above, as the cancel of a
		// context.WithTimeout).
		sr.finish(b.watch)
		return
	}
	end := b.parent.Err() // parentOutcome
	if o.i == deadlineOutcome {
		end = context.DeadlineExceeded
		if atBudget {
			b.spent = true
		}
	}
	sr.tm.Stop()
	b.watch.watch(nil)
	sctx.cancel(end)
	// What finished before the deadline counts; the rest timed out.
	for i, a := range stage {
		if sr.done[i].Load() {
			if !sr.seen[i] {
				report(task, a, sr.errs[i])
			}
			continue
		}
		task.Add(pipeline.SymAnalyzerTimeout, a.Name())
		task.Logger.Warn("analyzer timeout", "analyzer", a.Name())
	}
	// Workers still running write into sr later: it is not reused.
}

// finish puts sr back in the pool after every analyzer answered, unless
// its timer fired (its outcome may still be on the way): w no longer
// sends into it, and the caller's end that w sent after the last
// answer is taken out, so nothing is left for the next stage.
func (sr *stageRun) finish(w *parentWatch) {
	w.watch(nil)
	if !sr.tm.Stop() {
		return
	}
	for len(sr.out) > 0 {
		<-sr.out
	}
	stageRuns.Put(sr)
}

// report turns an analyzer's error into a finding.
func report(task *pipeline.Task, a pipeline.Analyzer, err error) {
	if err == nil {
		return // before p: errors.As makes it escape, one allocation a call
	}
	var p errPanic
	switch {
	case errors.As(err, &p):
		task.Add(pipeline.SymAnalyzerPanic, a.Name())
	case errors.Is(err, context.DeadlineExceeded):
		task.Add(pipeline.SymAnalyzerTimeout, a.Name())
		task.Logger.Warn("analyzer timeout", "analyzer", a.Name())
	default:
		task.Add(pipeline.SymAnalyzerError, a.Name())
		task.Logger.Warn("analyzer error", "analyzer", a.Name(), "err", err)
	}
}

// job is one analyzer to run for a stage, a whole scan (ScanAsync), or
// (neither: the zero job) the word that lets an idle worker go.
type job struct {
	ctx  context.Context
	a    pipeline.Analyzer
	task *pipeline.Task
	i    int
	sr   *stageRun // where the analyzer's answer goes
	// scan: a whole scan (ScanAsync) instead of an analyzer.
	scan *asyncScan
}

// asyncScan is a scan run by ScanAsync.
type asyncScan struct {
	ctx context.Context
	raw []byte
	env pipeline.Envelope
	out chan<- *pipeline.Result
}

// ScanAsync runs Scan(ctx, raw, env) on one of the engine's workers (a
// goroutine kept between scans, its stack already grown) and sends the
// result to out, which must have room for it: a caller that stops
// waiting (its own time-out) must not keep the worker blocked. raw must
// not change until the result is sent.
func (e *Engine) ScanAsync(ctx context.Context, raw []byte, env pipeline.Envelope, out chan<- *pipeline.Result) {
	e.submit(job{scan: &asyncScan{ctx: ctx, raw: raw, env: env, out: out}})
}

// workerIdle is how long a worker waits for work before it exits (at
// least; at most twice as long).
var workerIdle = 10 * time.Second // a variable for the tests (read by New only)

// submit hands j (never the zero job) to an idle worker, or to a new one
// when none is idle (so a job never waits behind another: its deadline
// started with the stage). The idle worker is the one that went idle
// last; it may not be waiting on its channel yet, and takes the job as
// soon as it is.
func (e *Engine) submit(j job) {
	e.idleMu.Lock()
	if n := len(e.idleWs); n > 0 {
		w := e.idleWs[n-1]
		e.idleWs[n-1] = nil
		e.idleWs = e.idleWs[:n-1]
		e.idleMu.Unlock()
		w.ch <- j // room for one: taken off the list, w gets this job only
		return
	}
	e.idleMu.Unlock()
	e.workersStarted.Add(1)
	e.workersLive.Add(1)
	if e.pooled && e.reaping.CompareAndSwap(false, true) {
		go e.reaper()
	}
	go e.worker(j)
}

// worker runs jobs until the reaper or Close lets it go (idle between
// two of the reaper's ticks, or the engine closed). Waiting, it receives
// from its own channel only: no select (over a shared channel and a quit
// channel, each wait locked and queued on both) and no timer of its own.
func (e *Engine) worker(j job) {
	defer e.workersLive.Add(-1)
	// No goroutine.GrowStack here: every worker then kept a 32 KB stack
	// (bench --milter: peak RSS 144-147 MB with it, 141-145 without, the
	// limit 150); a worker's stack grows in its first jobs and stays.
	var w *workerSlot
	for {
		if j.a != nil {
			j.sr.answer(j.i, runJob(j))
		} else if j.scan != nil {
			j.scan.out <- e.Scan(j.scan.ctx, j.scan.raw, j.scan.env)
		} else {
			return // let go (reaper, Close)
		}
		j = job{}
		if !e.pooled { // an Engine not made by New: one job each
			return
		}
		if w == nil {
			w = &workerSlot{ch: make(chan job, 1)}
		}
		e.idleMu.Lock()
		if e.closed {
			e.idleMu.Unlock()
			return
		}
		w.tick = e.ticks
		e.idleWs = append(e.idleWs, w)
		e.idleMu.Unlock()
		j = <-w.ch
	}
}

// reaper lets idle workers go: every workerIdle it lets go each worker
// that has been idle since before its tick before (idle at least
// workerIdle, at most twice as long). It runs while workers live (submit
// starts it again) and until Close.
func (e *Engine) reaper() {
	t := time.NewTicker(e.idle)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-e.quit:
			return
		}
		e.idleMu.Lock()
		e.ticks++
		// The list is in the order the workers went idle: the ones to
		// let go come first.
		n := 0
		for n < len(e.idleWs) && e.idleWs[n].tick+2 <= e.ticks {
			e.idleWs[n].ch <- job{}
			n++
		}
		if n > 0 {
			rest := copy(e.idleWs, e.idleWs[n:])
			clear(e.idleWs[rest:])
			e.idleWs = e.idleWs[:rest]
		}
		e.idleMu.Unlock()
		if e.workersLive.Load() == 0 {
			e.reaping.Store(false)
			// A worker started meanwhile may have seen reaping still set.
			if e.workersLive.Load() == 0 || !e.reaping.CompareAndSwap(false, true) {
				return
			}
		}
	}
}

// runJob runs one analyzer, a panic recovered as errPanic.
func runJob(j job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			j.task.Logger.Error("analyzer panic", "analyzer", j.a.Name(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = errPanic{fmt.Sprint(r)}
		}
	}()
	return j.a.Analyze(j.ctx, j.task)
}

// observe runs one observing analyzer with recover: a crash costs what it
// would have learned, never the verdict.
func (e *Engine) observe(ctx context.Context, o pipeline.Observer, r *pipeline.Result) {
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("observer panic", "msg_id", r.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	o.Observe(ctx, r)
}

type errPanic struct{ v string }

func (e errPanic) Error() string { return "panic: " + e.v }

// Learn trains every Learner analyzer with a labelled message.
func (e *Engine) Learn(ctx context.Context, raw []byte, spam bool) error {
	g := e.acquire()
	defer g.release()
	msg := mail.Parse(raw, g.limits)
	task := pipeline.NewTask(e.NewID(), msg, pipeline.Envelope{Frontend: pipeline.FrontendLearn}, e.log)
	n := 0
	for _, a := range g.learning() {
		if l, ok := a.(pipeline.Learner); ok {
			n++
			if err := l.Learn(ctx, task, spam); err != nil {
				return fmt.Errorf("engine: learn %s: %w", nameOf(a), err)
			}
		}
	}
	if n == 0 {
		return ErrNoLearner
	}
	return nil
}

// Forget takes a message back from every analyzer that learned it; it
// reports whether any of them had learned it.
func (e *Engine) Forget(ctx context.Context, raw []byte) (bool, error) {
	g := e.acquire()
	defer g.release()
	msg := mail.Parse(raw, g.limits)
	task := pipeline.NewTask(e.NewID(), msg, pipeline.Envelope{Frontend: pipeline.FrontendLearn}, e.log)
	n, known := 0, false
	for _, a := range g.learning() {
		if f, ok := a.(pipeline.Forgetter); ok {
			n++
			k, err := f.Forget(ctx, task)
			if err != nil {
				return known, fmt.Errorf("engine: forget %s: %w", nameOf(a), err)
			}
			known = known || k
		}
	}
	if n == 0 {
		return false, ErrNoLearner
	}
	return known, nil
}

// ErrNoLearner means no analyzer can learn (the classifier is disabled).
var ErrNoLearner = errors.New("engine: no learning analyzer is enabled")

// learning is every analyzer, then every observer that is not one.
func (g *gen) learning() []any {
	out := make([]any, 0, len(g.all)+len(g.extra))
	for _, a := range g.all {
		out = append(out, a)
	}
	for _, o := range g.extra {
		out = append(out, o)
	}
	return out
}

func nameOf(x any) string {
	if a, ok := x.(pipeline.Analyzer); ok {
		return a.Name()
	}
	return fmt.Sprintf("%T", x)
}

// Close releases analyzer and observer resources and lets the idle
// analyzer workers exit. A scan after Close still runs (its workers exit
// when their job is done).
func (e *Engine) Close() error {
	if e.quit != nil {
		e.quitOnce.Do(func() { close(e.quit) })
	}
	// The idle workers exit at once; the busy ones when their job ends.
	e.idleMu.Lock()
	e.closed = true
	for i, w := range e.idleWs {
		w.ch <- job{}
		e.idleWs[i] = nil
	}
	e.idleWs = nil
	e.idleMu.Unlock()
	return e.cur.Load().close()
}
