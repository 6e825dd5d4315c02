package action

import (
	"sync/atomic"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// Stats counts scans by action and learned messages (for Rspamd /stat).
type Stats struct {
	Scanned    atomic.Int64
	Accept     atomic.Int64
	Tag        atomic.Int64
	Quarantine atomic.Int64
	Reject     atomic.Int64
	Tempfail   atomic.Int64
	LearnSpam  atomic.Int64
	LearnHam   atomic.Int64
}

// Observe is registered with engine.Observe.
func (s *Stats) Observe(r *pipeline.Result) {
	s.Scanned.Add(1)
	switch r.Verdict.Action {
	case pipeline.ActionAccept:
		s.Accept.Add(1)
	case pipeline.ActionTag:
		s.Tag.Add(1)
	case pipeline.ActionQuarantine:
		s.Quarantine.Add(1)
	case pipeline.ActionReject:
		s.Reject.Add(1)
	case pipeline.ActionTempfail:
		s.Tempfail.Add(1)
	}
}
