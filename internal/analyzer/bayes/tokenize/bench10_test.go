package tokenize

import "testing"

// BenchmarkMessageToSA tokenizes the SpamAssassin test split (scheme 2,
// as the classifier does), one message an iteration, for callgrind's
// instruction counts of the tokenizer alone (skipped without
// SEKISHO_CORPUS).
func BenchmarkMessageToSA(b *testing.B) {
	msgs := corpusMessages(1, "test/ham", "test/spam")
	if len(msgs) == 0 {
		b.Skip("SEKISHO_CORPUS not set")
	}
	Preload() // in every run: the callgrind diff of two counts leaves it out
	var tk Tokens
	opt := Options{Scheme: SchemePairMix}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		MessageTo(&tk, msgs[i%len(msgs)], nil, opt)
	}
}
