package pipeline

import "context"

// Feedback is what a person said about a message after its verdict.
type Feedback string

// Feedback kinds.
const (
	FeedbackSpam    Feedback = "spam"    // learned as spam (learn, train, console, spamd TELL)
	FeedbackHam     Feedback = "ham"     // learned as ham
	FeedbackRelease Feedback = "release" // released from quarantine by an administrator or recipient
	FeedbackReport  Feedback = "report"  // reported as spam by a user
)

// Spam reports whether the feedback says the message was unwanted.
func (f Feedback) Spam() bool { return f == FeedbackSpam || f == FeedbackReport }

// FeedbackReceiver is implemented by analyzers and observers that learn
// from feedback beyond labels (reputation, campaign hashes): a Learner's
// Learn is feedback too, and the engine passes release and report here.
type FeedbackReceiver interface {
	Feedback(ctx context.Context, t *Task, f Feedback) error
}
