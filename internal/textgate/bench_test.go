package textgate

import (
	"strings"
	"testing"
)

var benchText = strings.Repeat("Dear Customer, Your Mailbox Quota has been exceeded. Please contact the IT Help Desk at http://example.com/login to restore access; the sum of US$10,500 is due. ", 40)

// BenchmarkFactorsOf is the analysis a rule's regex goes through when the
// rules are compiled.
func BenchmarkFactorsOf(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		FactorsOf(`(us ?\$|usd|\$|£|€|eur|gbp) ?\d{1,3}([,.]\d{3}){2,}`)
		FactorsOf(`\d+([.,]\d+)? ?(million|billion|m) (us )?(dollars|usd|pounds|euros|gbp|eur)`)
	}
}

func BenchmarkFactorIn(b *testing.B) {
	f := FactorOf(`(us ?\$|usd|\$|£|€|eur|gbp) ?\d{1,3}([,.]\d{3}){2,}`)
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f.In(benchText)
	}
}

// BenchmarkMayMatchFold is the literal precheck of a (?i) regex on text
// with capitals and none of its literals.
func BenchmarkMayMatchFold(b *testing.B) {
	g := MustCompile(`(?i)\b(?:tax (?:office|authority)|internal revenue|hmrc|customs|border (?:force|protection)|interpol|europol)\b`)
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		g.MayMatch(benchText)
	}
}
