package policy

import (
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
)

func TestApplyLists(t *testing.T) {
	p := &Policy{}
	check := func(name string, in pipeline.Verdict, m ListMatch, want pipeline.Action, wantCat pipeline.Category) {
		t.Helper()
		v := in
		p.ApplyLists(&v, m)
		if v.Action != want || v.Category != wantCat {
			t.Errorf("%s: got %s/%s, want %s/%s", name, v.Action, v.Category, want, wantCat)
		}
	}
	allow := ListMatch{Allow: true, Entry: "alice@example.jp: partner.example"}
	block := ListMatch{Block: true, Entry: "example.jp: spam.example"}
	check("allow spam", pipeline.Verdict{Action: pipeline.ActionQuarantine, Category: pipeline.CategorySpam}, allow, pipeline.ActionAccept, pipeline.CategoryClean)
	check("allow tag", pipeline.Verdict{Action: pipeline.ActionTag, Category: pipeline.CategorySpam, SubjectPrefix: "[SPAM]"}, allow, pipeline.ActionAccept, pipeline.CategoryClean)
	check("allow never malware", pipeline.Verdict{Action: pipeline.ActionReject, Category: pipeline.CategoryMalware}, allow, pipeline.ActionReject, pipeline.CategoryMalware)
	check("allow never phishing", pipeline.Verdict{Action: pipeline.ActionQuarantine, Category: pipeline.CategoryPhishing}, allow, pipeline.ActionQuarantine, pipeline.CategoryPhishing)
	check("allow keeps tempfail", pipeline.Verdict{Action: pipeline.ActionTempfail, Category: pipeline.CategoryClean}, allow, pipeline.ActionTempfail, pipeline.CategoryClean)
	check("block clean", pipeline.Verdict{Action: pipeline.ActionAccept, Category: pipeline.CategoryClean}, block, pipeline.ActionQuarantine, pipeline.CategorySpam)
	check("block keeps reject", pipeline.Verdict{Action: pipeline.ActionReject, Category: pipeline.CategoryMalware}, block, pipeline.ActionReject, pipeline.CategoryMalware)
	check("none", pipeline.Verdict{Action: pipeline.ActionTag, Category: pipeline.CategorySpam}, ListMatch{}, pipeline.ActionTag, pipeline.CategorySpam)
	v := pipeline.Verdict{Action: pipeline.ActionAccept, Category: pipeline.CategoryClean}
	p.ApplyLists(&v, block)
	if len(v.Symbols) != 1 || v.Symbols[0].Name != SymListBlock || v.ExplanationJA == "" {
		t.Errorf("block symbol/explanation missing: %+v", v)
	}
}
