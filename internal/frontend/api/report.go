package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// report takes a user's "this is spam" report of a delivered message (a
// mail client's report button): reputation and campaign hashes learn it
// (pipeline.FeedbackReport). Answers {"reported": N}, N being how many
// learners took it (0 when reputation and fuzzy hashes are disabled).
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		jsonError(w, http.StatusUnauthorized, "password required")
		return
	}
	var res listen.Reservation
	defer res.Release()
	raw, _, ok := h.read(w, r, &res)
	if !ok {
		return
	}
	d := h.Settings.ScanTimeout.Duration
	if d <= 0 {
		d = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	defer cancel()
	n, err := h.P.Engine.Feedback(ctx, raw, pipeline.FeedbackReport)
	if err != nil {
		jsonError(w, http.StatusServiceUnavailable, "report not learned")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"reported":` + strconv.Itoa(n) + "}\n"))
}
