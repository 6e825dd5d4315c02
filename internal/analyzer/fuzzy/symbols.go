package fuzzy

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols.
const (
	SymKnownSpam = "FUZZY_KNOWN_SPAM"
	SymBulk      = "FUZZY_BULK"
)

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: SymKnownSpam, Weight: 6, Category: pipeline.CategorySpam, Group: "fuzzy",
			EN: "The message is a near-duplicate of a known spam campaign (learned, reported or repeatedly held)",
			JA: "既知のスパムキャンペーン(学習・報告済み、または繰り返し隔離)とほぼ同じ内容のメール"},
		pipeline.SymbolDef{Name: SymBulk, Weight: 1, Category: pipeline.CategorySpam, Group: "fuzzy",
			EN: "Many near-identical copies of the message arrived in the last hour (bulk or graymail)",
			JA: "直近1時間にほぼ同一のメールが多数届いている(大量配信・グレイメール)"},
	)
}
