package web

import (
	"context"

	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// releaseFeedback tells reputation and campaign hashes that a held
// message was released; a failure is logged, the release stands.
func (s *server) releaseFeedback(ctx context.Context, m *quarantine.Message) {
	if s.eng == nil {
		return
	}
	raw := m.Raw
	if raw == nil {
		full, err := s.st.Message(ctx, m.ID, true)
		if err != nil {
			s.log.Warn("release feedback", "quarantine_id", m.ID, "err", err)
			return
		}
		raw = full.Raw
	}
	if _, err := s.eng.Feedback(ctx, raw, pipeline.FeedbackRelease); err != nil {
		s.log.Warn("release feedback", "quarantine_id", m.ID, "msg_id", m.ScanID, "err", err)
	}
}
