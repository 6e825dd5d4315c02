package engine

import (
	"context"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/policy"
)

// ListLookup says what the recipients' allow and block lists make of a
// message (internal/store/lists). It must be fast and must not block.
type ListLookup func(ctx context.Context, env pipeline.Envelope, msg *mail.Message) policy.ListMatch

// SetLists gives the policy the recipients' lists; nil turns them off.
// Only live inbound mail consults them.
func (e *Engine) SetLists(f ListLookup) {
	if f == nil {
		e.lists.Store(nil)
		return
	}
	e.lists.Store(&f)
}
