package policy

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: "TEST_ENCRYPTED_ZIP", Weight: 0.5, Category: pipeline.CategoryClean, Group: "testarchive", Unscannable: true,
			EN: "an encrypted archive.", JA: "暗号化された書庫。"},
		pipeline.SymbolDef{Name: "TEST_LIMIT_HIT", Weight: 2, Category: pipeline.CategorySpam, Group: "testmime", Unscannable: true,
			EN: "a limit was reached.", JA: "上限に達しました。"},
	)
}

func TestFailClosed(t *testing.T) {
	run := func(name string, mod func(*config.Policy), hs []pipeline.Hit, carries bool, want pipeline.Action, wantCat pipeline.Category) {
		t.Helper()
		p := newPolicy(t, mod)
		v := p.Decide(hs, nil)
		p.FailClosed(&v, carries)
		if v.Action != want || v.Category != wantCat {
			t.Errorf("%s: got %s/%s, want %s/%s (%s)", name, v.Action, v.Category, want, wantCat, v.Explanation)
		}
		if wantCat == pipeline.CategoryUnscannable {
			if !strings.Contains(v.Explanation, "unscannable") || !strings.Contains(v.ExplanationJA, "検査不能") || !strings.Contains(v.Reason, "could not be fully inspected") {
				t.Errorf("%s: explanation does not say unscannable: %q / %q / %q", name, v.Explanation, v.ExplanationJA, v.Reason)
			}
		}
	}
	q, a := pipeline.ActionQuarantine, pipeline.ActionAccept
	run("default quarantines", nil, hits("TEST_ENCRYPTED_ZIP"), true, q, pipeline.CategoryUnscannable)
	run("no attachment or link: untouched", nil, hits("TEST_ENCRYPTED_ZIP"), false, a, pipeline.CategoryClean)
	run("pipeline timeout quarantines", nil, hits(pipeline.SymAnalyzerTimeout), true, q, pipeline.CategoryUnscannable)
	run("stronger verdict kept", nil, hits("TEST_LIMIT_HIT", "TEST_VIRUS"), true, pipeline.ActionReject, pipeline.CategoryMalware)
	run("rule off", func(c *config.Policy) { c.UnscannableAction = "accept" }, hits("TEST_ENCRYPTED_ZIP"), true, a, pipeline.CategoryClean)
	run("reject", func(c *config.Policy) { c.UnscannableAction = "reject" }, hits("TEST_LIMIT_HIT"), true, pipeline.ActionReject, pipeline.CategoryUnscannable)
	run("group override", func(c *config.Policy) {
		c.UnscannableActions = map[string]string{"testarchive": "tag"}
	}, hits("TEST_ENCRYPTED_ZIP"), true, pipeline.ActionTag, pipeline.CategoryUnscannable)
	run("name beats group", func(c *config.Policy) {
		c.UnscannableActions = map[string]string{"testarchive": "accept", "TEST_ENCRYPTED_ZIP": "reject"}
	}, hits("TEST_ENCRYPTED_ZIP"), true, pipeline.ActionReject, pipeline.CategoryUnscannable)
	run("strongest of several", func(c *config.Policy) {
		c.UnscannableActions = map[string]string{"testarchive": "tag"}
	}, hits("TEST_ENCRYPTED_ZIP", "TEST_LIMIT_HIT"), true, q, pipeline.CategoryUnscannable)
	run("disabled symbol holds nothing", func(c *config.Policy) { c.Disabled = []string{"TEST_ENCRYPTED_ZIP"} },
		hits("TEST_ENCRYPTED_ZIP"), true, a, pipeline.CategoryClean)
	run("empty setting fails closed", func(c *config.Policy) { c.UnscannableAction = "" }, hits("TEST_LIMIT_HIT"), true, q, pipeline.CategoryUnscannable)

	// A temporary failure already holds the mail: the sender retries.
	p := newPolicy(t, nil)
	v := p.Decide(hits("TEST_ENCRYPTED_ZIP"), []string{"clamd down"})
	p.FailClosed(&v, true)
	if v.Action != pipeline.ActionTempfail {
		t.Errorf("tempfail: got %s %v", v.Action, v.TempfailReasons)
	}
	// An outbound hold that answers tempfail stays tempfail.
	v = p.DecideFor(hits("TEST_ENCRYPTED_ZIP"), nil, pipeline.Envelope{}, OutboundHold{})
	v.OutboundHold, v.Action = true, pipeline.ActionTempfail
	p.FailClosed(&v, true)
	if v.Action != pipeline.ActionTempfail {
		t.Errorf("outbound tempfail: got %s", v.Action)
	}
}

func TestFailClosedConfigErrors(t *testing.T) {
	for _, mod := range []func(*config.Policy){
		func(c *config.Policy) { c.UnscannableAction = "explode" },
		func(c *config.Policy) { c.UnscannableActions = map[string]string{"NO_SUCH_SYMBOL": "tag"} },
		func(c *config.Policy) { c.UnscannableActions = map[string]string{"testarchive": "explode"} },
	} {
		c := config.Default().Policy
		c.FittedWeights = false
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}
