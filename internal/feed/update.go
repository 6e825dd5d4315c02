package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sekisho/sekisho/internal/config"
)

// Result is the outcome of one feed's update.
type Result struct {
	Feed    string
	Added   []Indicator // indicators new in this update
	Expired int64
	Skipped int
	Err     error
	Took    time.Duration
}

// Update fetches one feed and stores what it carries: a list, CSV or
// bundle replaces the feed's indicators; a TAXII collection adds what was
// added since the last poll (revoked objects are removed). Expired
// indicators are dropped.
func Update(ctx context.Context, st *Store, fe *Fetcher, f config.Feed) Result {
	f = f.WithFeedDefaults()
	start := time.Now()
	res := Result{Feed: f.Name}
	ctx, cancel := context.WithTimeout(ctx, f.Timeout.Duration)
	defer cancel()
	states, err := st.States(ctx)
	if err != nil {
		res.Err = err
		return res
	}
	cursor := states[f.Name].Cursor
	newCursor := ""
	switch f.Type {
	case "taxii":
		newCursor, res.Err = fe.pollTAXII(ctx, f, cursor, func(b *Batch) error {
			res.Skipped += b.Skipped
			added, err := st.Apply(ctx, f.Name, b, false, Now())
			// A later page replaces or revokes objects of earlier ones.
			gone := map[string]bool{}
			for _, id := range append(append([]string(nil), b.Objects...), b.Revoked...) {
				gone[id] = true
			}
			keep := res.Added[:0]
			for _, in := range res.Added {
				if !gone[objOf(in.Ref)] {
					keep = append(keep, in)
				}
			}
			res.Added = append(keep, added...)
			return err
		})
	default:
		var b []byte
		if b, res.Err = fe.document(ctx, f); res.Err == nil {
			var bt *Batch
			if bt, res.Err = Parse(f, b); res.Err == nil {
				res.Skipped = bt.Skipped
				res.Added, res.Err = st.Apply(ctx, f.Name, bt, true, Now())
			}
		}
	}
	if n, err := st.Expire(ctx, f.Name, f.MaxAge.Duration, Now()); err != nil {
		res.Err = errors.Join(res.Err, err)
	} else {
		res.Expired = n
	}
	// Indicators not yet valid or already expired are not "new" for a hunt.
	now := Now().Unix()
	live := res.Added[:0]
	for _, ind := range res.Added {
		if ind.ValidUntil > 0 && ind.ValidUntil <= now {
			continue
		}
		live = append(live, ind)
	}
	res.Added = live
	if err := st.SaveState(context.WithoutCancel(ctx), f.Name, newCursor, Now(), res.Err); err != nil {
		res.Err = errors.Join(res.Err, err)
	}
	res.Took = time.Since(start)
	return res
}

// UpdateAll updates the named feeds (all when names is empty) one after
// another.
func UpdateAll(ctx context.Context, st *Store, fe *Fetcher, feeds []config.Feed, names []string, log *slog.Logger) ([]Result, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Result
	for _, f := range feeds {
		if len(want) > 0 && !want[f.Name] {
			continue
		}
		delete(want, f.Name)
		r := Update(ctx, st, fe, f)
		if log != nil {
			if r.Err != nil {
				log.Warn("feed update failed", "feed", f.Name, "err", r.Err)
			} else {
				log.Info("feed updated", "feed", f.Name, "new", len(r.Added), "expired", r.Expired, "skipped", r.Skipped, "took", r.Took)
			}
		}
		out = append(out, r)
	}
	for n := range want {
		return out, fmt.Errorf("feed: no feed named %q", n)
	}
	return out, nil
}
