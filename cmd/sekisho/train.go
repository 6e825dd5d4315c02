package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/sekisho/sekisho/internal/analyzer/bayes"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/mailsrc"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
	"golang.org/x/term"
)

// TrainCmd trains the statistical classifier from labelled directories.
type TrainCmd struct {
	Ham  []string `help:"Directories, Maildirs, mbox files or messages of legitimate mail." type:"path"`
	Spam []string `help:"Directories, Maildirs, mbox files or messages of spam." type:"path"`
	// ProgressEvery spaces the plain progress lines printed when stderr is
	// not a terminal.
	ProgressEvery time.Duration `help:"On a terminal a progress bar is drawn; otherwise a plain line 'train: N/TOTAL messages (P%) ...' goes to stderr this often." default:"10s"`
}

// learnStats counts what learning did.
type learnStats struct {
	learned, relearned, already, empty, unreadable int
}

func (s *learnStats) add(o bayesstore.Outcome) {
	switch o {
	case bayesstore.Learned:
		s.learned++
	case bayesstore.Relearned:
		s.relearned++
	default:
		s.already++
	}
}

// classifier finds the Bayes classifier among the engine's analyzers.
// openClassifier builds the engine from the configuration and returns it
// with its classifier (for train and learn); the caller closes the engine.
func openClassifier(g *Globals, cmd string) (*engine.Engine, *bayes.Classifier, error) {
	cfg, err := g.LoadConfig()
	if err != nil {
		return nil, nil, err
	}
	eMinLearns = cfg.Bayes.MinLearns
	eng, err := g.Engine(cfg)
	if err != nil {
		return nil, nil, err
	}
	cl, err := classifier(eng)
	if err != nil {
		eng.Close()
		return nil, nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return eng, cl, nil
}

func classifier(eng *engine.Engine) (*bayes.Classifier, error) {
	for _, a := range eng.Analyzers() {
		if c, ok := a.(*bayes.Classifier); ok {
			return c, nil
		}
	}
	return nil, errors.New("the classifier is disabled ([bayes] enabled = false)")
}

// learnOne parses and learns one message.
func learnOne(ctx context.Context, eng *engine.Engine, c *bayes.Classifier, raw []byte, spam bool) (bayesstore.Outcome, error) {
	t := pipeline.NewTask(eng.NewID(), eng.Parse(raw), pipeline.Envelope{Frontend: pipeline.FrontendLearn}, eng.Logger())
	o, err := c.LearnOutcome(ctx, t, spam)
	if err == nil || errors.Is(err, bayes.ErrNoFeatures) {
		// Reputation and campaign hashes learn the label too.
		if _, ferr := eng.FeedbackTask(ctx, t, labelFeedback(spam)); ferr != nil {
			return o, ferr
		}
	}
	return o, err
}

// Run implements the command.
func (c TrainCmd) Run(g *Globals) error {
	if len(c.Ham) == 0 && len(c.Spam) == 0 {
		return errors.New("train: give --ham DIR and/or --spam DIR")
	}
	eng, cl, err := openClassifier(g, "train")
	if err != nil {
		return err
	}
	defer eng.Close()
	ctx := context.Background()
	total := mailsrc.Count(c.Ham) + mailsrc.Count(c.Spam)
	var bar *progressbar.ProgressBar
	if term.IsTerminal(int(os.Stderr.Fd())) {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish())
	}
	var ham, spam learnStats
	start := time.Now()
	// Without a terminal (a pipe, a log file, cron, systemd) a plain line
	// every ProgressEvery: no control characters in logs.
	var plain *plainProgress
	if bar == nil {
		plain = &plainProgress{w: os.Stderr, total: total, start: start, last: start, every: c.ProgressEvery}
	}
	// The counts are learned message by message; the linear layer is then
	// fitted on the whole batch (EndBatch). Ham and spam are interleaved in
	// proportion all the same, for the messages past the batch's limits,
	// which are learned online.
	cl.BeginBatch()
	nh, ns := mailsrc.Count(c.Ham), mailsrc.Count(c.Spam)
	hamCh, spamCh := walkChan(c.Ham), walkChan(c.Spam)
	i, j := 0, 0
	for hamCh != nil || spamCh != nil {
		var it mailsrc.Item
		var ok, isSpam bool
		if spamCh == nil || hamCh != nil && float64(i)/float64(nh+1) <= float64(j)/float64(ns+1) {
			if it, ok = <-hamCh; !ok {
				hamCh = nil
				continue
			}
			i++
		} else {
			if it, ok = <-spamCh; !ok {
				spamCh = nil
				continue
			}
			j++
			isSpam = true
		}
		st := &ham
		if isSpam {
			st = &spam
		}
		if bar != nil {
			_ = bar.Add(1)
		} else {
			plain.step(time.Now())
		}
		if it.Err != nil {
			st.unreadable++
			fmt.Fprintf(os.Stderr, "sekisho: %s: %v\n", it.Name, it.Err)
			continue
		}
		o, err := learnOne(ctx, eng, cl, it.Raw, isSpam)
		switch {
		case errors.Is(err, bayes.ErrNoFeatures):
			st.empty++
		case err != nil:
			return fmt.Errorf("train: %s: %w", it.Name, err)
		default:
			st.add(o)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if _, err := cl.EndBatch(ctx); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	learnT := time.Since(start)
	if err := cl.Store().Sync(ctx); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	n := ham.learned + ham.relearned + ham.already + spam.learned + spam.relearned + spam.already
	fmt.Printf("ham            %d learned, %d moved from spam, %d already known, %d empty, %d unreadable\n",
		ham.learned, ham.relearned, ham.already, ham.empty, ham.unreadable)
	fmt.Printf("spam           %d learned, %d moved from ham, %d already known, %d empty, %d unreadable\n",
		spam.learned, spam.relearned, spam.already, spam.empty, spam.unreadable)
	if learnT > 0 {
		fmt.Printf("speed          %.1f messages/s (%s)\n", float64(n)/learnT.Seconds(), learnT.Round(time.Millisecond))
	}
	return printStoreStats(ctx, cl)
}

func printStoreStats(ctx context.Context, cl *bayes.Classifier) error {
	tot, err := cl.Store().Totals(ctx, "")
	if err != nil {
		return err
	}
	st, err := cl.Store().Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("store          %d spam and %d ham learned, %d features, %d message digests, %.1f MB\n",
		tot.Spam, tot.Ham, st.Features, st.Messages, float64(st.Bytes)/1e6)
	// Scheme 1: every store trained before scheme 2 existed (docs/bayes.md).
	fmt.Printf("hash scheme    %d\n", cl.Scheme())
	if min := uint64(eMinLearns); tot.Spam < min || tot.Ham < min {
		fmt.Printf("note           the classifier votes once it has learned %d of each (bayes.min_learns)\n", min)
	}
	return nil
}

// walkChan streams the messages under paths (a walk error is passed on as
// an item error).
func walkChan(paths []string) chan mailsrc.Item {
	if len(paths) == 0 {
		return nil
	}
	ch := make(chan mailsrc.Item, 4)
	go func() {
		defer close(ch)
		if err := mailsrc.Walk(paths, func(it mailsrc.Item) error {
			ch <- it
			return nil
		}); err != nil {
			ch <- mailsrc.Item{Name: strings.Join(paths, " "), Err: err}
		}
	}()
	return ch
}

// plainProgress prints "train: N/TOTAL messages" lines for logs.
type plainProgress struct {
	w           io.Writer
	total, done int
	start, last time.Time
	every       time.Duration
}

func (p *plainProgress) step(now time.Time) {
	p.done++
	if p.every <= 0 || now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	pct := 0.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	rate := float64(p.done) / now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "train: %d/%d messages (%.0f%%), %.0f msg/s\n", p.done, p.total, pct, rate)
}
