package policy

import (
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// failClosed is the fail-closed rule: [policy] unscannable_action and its
// per-kind overrides, [policy.unscannable_actions].
type failClosed struct {
	def    pipeline.Action
	byKey  map[string]pipeline.Action // symbol name or group
	active bool                       // some action above accept
}

func newFailClosed(c config.Policy) (failClosed, error) {
	f := failClosed{def: pipeline.ActionQuarantine, byKey: map[string]pipeline.Action{}}
	if c.UnscannableAction != "" {
		a, err := pipeline.ParseAction(c.UnscannableAction)
		if err != nil {
			return f, fmt.Errorf("policy: unscannable_action: %w", err)
		}
		f.def = a
	}
	groups := map[string]bool{}
	for _, d := range pipeline.AllSymbols() {
		groups[d.Group] = true
	}
	f.active = f.def != pipeline.ActionAccept
	for k, act := range c.UnscannableActions {
		if _, ok := pipeline.Lookup(k); !ok && !groups[k] {
			return f, fmt.Errorf("policy: unscannable_actions: %q is neither a symbol nor a symbol group (see 'sekisho symbols')", k)
		}
		a, err := pipeline.ParseAction(act)
		if err != nil {
			return f, fmt.Errorf("policy: unscannable_actions.%s: %w", k, err)
		}
		f.byKey[k] = a
		if a != pipeline.ActionAccept {
			f.active = true
		}
	}
	return f, nil
}

// actionFor is the least action one unscannable symbol asks for.
func (f failClosed) actionFor(d pipeline.SymbolDef) pipeline.Action {
	if a, ok := f.byKey[d.Name]; ok {
		return a
	}
	if a, ok := f.byKey[d.Group]; ok {
		return a
	}
	return f.def
}

// Carries reports whether a scanned message carries something that can
// deliver a threat: an attachment (or an inner file an analyzer
// recorded) or a link. The fail-closed rule only holds such mail.
func Carries(r *pipeline.Result) bool {
	if r == nil {
		return false
	}
	if len(r.URLs) > 0 || len(r.Verdict.Attachments) > 0 {
		return true
	}
	if r.Msg != nil {
		if len(r.Msg.Attachments) > 0 || len(r.Msg.URLs) > 0 {
			return true
		}
	}
	return false
}

// FailClosed applies the fail-closed rule to a verdict: when the message
// carries an attachment or a link (carries) and a symbol marked
// Unscannable is on the verdict (a disabled symbol is not), the action is
// raised to at least what [policy] unscannable_action (or its override
// for that symbol or group) says. When the rule raises the action, the
// verdict's category is "unscannable" and the explanation says what could
// not be inspected. A tempfail verdict (a required check could not finish
// and the sender will retry, or an outbound hold) delivers nothing and is
// left alone.
func (p *Policy) FailClosed(v *pipeline.Verdict, carries bool) {
	if !carries || !p.unscannable.active || v.Action == pipeline.ActionTempfail {
		return
	}
	least := pipeline.ActionAccept
	var found []pipeline.SymbolResult
	for _, s := range v.Symbols {
		d, ok := pipeline.Lookup(s.Name)
		if !ok || !d.Unscannable {
			continue
		}
		a := p.unscannable.actionFor(d)
		if a == pipeline.ActionAccept {
			continue
		}
		found = append(found, s)
		if a.Rank() > least.Rank() {
			least = a
		}
	}
	if len(found) == 0 || least.Rank() <= v.Action.Rank() {
		return
	}
	v.Action = least
	v.Category = pipeline.CategoryUnscannable
	v.SubjectPrefix = ""
	if least == pipeline.ActionTag && p.prefix != "" {
		v.SubjectPrefix = p.prefix
	}
	v.Explanation, v.ExplanationJA, v.Reason = explainUnscannable(v, found)
}

func explainUnscannable(v *pipeline.Verdict, found []pipeline.SymbolResult) (en, ja, reason string) {
	var enB, jaB strings.Builder
	fmt.Fprintf(&enB, "%s as unscannable (score %.2f): the message carries an attachment or a link and sekisho could not inspect all of it, so it fails closed. ", actionEN[v.Action], v.Score)
	fmt.Fprintf(&jaB, "検査不能として%s(スコア %.2f)。添付ファイルまたはリンクを含むメッセージの一部を検査できなかったため、安全側に倒しました。", actionJA[v.Action], v.Score)
	names := make([]string, 0, len(found))
	for i, s := range found {
		if i < 3 {
			if i > 0 {
				enB.WriteString(" ")
			}
			enB.WriteString(strings.TrimSuffix(s.EN, ".") + evidence(s) + ".")
			jaB.WriteString(strings.TrimSuffix(s.JA, "。") + evidence(s) + "。")
		}
		names = append(names, s.Name)
	}
	enB.WriteString(" " + adviceEN[pipeline.CategoryUnscannable])
	jaB.WriteString(adviceJA[pipeline.CategoryUnscannable])
	return enB.String(), jaB.String(), fmt.Sprintf("message could not be fully inspected (%s)", strings.Join(names, ", "))
}
