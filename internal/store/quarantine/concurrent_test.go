package quarantine_test

import (
	"context"
	"sync"
	"testing"

	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/testutil"
)

// TestPostgresInstancesStartTogether: several instances opening one
// empty PostgreSQL database at once all get the schema (the set-up runs
// under an advisory lock).
func TestPostgresInstancesStartTogether(t *testing.T) {
	dsn := testutil.Postgres(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := quarantine.Open(context.Background(), testConfig(t, "postgres", dsn), nil)
			if err == nil {
				err = st.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}
