package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/sekisho/sekisho/internal/analyzer/bayes"
	"github.com/sekisho/sekisho/internal/mailsrc"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// eMinLearns is the configured minimum, for the hint printed after learning.
var eMinLearns = 200

// LearnCmd teaches the classifier single messages.
type LearnCmd struct {
	Kind  string   `arg:"" enum:"spam,ham,forget" help:"spam, ham, or forget (undo an earlier learn)."`
	Paths []string `arg:"" help:"Messages: files, directories, Maildirs, mbox files, or - for stdin." type:"path"`
	Quiet bool     `short:"q" help:"Print only the summary."`
}

// Run implements the command.
func (c LearnCmd) Run(g *Globals) error {
	eng, cl, err := openClassifier(g, "learn")
	if err != nil {
		return err
	}
	defer eng.Close()
	ctx := context.Background()
	var st learnStats
	forgotten := 0
	werr := mailsrc.Walk(c.Paths, func(it mailsrc.Item) error {
		if it.Err != nil {
			st.unreadable++
			fmt.Fprintf(os.Stderr, "sekisho: %s: %v\n", it.Name, it.Err)
			return nil
		}
		if c.Kind == "forget" {
			t := pipeline.NewTask(eng.NewID(), eng.Parse(it.Raw), pipeline.Envelope{Frontend: pipeline.FrontendLearn}, eng.Logger())
			ok, err := cl.Forget(ctx, t)
			if err != nil {
				return fmt.Errorf("%s: %w", it.Name, err)
			}
			if ok {
				forgotten++
			}
			if !c.Quiet {
				fmt.Printf("%s: %s\n", it.Name, map[bool]string{true: "forgotten", false: "was not learned"}[ok])
			}
			return nil
		}
		o, err := learnOne(ctx, eng, cl, it.Raw, c.Kind == "spam")
		switch {
		case errors.Is(err, bayes.ErrNoFeatures):
			st.empty++
			if !c.Quiet {
				fmt.Printf("%s: nothing to learn\n", it.Name)
			}
			return nil
		case err != nil:
			return fmt.Errorf("%s: %w", it.Name, err)
		}
		st.add(o)
		if !c.Quiet {
			fmt.Printf("%s: %s as %s\n", it.Name, o, c.Kind)
		}
		return nil
	})
	if werr != nil {
		return fmt.Errorf("learn: %w", werr)
	}
	if err := cl.Store().Sync(ctx); err != nil {
		return fmt.Errorf("learn: %w", err)
	}
	if c.Kind == "forget" {
		fmt.Printf("forgot %d message(s)\n", forgotten)
	} else {
		fmt.Printf("%s: %d learned, %d moved from the other label, %d already known, %d empty, %d unreadable\n",
			c.Kind, st.learned, st.relearned, st.already, st.empty, st.unreadable)
	}
	return printStoreStats(ctx, cl)
}
