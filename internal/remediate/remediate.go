// Package remediate pulls delivered mail back out of the recipients'
// mailboxes over IMAP (RFC 9051/3501 with MOVE, RFC 6851, and UIDPLUS,
// RFC 4315) when it turns out to be bad after delivery: an administrator's
// decision, a feed or campaign verdict, or a later scan that quarantines
// or rejects mail carrying the same attachment.
//
// A run starts from Message-IDs, attachment SHA-256 values or a stored
// message. The scan history widens it: every delivered scan with the same
// Message-ID or attachment (internal forwards included, which carry the
// attachment under a new Message-ID) adds its Message-ID and recipients.
// Each recipient's mailbox is opened as the store's master user; every
// folder is searched by Message-ID (confirmed by fetching the field), and
// each copy is moved to the quarantine folder or deleted (a copy kept in
// the database for undo). Every step is recorded; Undo puts the copies
// back where they were. Automatic triggers are dry runs unless
// remediate.automatic_dry_run = false.
package remediate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// Errors.
var (
	ErrDisabled  = errors.New("remediate: disabled (remediate.enabled = false)")
	ErrNoTarget  = errors.New("remediate: nothing to look for: give a Message-ID, an attachment hash or a stored message")
	ErrNoMailbox = errors.New("remediate: no recipient mailbox found in the scan history (give --mailbox)")
	ErrState     = errors.New("remediate: the run is not in a state that allows this")
)

// Bounds of one run.
const (
	maxIDs    = 100
	maxHashes = 100
)

// Remediator finds and removes delivered copies.
type Remediator struct {
	cfg      config.Remediate
	domains  []string
	q        *quarantine.Store
	st       *store
	log      *slog.Logger
	password string

	mu     sync.Mutex // one run acts on mailboxes at a time
	autoQ  chan Request
	recent map[string]time.Time // automatic triggers already handled
	wg     sync.WaitGroup
	stop   chan struct{}
	once   sync.Once
}

// Request says what to remediate.
type Request struct {
	MessageIDs []string // with or without angle brackets
	Hashes     []string // attachment SHA-256 (hex)
	SourceID   string   // a stored message (history or quarantine): its Message-ID and attachments
	Mailboxes  []string // searched in addition to the recipients found in the history
	Action     string   // "move" or "delete"; "" = remediate.action
	DryRun     bool
	Trigger    string // console, cli, verdict, feed, campaign, report
	By         string
	Reason     string
	// NoExpand searches only the given Message-IDs in the given mailboxes.
	NoExpand bool
}

// New opens the remediator over the quarantine store's database.
func New(ctx context.Context, cfg *config.Config, q *quarantine.Store, log *slog.Logger) (*Remediator, error) {
	if !cfg.Remediate.Enabled {
		return nil, ErrDisabled
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var pw []byte
	if cfg.Remediate.Auth == "master" || cfg.Remediate.Auth == "" {
		var err error
		if pw, err = os.ReadFile(cfg.Remediate.MasterPasswordFile); err != nil {
			return nil, fmt.Errorf("remediate: master password: %w", err)
		}
	}
	st, err := openStore(ctx, q.DB(), q.Dialect(), func() time.Time { return q.Now() })
	if err != nil {
		return nil, err
	}
	doms := cfg.Remediate.Domains
	if len(doms) == 0 {
		doms = cfg.General.Domains
	}
	r := &Remediator{cfg: cfg.Remediate, domains: doms, q: q, st: st, log: log.With("component", "remediate"),
		password: strings.TrimRight(strings.SplitN(string(pw), "\n", 2)[0], "\r"),
		autoQ:    make(chan Request, 64), recent: map[string]time.Time{}, stop: make(chan struct{})}
	return r, nil
}

// Close stops the automatic worker (when started) after the run in hand.
func (r *Remediator) Close() {
	r.once.Do(func() { close(r.stop) })
	r.wg.Wait()
}

// Runs lists the newest runs (without items).
func (r *Remediator) Runs(ctx context.Context, limit int) ([]*Run, error) {
	return r.st.list(ctx, limit)
}

// Get returns one run with its items.
func (r *Remediator) Get(ctx context.Context, id string) (*Run, error) {
	return r.st.get(ctx, id, false)
}

func (r *Remediator) ownMailbox(addr string) bool {
	if len(r.domains) == 0 {
		return true
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	d := strings.ToLower(addr[at+1:])
	for _, x := range r.domains {
		if d == x || strings.HasSuffix(d, "."+x) {
			return true
		}
	}
	return false
}

// delivered reports whether a recorded scan let the message through.
func delivered(action string) bool {
	switch pipeline.Action(action) {
	case pipeline.ActionQuarantine, pipeline.ActionReject, pipeline.ActionTempfail:
		return false
	}
	return true
}

// plan fills the Message-IDs and mailboxes of a run from the request and
// the scan history.
func (r *Remediator) plan(ctx context.Context, req Request, run *Run) error {
	ids := map[string]bool{}
	hashes := map[string]bool{}
	boxes := map[string]bool{}
	for _, v := range req.MessageIDs {
		if v = normID(v); v != "" && len(ids) < maxIDs {
			ids[v] = true
		}
	}
	for _, v := range req.Hashes {
		v = strings.ToLower(strings.TrimSpace(v))
		if len(v) == 64 && len(hashes) < maxHashes {
			hashes[v] = true
		}
	}
	for _, v := range req.Mailboxes {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			boxes[v] = true
		}
	}
	if req.SourceID != "" {
		m, err := r.q.Message(ctx, req.SourceID, false)
		if err != nil {
			return err
		}
		if m.MessageID != "" {
			ids[normID(m.MessageID)] = true
		}
		for _, a := range m.Attachments {
			if a.SHA256 != "" && len(hashes) < maxHashes {
				hashes[strings.ToLower(a.SHA256)] = true
			}
		}
		if delivered(m.Action) || !m.ReleasedAt.IsZero() {
			for _, a := range m.Rcpts {
				boxes[strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))] = true
			}
		}
	}
	if len(ids) == 0 && len(hashes) == 0 {
		return ErrNoTarget
	}
	if !req.NoExpand {
		// Two rounds: the Message-IDs and attachments asked for, then the
		// Message-IDs found (another recipient of a forwarded copy).
		queryIDs, queryHashes := keys(ids), keys(hashes)
		for round := 0; round < 2 && (len(queryIDs) > 0 || len(queryHashes) > 0); round++ {
			copies, err := r.q.Copies(ctx, queryIDs, queryHashes, 0)
			if err != nil {
				return err
			}
			var next []string
			for _, c := range copies {
				if !delivered(c.Action) {
					continue
				}
				if id := normID(c.MessageID); id != "" && !ids[id] && len(ids) < maxIDs {
					ids[id] = true
					next = append(next, id)
				}
				for _, a := range c.Rcpts {
					boxes[a] = true
				}
			}
			queryIDs, queryHashes = next, nil
		}
	}
	for b := range boxes {
		if !r.ownMailbox(b) || !strings.Contains(b, "@") && len(r.domains) > 0 {
			delete(boxes, b)
		}
	}
	run.MessageIDs, run.Hashes, run.Mailboxes = keys(ids), keys(hashes), keys(boxes)
	if len(run.Mailboxes) > r.cfg.MaxMailboxes {
		run.Mailboxes = run.Mailboxes[:r.cfg.MaxMailboxes]
	}
	if len(run.MessageIDs) == 0 {
		return ErrNoTarget
	}
	if len(run.Mailboxes) == 0 {
		return ErrNoMailbox
	}
	return nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Run plans and carries out (or, with DryRun, only records) a remediation.
func (r *Remediator) Run(ctx context.Context, req Request) (*Run, error) {
	action := req.Action
	if action == "" {
		action = r.cfg.Action
	}
	if action != "move" && action != "delete" {
		return nil, fmt.Errorf("remediate: action %q: want move or delete", action)
	}
	run := &Run{ID: newRunID(), Created: r.st.now(), Trigger: req.Trigger, By: req.By, Reason: req.Reason,
		Action: action, DryRun: req.DryRun, SourceID: req.SourceID}
	if err := r.plan(ctx, req, run); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.execute(ctx, run)
	if err := r.st.save(ctx, run); err != nil {
		return run, err
	}
	r.log.Info("remediation", "run", run.ID, "trigger", run.Trigger, "by", run.By, "dry_run", run.DryRun,
		"action", run.Action, "state", run.State, "mailboxes", len(run.Mailboxes), "counts", run.Counts())
	return run, nil
}

// execute visits every mailbox of run.
func (r *Remediator) execute(ctx context.Context, run *Run) {
	okBoxes, failed := 0, 0
	for _, box := range run.Mailboxes {
		if ctx.Err() != nil {
			run.Items = append(run.Items, Item{Mailbox: box, State: ItemFailed, Error: ctx.Err().Error()})
			failed++
			continue
		}
		items, err := r.inMailbox(ctx, run, box)
		run.Items = append(run.Items, items...)
		if err != nil {
			run.Items = append(run.Items, Item{Mailbox: box, State: ItemFailed, Error: err.Error()})
			r.log.Warn("remediation: mailbox failed", "run", run.ID, "mailbox", box, "err", err)
			failed++
			continue
		}
		okBoxes++
		if len(items) == 0 {
			run.Items = append(run.Items, Item{Mailbox: box, State: ItemNotFound})
		}
	}
	switch {
	case run.DryRun:
		run.State = RunDryRun
	case failed == 0:
		run.State = RunDone
	case okBoxes == 0:
		run.State = RunFailed
	default:
		run.State = RunPartial
	}
}

// inMailbox searches one mailbox and acts on what it finds.
func (r *Remediator) inMailbox(ctx context.Context, run *Run, box string) ([]Item, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout.Duration)
	defer cancel()
	m, err := r.open(ctx, box)
	if err != nil {
		return nil, err
	}
	defer m.close()
	qf := r.cfg.QuarantineFolder
	folders, err := m.folders(qf, r.cfg.MaxFolders)
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, f := range folders {
		if ctx.Err() != nil {
			return items, ctx.Err()
		}
		if _, err := m.c.Select(f, run.DryRun); err != nil {
			return items, fmt.Errorf("remediate: SELECT %s: %w", f, err)
		}
		for _, id := range run.MessageIDs {
			hits, err := m.find(id)
			if err != nil {
				return items, err
			}
			if len(hits) == 0 {
				continue
			}
			if run.DryRun {
				st := ItemWouldMove
				if run.Action == "delete" {
					st = ItemWouldDelete
				}
				for _, h := range hits {
					items = append(items, Item{Mailbox: box, Folder: f, MessageID: id, State: st, Flags: h.flags})
				}
				continue
			}
			got, err := r.act(m, run.Action, f, id, hits)
			items = append(items, got...)
			if err != nil {
				return items, err
			}
		}
	}
	return items, nil
}

// act moves or deletes the copies hits of id in the selected folder f.
func (r *Remediator) act(m *mailbox, action, f, id string, hits []found) ([]Item, error) {
	var items []Item
	uids := make([]uint32, 0, len(hits))
	for _, h := range hits {
		uids = append(uids, h.uid)
	}
	switch action {
	case "move":
		if err := m.ensureFolder(r.cfg.QuarantineFolder); err != nil {
			return nil, err
		}
		if err := m.move(uids, r.cfg.QuarantineFolder); err != nil {
			return nil, err
		}
		for _, h := range hits {
			items = append(items, Item{Mailbox: m.user, Folder: f, MessageID: id, State: ItemMoved, Flags: h.flags})
		}
	case "delete":
		var keep []uint32
		for _, h := range hits {
			raw, err := m.fetchRaw(h.uid, r.cfg.MaxCopyBytes)
			if err != nil {
				items = append(items, Item{Mailbox: m.user, Folder: f, MessageID: id, State: ItemFailed, Error: err.Error()})
				continue
			}
			keep = append(keep, h.uid)
			items = append(items, Item{Mailbox: m.user, Folder: f, MessageID: id, State: ItemDeleted, Flags: h.flags, copy: raw})
		}
		if len(keep) > 0 {
			if err := m.expunge(keep); err != nil {
				for i := range items {
					if items[i].State == ItemDeleted {
						items[i].State, items[i].Error, items[i].copy = ItemFailed, err.Error(), nil
					}
				}
				return items, err
			}
		}
	}
	return items, nil
}

// Apply carries out a dry run: the same Message-IDs in the same
// mailboxes, as a new run; the dry run is marked applied.
func (r *Remediator) Apply(ctx context.Context, id, by string) (*Run, error) {
	old, err := r.st.get(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if old.State != RunDryRun {
		return nil, fmt.Errorf("%w: %s is %s, not a dry run", ErrState, id, old.State)
	}
	run, err := r.Run(ctx, Request{MessageIDs: old.MessageIDs, Mailboxes: old.Mailboxes, Action: old.Action,
		Trigger: "apply", By: by, Reason: "apply " + old.ID + ": " + old.Reason, NoExpand: true, SourceID: old.SourceID})
	if err != nil {
		return nil, err
	}
	old.State, old.AppliedBy = RunApplied, by+" → "+run.ID
	full, err := r.st.get(ctx, id, true)
	if err == nil {
		full.State, full.AppliedBy = old.State, old.AppliedBy
		err = r.st.save(ctx, full)
	}
	return run, err
}

// Undo puts the copies of a run back: moved ones from the quarantine
// folder into the folder they came from, deleted ones appended from the
// copy kept.
func (r *Remediator) Undo(ctx context.Context, id, by string) (*Run, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	run, err := r.st.get(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if run.DryRun || run.State == RunUndone || run.State == RunApplied {
		return nil, fmt.Errorf("%w: %s is %s", ErrState, id, run.State)
	}
	byBox := map[string][]int{}
	var order []string
	for i, it := range run.Items {
		if it.State != ItemMoved && it.State != ItemDeleted {
			continue
		}
		if _, ok := byBox[it.Mailbox]; !ok {
			order = append(order, it.Mailbox)
		}
		byBox[it.Mailbox] = append(byBox[it.Mailbox], i)
	}
	failed := 0
	for _, box := range order {
		if err := r.undoMailbox(ctx, run, box, byBox[box]); err != nil {
			failed++
			r.log.Warn("remediation undo: mailbox failed", "run", run.ID, "mailbox", box, "err", err)
		}
	}
	if failed == 0 {
		run.State = RunUndone
	}
	run.Reason = strings.TrimSpace(run.Reason + fmt.Sprintf(" [undo by %s]", by))
	if err := r.st.save(ctx, run); err != nil {
		return run, err
	}
	r.log.Info("remediation undone", "run", run.ID, "by", by, "counts", run.Counts())
	if failed > 0 {
		return run, fmt.Errorf("remediate: undo: %d mailboxes failed", failed)
	}
	return run, nil
}

func (r *Remediator) undoMailbox(ctx context.Context, run *Run, box string, idx []int) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout.Duration)
	defer cancel()
	m, err := r.open(ctx, box)
	if err != nil {
		for _, i := range idx {
			run.Items[i].Error = err.Error()
		}
		return err
	}
	defer m.close()
	// Deleted copies: append them back.
	var moved []int
	for _, i := range idx {
		it := &run.Items[i]
		if it.State == ItemMoved {
			moved = append(moved, i)
			continue
		}
		if it.copy == nil {
			it.Error = "no copy kept"
			continue
		}
		if err := m.appendMsg(it.Folder, it.Flags, it.copy); err != nil {
			it.Error = err.Error()
			return err
		}
		it.State, it.Error, it.copy, it.Updated = ItemRestored, "", nil, r.st.now()
	}
	if len(moved) == 0 {
		return nil
	}
	if _, err := m.c.Select(r.cfg.QuarantineFolder, false); err != nil {
		return fmt.Errorf("remediate: SELECT %s: %w", r.cfg.QuarantineFolder, err)
	}
	// Moved copies: per Message-ID, as many as were moved, back to
	// their folders (the newest in the quarantine folder first).
	byID := map[string][]int{}
	var ids []string
	for _, i := range moved {
		id := run.Items[i].MessageID
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], i)
	}
	for _, id := range ids {
		hits, err := m.find(id)
		if err != nil {
			return err
		}
		slices.SortFunc(hits, func(a, b found) int { return int(b.uid) - int(a.uid) })
		for n, i := range byID[id] {
			it := &run.Items[i]
			if n >= len(hits) {
				it.Error = "not in " + r.cfg.QuarantineFolder + " any more"
				continue
			}
			if err := m.move([]uint32{hits[n].uid}, it.Folder); err != nil {
				it.Error = err.Error()
				return err
			}
			it.State, it.Error, it.Updated = ItemRestored, "", r.st.now()
		}
	}
	return nil
}
