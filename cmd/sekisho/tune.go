package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/mailsrc"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/tune"
	"golang.org/x/term"
)

// TuneCmd fits the symbol weights on labelled mail.
type TuneCmd struct {
	Ham       []string `help:"Directories (or files) of ham to fit on." required:"" type:"path"`
	Spam      []string `help:"Directories (or files) of spam to fit on." required:"" type:"path"`
	TestHam   []string `name:"test-ham" help:"Held-out ham, measured before and after but never fitted on." type:"path"`
	TestSpam  []string `name:"test-spam" help:"Held-out spam, measured before and after but never fitted on." type:"path"`
	Output    string   `short:"o" help:"Write the fitted weights here, for [policy] weights_file." type:"path"`
	FPCost    float64  `name:"fp-cost" help:"How much more a ham counts than a spam (after balancing the classes)." default:"20"`
	L2        float64  `name:"l2" help:"Pull towards the current weights, in messages' worth of evidence: symbols seen on few messages keep their weight." default:"1"`
	MaxWeight float64  `name:"max-weight" help:"Largest fitted weight, in absolute value." default:"12"`
	MinHits   int      `name:"min-hits" help:"Symbols fired on fewer fit messages keep their weight." default:"5"`
	Freeze    []string `help:"Also keep the symbols matching these glob patterns at their weight (kept by default: BAYES_*, SPF_*, DKIM_*, DMARC_*, ARC_*, AUTH_*, RCVD_*, HDR_DATE_*, MIME_BARE_LF, MIME_MIXED_EOL)." placeholder:"PATTERN"`
	Fit       []string `help:"Fit the symbols matching these glob patterns even when frozen or informational (weight 0), e.g. 'DKIM_*'." placeholder:"PATTERN"`
	TargetFP  float64  `name:"target-fp" help:"Share of ham a threshold may flag for the recall-at-target figure (and for --calibrate)." default:"0.001"`
	Calibrate bool     `help:"After the fit, scale the fitted weights so that the tag score sits where at most --target-fp of the fit ham scores (the operating point the fit's slope does not set by itself)." default:"true" negatable:""`
	Top       int      `help:"How many weight changes to list." default:"30"`
	Jobs      int      `short:"j" help:"Concurrent scans (default: number of CPUs)."`
	KeepState bool     `name:"keep-state" help:"Scan with the configured data directory (the trained classifier) instead of a fresh temporary one."`
	Cache     string   `help:"Keep each message's symbols in this file and reuse them while the binary and the configuration file are unchanged (fitting again with other settings skips the scan)." type:"path"`
	JSON      bool     `help:"Print one JSON object with the figures and every symbol's fit."`
}

// TuneJSON is the --json object. Field names are a contract.
type TuneJSON struct {
	Fit       TuneSet            `json:"fit"`
	Test      *TuneSet           `json:"test,omitempty"`
	Sweeps    int                `json:"sweeps"`
	Converged bool               `json:"converged"`
	Loss0     float64            `json:"loss_before"`
	Loss      float64            `json:"loss_after"`
	Options   TuneOptionsJSON    `json:"options"`
	Changes   map[string]float64 `json:"changes"`
	Symbols   []TuneSymbolJSON   `json:"symbols"`
	Output    string             `json:"output,omitempty"`
}

// TuneSet is one labelled set measured with the weights before and after.
type TuneSet struct {
	Ham        int          `json:"ham"`
	Spam       int          `json:"spam"`
	Unreadable int          `json:"unreadable"`
	Before     tune.Metrics `json:"before"`
	After      tune.Metrics `json:"after"`
}

// TuneOptionsJSON are the settings of the fit.
type TuneOptionsJSON struct {
	TagScore  float64  `json:"tag_score"`
	FPCost    float64  `json:"fp_cost"`
	L2        float64  `json:"l2"`
	MaxWeight float64  `json:"max_weight"`
	MinHits   int      `json:"min_hits"`
	Freeze    []string `json:"freeze"`
	Fit       []string `json:"fit"`
}

// TuneSymbolJSON is one symbol's fit.
type TuneSymbolJSON struct {
	Name     string  `json:"name"`
	Default  float64 `json:"default"`
	Weight   float64 `json:"weight"`
	HamHits  int     `json:"ham_hits"`
	SpamHits int     `json:"spam_hits"`
	Status   string  `json:"status"`
	Pattern  string  `json:"pattern,omitempty"`
}

// tuneMsg is one scanned message: its raw symbols, not its verdict.
type tuneMsg struct {
	name string
	spam bool
	hits []pipeline.Hit
}

// hitRecorder runs after every other analyzer and keeps each scan's raw
// hits (name and factor), which the verdict only shows multiplied by the
// current weights.
type hitRecorder struct {
	mu   sync.Mutex
	hits map[string][]pipeline.Hit
}

var (
	_ pipeline.Analyzer = (*hitRecorder)(nil)
	_ pipeline.Staged   = (*hitRecorder)(nil)
)

func (*hitRecorder) Name() string { return "tune-recorder" }

// Stage runs the recorder after every real stage.
func (*hitRecorder) Stage() pipeline.Stage { return pipeline.StageLate + 1000 }

func (r *hitRecorder) Analyze(_ context.Context, t *pipeline.Task) error {
	h := t.Hits()
	r.mu.Lock()
	r.hits[t.ID] = h
	r.mu.Unlock()
	return nil
}

// take returns and forgets a scan's hits. A scan that ran out of time
// before the recorder's stage falls back to the verdict, whose scores
// divided by the weights give the factors back (to 0.01).
func (r *hitRecorder) take(res *pipeline.Result, pol *policy.Policy) []pipeline.Hit {
	r.mu.Lock()
	h, ok := r.hits[res.ID]
	delete(r.hits, res.ID)
	r.mu.Unlock()
	if ok {
		return h
	}
	for _, s := range res.Verdict.Symbols {
		f := 1.0
		if w := pol.Weight(s.Name); w != 0 && s.Score != 0 {
			f = s.Score / w
		}
		h = append(h, pipeline.Hit{Name: s.Name, Factor: f})
	}
	return h
}

// Run implements the command.
func (c TuneCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	if (len(c.TestHam) > 0) != (len(c.TestSpam) > 0) {
		return fmt.Errorf("tune: give both --test-ham and --test-spam, or neither")
	}
	if !(c.TargetFP >= 0 && c.TargetFP < 1) {
		return fmt.Errorf("tune: --target-fp is a share of ham, at least 0 and below 1")
	}
	if !c.KeepState {
		dir, err := os.MkdirTemp("", "sekisho-tune-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.General.DataDir = dir
		offlineState(cfg)
	}
	// Scanning must not teach anything: the features of one message may
	// not depend on the ones scanned before it.
	cfg.Bayes.Autolearn = false

	opt := tune.DefaultOptions(cfg.Policy.TagScore)
	opt.FPCost, opt.L2, opt.MaxWeight, opt.MinHits = c.FPCost, c.L2, c.MaxWeight, c.MinHits
	opt.Freeze = append(opt.Freeze, c.Freeze...)
	opt.Fit = c.Fit
	opt.Pinned = cfg.Policy.Weights
	// Check the options before a long scan.
	if err := opt.Check(); err != nil {
		return err
	}

	var cache *featureCache
	if c.Cache != "" {
		if c.KeepState {
			return fmt.Errorf("tune: --cache cannot be used with --keep-state (the trained classifier may change between runs)")
		}
		if cache, err = openFeatureCache(c.Cache, g.cli.ConfigFile); err != nil {
			return err
		}
	}
	rec := &hitRecorder{hits: map[string][]pipeline.Hit{}}
	eng, err := engine.New(cfg, engine.Options{Logger: g.Logger(cfg), Analyzers: []pipeline.Analyzer{rec}})
	if err != nil {
		return err
	}
	defer eng.Close()
	before := eng.Policy()
	// The prior centre: the weights below weights_file and [policy.weights]
	// (symbol defaults, then the shipped fitted weights if on).
	bc := cfg.Policy
	bc.WeightsFile, bc.FileWeights, bc.Weights, bc.Disabled = "", nil, nil, nil
	base, err := policy.New(bc)
	if err != nil {
		return err
	}

	jobs := c.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	tty := term.IsTerminal(int(os.Stderr.Fd())) && !c.JSON
	sets := [][]string{c.Ham, c.Spam, c.TestHam, c.TestSpam}
	scanned, unreadable, err := scanSets(eng, rec, cache, sets, jobs, tty)
	if err != nil {
		return err
	}
	if cache != nil {
		if err := cache.save(); err != nil {
			return err
		}
	}
	fitMsgs := append(scanned[0], scanned[1]...)
	testMsgs := append(scanned[2], scanned[3]...)

	disabled := map[string]bool{}
	for _, d := range cfg.Policy.Disabled {
		disabled[d] = true
	}
	defaults := map[string]float64{}
	for _, d := range pipeline.AllSymbols() {
		defaults[d.Name] = base.Weight(d.Name)
	}
	samples := make([]tune.Message, len(fitMsgs))
	for i, m := range fitMsgs {
		s := tune.Message{Spam: m.spam, Symbols: map[string]float64{}}
		for _, h := range m.hits {
			if !disabled[h.Name] {
				s.Symbols[h.Name] = h.Factor
			}
		}
		samples[i] = s
	}
	res, err := tune.Fit(samples, defaults, opt)
	if err != nil {
		return err
	}
	if c.Calibrate {
		probe := cfg.Policy
		probe.WeightsFile, probe.FileWeights = "(fitted)", res.Changes()
		pp, err := policy.New(probe)
		if err != nil {
			return err
		}
		var hs []float64
		for _, m := range fitMsgs {
			if !m.spam {
				hs = append(hs, pp.Decide(m.hits, nil).Score)
			}
		}
		f := tune.CalibrationFactor(hs, c.TargetFP, opt.TagScore)
		res.Scale(f, opt)
		fmt.Fprintf(os.Stderr, "tune: calibrated the fitted weights by ×%.3f (tag score %g at ≤ %g%% of fit ham)\n", f, opt.TagScore, c.TargetFP*100)
	}
	changes := res.Changes()
	ac := cfg.Policy
	ac.WeightsFile, ac.FileWeights = "(fitted)", changes
	if c.Output != "" {
		ac.WeightsFile = c.Output
	}
	after, err := policy.New(ac)
	if err != nil {
		return err
	}

	out := TuneJSON{
		Fit:    measureSet(fitMsgs, unreadable[0]+unreadable[1], before, after, c.TargetFP),
		Sweeps: res.Sweeps, Converged: res.Converged, Loss0: round(res.Loss0, 5), Loss: round(res.Loss, 5),
		Options: TuneOptionsJSON{TagScore: opt.TagScore, FPCost: opt.FPCost, L2: opt.L2, MaxWeight: opt.MaxWeight,
			MinHits: opt.MinHits, Freeze: opt.Freeze, Fit: append([]string{}, opt.Fit...)},
		Changes: changes, Output: c.Output,
	}
	if len(testMsgs) > 0 {
		t := measureSet(testMsgs, unreadable[2]+unreadable[3], before, after, c.TargetFP)
		out.Test = &t
	}
	for _, s := range res.Symbols {
		out.Symbols = append(out.Symbols, TuneSymbolJSON{Name: s.Name, Default: s.Default, Weight: tune.Round2(s.Weight),
			HamHits: s.HamHits, SpamHits: s.SpamHits, Status: string(s.Status), Pattern: s.Pattern})
	}
	if c.Output != "" {
		if err := writeTuned(c.Output, &out); err != nil {
			return err
		}
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printTune(os.Stdout, &out, c.Top)
	return nil
}

// scanSets scans every set with the real engine, -j at a time, and
// returns each set's messages sorted by name (the fit does not depend on
// which scan finished first) and how many could not be read.
func scanSets(eng *engine.Engine, rec *hitRecorder, cache *featureCache, sets [][]string, jobs int, tty bool) ([][]tuneMsg, []int, error) {
	total := 0
	for _, s := range sets {
		total += mailsrc.Count(s)
	}
	var bar *progressbar.ProgressBar
	if tty {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("scanning"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish())
	}
	type job struct {
		it  mailsrc.Item
		set int
	}
	out := make([][]tuneMsg, len(sets))
	bad := make([]int, len(sets))
	ch := make(chan job, jobs*2)
	var mu sync.Mutex
	var wg sync.WaitGroup
	pol := eng.Policy()
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				hits, ok := cache.get(j.it.Raw)
				if !ok {
					r := eng.Scan(context.Background(), j.it.Raw, pipeline.Envelope{Frontend: pipeline.FrontendEval})
					hits = rec.take(r, pol)
					cache.put(j.it.Raw, hits)
				}
				m := tuneMsg{name: j.it.Name, spam: j.set%2 == 1, hits: hits}
				mu.Lock()
				out[j.set] = append(out[j.set], m)
				mu.Unlock()
				if bar != nil {
					_ = bar.Add(1)
				}
			}
		}()
	}
	var ferr error
	for i, paths := range sets {
		if ferr != nil || len(paths) == 0 {
			continue
		}
		ferr = mailsrc.Walk(paths, func(it mailsrc.Item) error {
			if it.Err != nil {
				mu.Lock()
				bad[i]++
				mu.Unlock()
				fmt.Fprintf(os.Stderr, "sekisho: %s: %v\n", it.Name, it.Err)
				return nil
			}
			ch <- job{it: it, set: i}
			return nil
		})
	}
	close(ch)
	wg.Wait()
	if bar != nil {
		_ = bar.Finish()
	}
	if ferr != nil {
		return nil, nil, ferr
	}
	for _, s := range out {
		sort.SliceStable(s, func(i, j int) bool { return s[i].name < s[j].name })
	}
	return out, bad, nil
}

// measureSet scores a set with both policies, as a scan would decide.
func measureSet(msgs []tuneMsg, unreadable int, before, after *policy.Policy, targetFP float64) TuneSet {
	var b, a []tune.Scored
	set := TuneSet{Unreadable: unreadable}
	for _, m := range msgs {
		if m.spam {
			set.Spam++
		} else {
			set.Ham++
		}
		vb, va := before.Decide(m.hits, nil), after.Decide(m.hits, nil)
		b = append(b, tune.Scored{Spam: m.spam, Score: vb.Score, Flagged: vb.Action != pipeline.ActionAccept})
		a = append(a, tune.Scored{Spam: m.spam, Score: va.Score, Flagged: va.Action != pipeline.ActionAccept})
	}
	set.Before, set.After = roundMetrics(tune.Measure(b, targetFP)), roundMetrics(tune.Measure(a, targetFP))
	return set
}

func roundMetrics(m tune.Metrics) tune.Metrics {
	m.FPRate, m.Recall, m.AUC = round(m.FPRate, 5), round(m.Recall, 4), round(m.AUC, 5)
	m.RecallAtFP0, m.RecallAtTarget = round(m.RecallAtFP0, 4), round(m.RecallAtTarget, 4)
	if math.IsInf(m.ThresholdAtFP0, 0) {
		m.ThresholdAtFP0 = 0
	}
	if math.IsInf(m.ThresholdAtTarget, 0) {
		m.ThresholdAtTarget = 0
	}
	return m
}

// writeTuned writes the weights file with a header saying how it was made.
func writeTuned(path string, r *TuneJSON) error {
	args := append([]string{"sekisho"}, os.Args[1:]...)
	hdr := []string{
		fmt.Sprintf("Symbol weights fitted by 'sekisho tune' (sekisho %s) on %s.", version, time.Now().UTC().Format(time.RFC3339)),
		"Command: " + strings.Join(args, " "),
		fmt.Sprintf("Fitted on %d ham and %d spam; fp-cost %g, l2 %g, max-weight %g, min-hits %d, tag_score %g.",
			r.Fit.Ham, r.Fit.Spam, r.Options.FPCost, r.Options.L2, r.Options.MaxWeight, r.Options.MinHits, r.Options.TagScore),
		"Kept at their weight: " + strings.Join(r.Options.Freeze, ", ") + orNone(" (fitted anyway: ", r.Options.Fit, ")") + ".",
		fmt.Sprintf("Fit set: false positives %d -> %d, recall %.2f %% -> %.2f %%.", r.Fit.Before.FP, r.Fit.After.FP, r.Fit.Before.Recall*100, r.Fit.After.Recall*100),
	}
	if r.Test != nil {
		hdr = append(hdr, fmt.Sprintf("Test set (%d ham, %d spam, not fitted on): false positives %d -> %d, recall %.2f %% -> %.2f %%.",
			r.Test.Ham, r.Test.Spam, r.Test.Before.FP, r.Test.After.FP, r.Test.Before.Recall*100, r.Test.After.Recall*100))
	}
	hdr = append(hdr, fmt.Sprintf("Load with [policy] weights_file = %q; [policy.weights] still wins. Only changed weights are listed.", filepath.Base(path)))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := tune.WriteWeights(f, hdr, r.Changes); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// What was written must load.
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = config.ParseWeights(string(b), path)
	return err
}

func orNone(pre string, ss []string, post string) string {
	if len(ss) == 0 {
		return ""
	}
	return pre + strings.Join(ss, ", ") + post
}

func printTune(w io.Writer, r *TuneJSON, top int) {
	fmt.Fprintf(w, "fit set        ham %d, spam %d (unreadable %d)\n", r.Fit.Ham, r.Fit.Spam, r.Fit.Unreadable)
	if r.Test != nil {
		fmt.Fprintf(w, "test set       ham %d, spam %d (unreadable %d), not fitted on\n", r.Test.Ham, r.Test.Spam, r.Test.Unreadable)
	}
	count := map[string]int{}
	for _, s := range r.Symbols {
		count[s.Status]++
	}
	conv := "converged"
	if !r.Converged {
		conv = "NOT converged"
	}
	fmt.Fprintf(w, "symbols        %d fitted (%d changed), %d frozen, %d pinned by [policy.weights], %d on < %d messages, %d informational\n",
		count["fitted"], len(r.Changes), count["frozen"], count["pinned"], count["rare"], r.Options.MinHits, count["informational"])
	fmt.Fprintf(w, "fit            loss %.5f -> %.5f per message, %d sweeps, %s (fp-cost %g, l2 %g)\n\n",
		r.Loss0, r.Loss, r.Sweeps, conv, r.Options.FPCost, r.Options.L2)
	target := fmt.Sprintf("recall@%g%%FP (above)", r.Fit.Before.TargetFP*100)
	fmt.Fprintf(w, "%-8s %-7s %6s %9s %9s %8s %20s %22s\n", "set", "weights", "FP", "FP rate", "recall", "AUC", "recall@0FP (above)", target)
	row := func(set, which string, m tune.Metrics) {
		fmt.Fprintf(w, "%-8s %-7s %6d %7.3f %% %7.2f %% %8.5f %10.2f %% (%6.2f) %12.2f %% (%6.2f)\n", set, which, m.FP, m.FPRate*100, m.Recall*100, m.AUC,
			m.RecallAtFP0*100, m.ThresholdAtFP0, m.RecallAtTarget*100, m.ThresholdAtTarget)
	}
	row("fit", "before", r.Fit.Before)
	row("fit", "after", r.Fit.After)
	if r.Test != nil {
		row("test", "before", r.Test.Before)
		row("test", "after", r.Test.After)
	}
	var ch []TuneSymbolJSON
	for _, s := range r.Symbols {
		if _, ok := r.Changes[s.Name]; ok {
			ch = append(ch, s)
		}
	}
	sort.SliceStable(ch, func(i, j int) bool {
		a, b := math.Abs(ch[i].Weight-ch[i].Default), math.Abs(ch[j].Weight-ch[j].Default)
		if a != b {
			return a > b
		}
		return ch[i].Name < ch[j].Name
	})
	if len(ch) == 0 {
		fmt.Fprintf(w, "\nweight changes none: every symbol keeps its weight\n")
	} else {
		fmt.Fprintf(w, "\nweight changes, largest first (%d of %d)\n", min(top, len(ch)), len(ch))
		fmt.Fprintf(w, "%-36s %8s    %7s %7s %7s\n", "symbol", "default", "fitted", "ham", "spam")
		for i, s := range ch {
			if i >= top {
				break
			}
			fmt.Fprintf(w, "%-36s %8.2f -> %7.2f %7d %7d\n", s.Name, s.Default, s.Weight, s.HamHits, s.SpamHits)
		}
	}
	if r.Output != "" {
		fmt.Fprintf(w, "\nwritten        %s (%d weights): load it with [policy] weights_file\n", r.Output, len(r.Changes))
	}
}
