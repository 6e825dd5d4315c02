package content

import "testing"

// BenchmarkLitScanSATest scans the normalised bodies of the SA test split
// with the shipped rules' literal index (the scan alone); one op is one
// body.
func BenchmarkLitScanSATest(b *testing.B) {
	_, fields := corpusFields(b, "test/ham", "test/spam")
	a := shippedAnalyzer(b)
	bodies := make([]string, len(fields))
	for i, f := range fields {
		bodies[i] = Normalize(f["body"])
	}
	var r scanResult
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.lits.scanInto(&r, bodies[i%len(bodies)])
		a.lits.release(&r)
	}
}

// BenchmarkNormalizeSATest normalises the bodies of the SA test split;
// one op is one body.
func BenchmarkNormalizeSATest(b *testing.B) {
	_, fields := corpusFields(b, "test/ham", "test/spam")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		normalize(fields[i%len(fields)]["body"])
	}
}
