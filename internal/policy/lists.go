package policy

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// Symbols of the recipients' allow and block lists (internal/store/lists).
// They carry no weight: ApplyLists changes the action directly.
const (
	SymListAllow = "LIST_USER_ALLOW"
	SymListBlock = "LIST_USER_BLOCK"
)

func init() {
	pipeline.Register(
		pipeline.SymbolDef{Name: SymListAllow, Weight: 0, Category: pipeline.CategoryClean, Group: "lists",
			EN: "The sender is on the recipients' allow list (per user or per domain).",
			JA: "送信者が受信者の許可リスト(ユーザー単位またはドメイン単位)にあります。"},
		pipeline.SymbolDef{Name: SymListBlock, Weight: 0, Category: pipeline.CategorySpam, Group: "lists",
			EN: "The sender is on the recipients' block list (per user or per domain).",
			JA: "送信者が受信者の拒否リスト(ユーザー単位またはドメイン単位)にあります。"},
	)
}

// ListMatch is what the recipients' allow and block lists say about one
// message: Allow when every recipient allows the sender, Block when every
// recipient blocks it (never both). Entry names the matching entry.
type ListMatch struct {
	Allow bool
	Block bool
	Entry string
}

// ApplyLists lets the recipients' lists change a verdict. A block holds
// the message (at least quarantine). An allow delivers it untagged unless
// the verdict is malware or phishing (a From address is easy to forge, and
// malware is never let through by a list) or a tempfail. Applied before
// FailClosed, so what could not be inspected is still held.
func (p *Policy) ApplyLists(v *pipeline.Verdict, m ListMatch) {
	if !m.Allow && !m.Block {
		return
	}
	name := SymListAllow
	if m.Block {
		name = SymListBlock
	}
	def, _ := pipeline.Lookup(name)
	v.Symbols = append(v.Symbols, pipeline.SymbolResult{Name: name, Score: 0, Options: []string{m.Entry},
		Category: def.Category, EN: def.EN, JA: def.JA})
	switch {
	case m.Block:
		if v.Action.Rank() >= pipeline.ActionQuarantine.Rank() {
			return
		}
		v.Action = pipeline.ActionQuarantine
		if v.Category == pipeline.CategoryClean {
			v.Category = pipeline.CategorySpam
		}
		v.SubjectPrefix = ""
		v.Reason = "sender on the recipients' block list (" + m.Entry + ")"
		v.Explanation = fmt.Sprintf("Quarantined: the sender is on the recipients' block list (%s). Score %.2f.", m.Entry, v.Score)
		v.ExplanationJA = fmt.Sprintf("隔離しました。送信者が受信者の拒否リスト(%s)にあります。スコア %.2f。", m.Entry, v.Score)
	case v.Category == pipeline.CategoryMalware || v.Category == pipeline.CategoryPhishing,
		v.Action == pipeline.ActionAccept, v.Action == pipeline.ActionTempfail:
		return
	default:
		was := v.Action
		v.Action = pipeline.ActionAccept
		v.Category = pipeline.CategoryClean
		v.SubjectPrefix = ""
		v.Reason = "sender on the recipients' allow list (" + m.Entry + ")"
		v.Explanation = fmt.Sprintf("Delivered: the sender is on the recipients' allow list (%s); without it: %s (score %.2f).", m.Entry, actionEN[was], v.Score)
		v.ExplanationJA = fmt.Sprintf("配送しました。送信者が受信者の許可リスト(%s)にあります。リストがなければ: %s(スコア %.2f)。", m.Entry, actionJA[was], v.Score)
	}
}
