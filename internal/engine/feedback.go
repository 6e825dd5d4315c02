package engine

import (
	"context"
	"fmt"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Feedback passes what a person said about a message (release, report,
// or a label the classifier learned by itself: 'sekisho learn' and
// 'train' teach Bayes directly) to every analyzer and observer that takes
// feedback (pipeline.FeedbackReceiver: reputation, campaign hashes). It
// reports how many took it.
func (e *Engine) Feedback(ctx context.Context, raw []byte, f pipeline.Feedback) (int, error) {
	g := e.acquire()
	defer g.release()
	task := pipeline.NewTask(e.NewID(), mail.Parse(raw, g.limits), pipeline.Envelope{Frontend: pipeline.FrontendLearn}, e.log)
	return e.feedback(ctx, g, task, f)
}

// FeedbackTask is Feedback for a message already parsed into a task.
func (e *Engine) FeedbackTask(ctx context.Context, t *pipeline.Task, f pipeline.Feedback) (int, error) {
	g := e.acquire()
	defer g.release()
	return e.feedback(ctx, g, t, f)
}

func (e *Engine) feedback(ctx context.Context, g *gen, t *pipeline.Task, f pipeline.Feedback) (int, error) {
	n := 0
	for _, a := range g.learning() {
		if r, ok := a.(pipeline.FeedbackReceiver); ok {
			n++
			if err := r.Feedback(ctx, t, f); err != nil {
				return n, fmt.Errorf("engine: feedback %s: %w", nameOf(a), err)
			}
		}
	}
	return n, nil
}
