package remediate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// recentWindow: an attachment already handled by an automatic run is not
// handled again for this long (a campaign of many caught copies makes one
// run, not one per copy).
const recentWindow = time.Hour

// maxRecent bounds the memory of handled attachments.
const maxRecent = 10000

// Observe is an engine observer (engine.Observe): a message quarantined
// or rejected in one of remediate.automatic_categories that carries
// attachments queues a run over the earlier delivered mail with the same
// attachments. It never blocks the scan: when the queue is full the
// trigger is dropped and logged.
//
// Only attachment hashes trigger: a Message-ID is chosen by the sender,
// and a forged one must not pull someone else's mail.
func (r *Remediator) Observe(res *pipeline.Result) {
	if !r.cfg.Automatic || res == nil {
		return
	}
	if res.Env.Frontend == pipeline.FrontendLearn {
		// Re-scans of reports and console feedback: the report intake
		// starts its own run (trigger "report").
		return
	}
	v := res.Verdict
	if v.Action != pipeline.ActionQuarantine && v.Action != pipeline.ActionReject {
		return
	}
	if !slices.Contains(r.cfg.AutomaticCategories, string(v.Category)) {
		return
	}
	var hashes []string
	for _, a := range v.Attachments {
		if a.SHA256 != "" && len(hashes) < maxHashes {
			hashes = append(hashes, strings.ToLower(a.SHA256))
		}
	}
	if len(hashes) == 0 {
		r.log.Debug("remediation trigger without attachments", "msg_id", res.ID)
		return
	}
	req := Request{Hashes: hashes, DryRun: r.cfg.AutomaticDryRun, Trigger: "verdict", By: "sekisho",
		Reason: "later verdict " + string(v.Category) + " on scan " + res.ID}
	select {
	case r.autoQ <- req:
	default:
		r.log.Warn("remediation trigger dropped: queue full", "msg_id", res.ID)
	}
}

// Start runs the worker that carries out automatic triggers until Close.
func (r *Remediator) Start() {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			select {
			case <-r.stop:
				return
			case req := <-r.autoQ:
				r.auto(req)
			}
		}
	}()
}

func (r *Remediator) auto(req Request) {
	now := time.Now()
	var fresh []string
	for _, h := range req.Hashes {
		if t, ok := r.recent[h]; ok && now.Sub(t) < recentWindow {
			continue
		}
		fresh = append(fresh, h)
	}
	if len(fresh) == 0 {
		return
	}
	if len(r.recent) >= maxRecent {
		clear(r.recent)
	}
	for _, h := range fresh {
		r.recent[h] = now
	}
	req.Hashes = fresh
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-r.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	// The scan that triggered is recorded by the history writer; give it
	// the moment it needs so the run sees the whole history.
	_ = r.q.Flush(ctx)
	run, err := r.Run(ctx, req)
	switch {
	case err == nil:
		r.log.Info("automatic remediation", "run", run.ID, "dry_run", run.DryRun, "state", run.State)
	case errors.Is(err, ErrNoMailbox) || errors.Is(err, ErrNoTarget):
		r.log.Info("automatic remediation: no earlier delivered copy", "reason", req.Reason, "hashes", len(req.Hashes))
	default:
		r.log.Warn("automatic remediation failed", "err", err)
	}
}
