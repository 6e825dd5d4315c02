package engine

import (
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// TestMetaRulesRunAfterEveryCheckTheyRead: the content rules' meta rules
// may name any analyzer's symbol (FROM_FREEMAIL of the sender check), so
// the content analyzer runs in a stage of its own after every other
// analyzer but the lure checks, which read the rules and run after it.
// Two analyzers of one stage run concurrently: a meta rule over a symbol
// of its own stage would fire or not by goroutine luck.
func TestMetaRulesRunAfterEveryCheckTheyRead(t *testing.T) {
	cfg := config.Default()
	cfg.General.DataDir = t.TempDir()
	e, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	stage := map[string]pipeline.Stage{}
	for _, a := range e.Analyzers() {
		st := pipeline.StageMain
		if s, ok := a.(pipeline.Staged); ok {
			st = s.Stage()
		}
		stage[a.Name()] = st
	}
	content, ok := stage["content"]
	if _, lure := stage["lure"]; !ok || !lure || len(stage) < 10 {
		t.Fatalf("content or lure missing among %v", stage)
	}
	for name, st := range stage {
		switch {
		case name == "content":
		case name == "lure":
			if st <= content {
				t.Errorf("lure (stage %d) must run after the content rules (stage %d): it reads them", st, content)
			}
		case st >= content:
			t.Errorf("%s (stage %d) runs with or after the content rules (stage %d): meta rules cannot read its symbols", name, st, content)
		}
	}
}
