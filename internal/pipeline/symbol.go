// Package pipeline defines the contract between analyzers and the policy:
// analyzers report named findings (symbols) on a Task; the policy alone
// turns them into a Verdict. It imports no front end, store or metrics
// library.
package pipeline

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Category is what kind of threat a symbol (and a verdict) points at.
type Category string

// Categories, in the order the policy prefers them on a tie.
const (
	CategoryClean     Category = "clean"
	CategorySpam      Category = "spam"
	CategoryPhishing  Category = "phishing"
	CategoryMalware   Category = "malware"
	CategoryBEC       Category = "bec"
	CategoryExtortion Category = "extortion"
	CategoryFraud     Category = "fraud"
	// CategoryUnscannable is the verdict category when the fail-closed
	// rule ([policy] unscannable_action) held the mail: something in it
	// could not be inspected. No symbol points at it.
	CategoryUnscannable Category = "unscannable"
)

// Categories lists every category.
var Categories = []Category{CategoryClean, CategorySpam, CategoryPhishing, CategoryMalware, CategoryBEC, CategoryExtortion, CategoryFraud, CategoryUnscannable}

// Action is what happens to a message.
type Action string

// Actions, from mildest to strongest (tempfail is apart: "try again").
const (
	ActionAccept     Action = "accept"
	ActionTag        Action = "tag"
	ActionQuarantine Action = "quarantine"
	ActionReject     Action = "reject"
	ActionTempfail   Action = "tempfail"
)

// Rank orders actions by strength (tempfail ranks between tag and quarantine
// only for comparisons; the policy treats it specially).
func (a Action) Rank() int {
	switch a {
	case ActionAccept:
		return 0
	case ActionTag:
		return 1
	case ActionTempfail:
		return 2
	case ActionQuarantine:
		return 3
	case ActionReject:
		return 4
	}
	return -1
}

// ParseAction validates an action name.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case ActionAccept, ActionTag, ActionQuarantine, ActionReject, ActionTempfail:
		return a, nil
	}
	return "", fmt.Errorf("pipeline: unknown action %q (want accept, tag, quarantine, reject or tempfail)", s)
}

// ParseCategory validates a category name.
func ParseCategory(s string) (Category, error) {
	for _, c := range Categories {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("pipeline: unknown category %q", s)
}

// SymbolDef declares a symbol: its stable name, default weight, the
// category it points at and a one-line explanation in English and Japanese.
type SymbolDef struct {
	Name     string   // UPPER_SNAKE with a family prefix (HDR_, MIME_, SPF_, URL_, ...)
	Weight   float64  // default score; the policy's weight table may override it
	Category Category // what it indicates; CategoryClean for neutral or good signs
	Group    string   // family, for docs and the console: "header", "mime", "auth", ...
	EN       string   // one-line explanation, English
	JA       string   // one-line explanation, Japanese
	// MinAction, when set, is the least action the policy takes when the
	// symbol fires, whatever the score (e.g. a virus found by clamd).
	MinAction Action
	// OutboundHold marks symbols of outbound abuse tracking: when one
	// fires for an authenticated sender, the policy holds the mail as
	// [serve.outbound] hold_action says (quarantine or tempfail).
	OutboundHold bool
	// Unscannable marks findings that say sekisho could not inspect
	// something (a limit reached, a deadline or analyzer error, an
	// encrypted archive or document with no password found, a format it
	// cannot open). The policy's fail-closed rule acts on them: mail that
	// carries an attachment or a link and has one of them is held at
	// least as [policy] unscannable_action says. Never silently clean.
	Unscannable bool
}

var (
	regMu    sync.RWMutex
	registry = map[string]SymbolDef{}
	nameRe   = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)
)

// Register declares symbols. It panics on a duplicate or malformed name,
// so a mistake shows at start-up (call it from package init).
func Register(defs ...SymbolDef) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, d := range defs {
		if !nameRe.MatchString(d.Name) {
			panic("pipeline: malformed symbol name " + d.Name)
		}
		if _, dup := registry[d.Name]; dup {
			panic("pipeline: duplicate symbol " + d.Name)
		}
		if d.EN == "" || d.JA == "" {
			panic("pipeline: symbol " + d.Name + " needs English and Japanese explanations")
		}
		if d.Category == "" {
			d.Category = CategorySpam
		}
		registry[d.Name] = d
	}
}

// Lookup returns a symbol's definition.
func Lookup(name string) (SymbolDef, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	d, ok := registry[name]
	return d, ok
}

// AllSymbols returns every registered symbol, sorted by group then name.
func AllSymbols() []SymbolDef {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]SymbolDef, 0, len(registry))
	for _, d := range registry {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Symbols the pipeline itself emits.
const (
	SymAnalyzerError   = "PIPELINE_ANALYZER_ERROR"
	SymAnalyzerTimeout = "PIPELINE_ANALYZER_TIMEOUT"
	SymAnalyzerPanic   = "PIPELINE_ANALYZER_PANIC"
	SymScanTimeout     = "PIPELINE_SCAN_TIMEOUT"
)

func init() {
	Register(
		SymbolDef{Name: SymAnalyzerError, Weight: 0, Category: CategoryClean, Group: "pipeline", Unscannable: true,
			EN: "An analyzer failed on this message; its checks are missing from the score.",
			JA: "解析器の一つがこのメッセージで失敗しました。その検査結果はスコアに含まれていません。"},
		SymbolDef{Name: SymAnalyzerTimeout, Weight: 0, Category: CategoryClean, Group: "pipeline", Unscannable: true,
			EN: "An analyzer ran out of time; its checks are missing from the score.",
			JA: "解析器が制限時間内に終わりませんでした。その検査結果はスコアに含まれていません。"},
		SymbolDef{Name: SymAnalyzerPanic, Weight: 0, Category: CategoryClean, Group: "pipeline", Unscannable: true,
			EN: "An analyzer crashed on this message (recovered); please report it with the message.",
			JA: "解析器がこのメッセージで異常終了しました(回復済み)。メッセージを添えて報告してください。"},
		SymbolDef{Name: SymScanTimeout, Weight: 0, Category: CategoryClean, Group: "pipeline", Unscannable: true,
			EN: "The whole scan ran out of time; the verdict rests on the checks that finished.",
			JA: "スキャン全体が制限時間を超えました。判定は完了した検査のみに基づいています。"},
	)
}
