package sender

import "testing"

var titleSamples = []string{
	"", "John Smith, CEO", "ceo", "CEOx", "xceo", "the Vice President", "Managing Director", "VP_Sales", "vp-sales",
	"Pre\u017fident", "田中 社長", "代表取締役 山田", "Treasurer's office", "é ceo é", "cfo1", "Director\n", "CTO@example",
}

func TestExecTitleScan(t *testing.T) {
	for _, s := range titleSamples {
		if got, want := hasExecTitle(s), execTitle.MatchString(s); got != want {
			t.Errorf("hasExecTitle(%q) = %v, regexp %v", s, got, want)
		}
	}
}

func FuzzExecTitle(f *testing.F) {
	for _, s := range titleSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasExecTitle(s), execTitle.MatchString(s); got != want {
			t.Fatalf("hasExecTitle(%q) = %v, regexp %v", s, got, want)
		}
		if findAddrInName(s) == nil && addrInName.FindStringSubmatch(s) != nil {
			t.Fatalf("findAddrInName(%q) = nil", s)
		}
	})
}
