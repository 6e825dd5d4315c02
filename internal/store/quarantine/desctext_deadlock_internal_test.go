package quarantine

import (
	"context"
	"fmt"
	"github.com/sekisho/sekisho/internal/pipeline"
	"testing"
)

// Through the public path: two instances on one PostgreSQL hold scans
// (and record their history) at once; each scan names two fresh pairs,
// the symbols sorted by name, in batches the writer commits together.
func TestHoldNewTextsNoDeadlock(t *testing.T) {
	st := openPooled(t, "postgres")
	st.cfg.Quarantine.History = true
	ctx := context.Background()
	st2, err := Open(ctx, st.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	raw := []byte("From: a@example.com\r\nSubject: s\r\nMessage-ID: <x@example.com>\r\n\r\nbody\r\n")
	const rounds = 40
	errc := make(chan error, 4*rounds)
	done := make(chan struct{})
	for g, s := range []*Store{st, st2, st, st2} {
		go func(g int, s *Store) {
			defer func() { done <- struct{}{} }()
			for i := 0; i < rounds; i++ {
				r := textsResult(fmt.Sprintf("scan-%d-%d", g, i), "")
				// two fresh pairs a round, in an order that depends on g
				x := fmt.Sprintf(" round %d x", i)
				y := fmt.Sprintf(" round %d y", i)
				if g%2 == 1 {
					x, y = y, x
				}
				r.Verdict.Symbols[0].EN += x
				r.Verdict.Symbols[7].EN += y
				r.Verdict.Action = pipeline.ActionQuarantine
				if _, err := s.Hold(ctx, append([]byte(fmt.Sprintf("X-G: %d %d\r\n", g, i)), raw...), r); err != nil {
					errc <- err
				}
			}
		}(g, s)
	}
	for i := 0; i < 4; i++ {
		<-done
	}
	close(errc)
	n := 0
	for err := range errc {
		n++
		if n < 3 {
			t.Logf("Hold: %v", err)
		}
	}
	if n > 0 {
		t.Errorf("%d holds failed", n)
	}
}
