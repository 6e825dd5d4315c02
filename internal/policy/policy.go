// Package policy turns the symbols analyzers reported into a verdict: a
// score from the weight table, an action from the thresholds, a category
// from which kind of symbols carried the score, and an explanation a mail
// administrator can act on, in English and Japanese.
package policy

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Policy is an immutable, validated decision table.
type Policy struct {
	tag, quarantine, reject float64
	rewrite                 float64
	prefix                  string
	weights                 map[string]float64
	catAction               map[pipeline.Category]pipeline.Action
	disabled                map[string]bool
	unscannable             failClosed // the fail-closed rule (unscannable.go)
}

// New builds a policy from configuration.
func New(c config.Policy) (*Policy, error) {
	p := &Policy{
		tag: c.TagScore, quarantine: c.QuarantineScore, reject: c.RejectScore,
		rewrite: c.RewriteSubjectScore, prefix: c.SubjectPrefix,
		weights: map[string]float64{}, catAction: map[pipeline.Category]pipeline.Action{},
		disabled: map[string]bool{},
	}
	// Precedence: symbol default < shipped fitted weights < weights_file <
	// [policy.weights].
	if c.FittedWeights {
		fw, err := FittedWeights()
		if err != nil {
			return nil, err
		}
		for name, w := range fw {
			if _, ok := pipeline.Lookup(name); !ok {
				return nil, fmt.Errorf("policy: shipped fitted weights: unknown symbol %q (regenerate with scripts/fit-weights.sh)", name)
			}
			p.weights[name] = w
		}
	}
	for name, w := range c.FileWeights {
		if _, ok := pipeline.Lookup(name); !ok {
			return nil, fmt.Errorf("policy: weights_file %s: unknown symbol %q (see 'sekisho symbols')", c.WeightsFile, name)
		}
		p.weights[name] = w
	}
	for name, w := range c.Weights {
		if _, ok := pipeline.Lookup(name); !ok {
			return nil, fmt.Errorf("policy: weights: unknown symbol %q (see 'sekisho symbols')", name)
		}
		p.weights[name] = w
	}
	for cat, act := range c.CategoryActions {
		cc, err := pipeline.ParseCategory(cat)
		if err != nil {
			return nil, fmt.Errorf("policy: category_actions: %w", err)
		}
		a, err := pipeline.ParseAction(act)
		if err != nil {
			return nil, fmt.Errorf("policy: category_actions.%s: %w", cat, err)
		}
		p.catAction[cc] = a
	}
	for _, d := range c.Disabled {
		if _, ok := pipeline.Lookup(d); !ok {
			return nil, fmt.Errorf("policy: disabled: unknown symbol %q", d)
		}
		p.disabled[d] = true
	}
	fc, err := newFailClosed(c)
	if err != nil {
		return nil, err
	}
	p.unscannable = fc
	return p, nil
}

//go:embed fitted.toml
var fittedTOML string

// FittedWeights returns the weights sekisho ships fitted on labelled mail
// (fitted.toml, written by scripts/fit-weights.sh with 'sekisho tune').
func FittedWeights() (map[string]float64, error) {
	w, err := config.ParseWeights(fittedTOML, "internal/policy/fitted.toml")
	if err != nil {
		return nil, fmt.Errorf("policy: shipped fitted weights: %w", err)
	}
	return w, nil
}

// RejectScore is the score at which mail is rejected (Rspamd's required_score).
func (p *Policy) RejectScore() float64 { return p.reject }

// TagScore is the score at which mail is tagged.
func (p *Policy) TagScore() float64 { return p.tag }

// Weight returns the effective weight of a symbol.
func (p *Policy) Weight(name string) float64 {
	if w, ok := p.weights[name]; ok {
		return w
	}
	if d, ok := pipeline.Lookup(name); ok {
		return d.Weight
	}
	return 0
}

// category priority on ties: the more specific and dangerous first.
var catPriority = map[pipeline.Category]int{
	pipeline.CategoryMalware: 6, pipeline.CategoryPhishing: 5, pipeline.CategoryBEC: 4,
	pipeline.CategoryExtortion: 3, pipeline.CategoryFraud: 2, pipeline.CategorySpam: 1,
}

// Decide scores hits and returns the verdict.
func (p *Policy) Decide(hits []pipeline.Hit, tempfail []string) pipeline.Verdict {
	v := pipeline.Verdict{Action: pipeline.ActionAccept, Category: pipeline.CategoryClean, RequiredScore: p.reject}
	catScore := map[pipeline.Category]float64{}
	minAction := pipeline.ActionAccept
	var minActionCat pipeline.Category
	for _, h := range hits {
		if p.disabled[h.Name] {
			continue
		}
		def, _ := pipeline.Lookup(h.Name)
		f := h.Factor
		if f == 0 {
			f = 1
		}
		score := round2(p.Weight(h.Name) * f)
		opts := h.Options
		if opts == nil {
			opts = []string{}
		}
		if v.Symbols == nil { // nil (JSON null) when no symbol counts
			v.Symbols = make([]pipeline.SymbolResult, 0, len(hits))
		}
		v.Symbols = append(v.Symbols, pipeline.SymbolResult{
			Name: h.Name, Score: score, Options: opts, Category: def.Category, EN: def.EN, JA: def.JA,
		})
		v.Score += score
		if score > 0 && def.Category != pipeline.CategoryClean {
			catScore[def.Category] += score
		}
		if def.MinAction != "" && def.MinAction.Rank() > minAction.Rank() {
			minAction = def.MinAction
			minActionCat = def.Category
		}
	}
	v.Score = round2(v.Score)
	slices.SortStableFunc(v.Symbols, bySymbolWeight)

	switch {
	case v.Score >= p.reject:
		v.Action = pipeline.ActionReject
	case v.Score >= p.quarantine:
		v.Action = pipeline.ActionQuarantine
	case v.Score >= p.tag:
		v.Action = pipeline.ActionTag
	}
	if v.Action != pipeline.ActionAccept || minAction != pipeline.ActionAccept {
		best, bestScore := pipeline.CategorySpam, -1.0
		for c, s := range catScore {
			if s > bestScore || s == bestScore && catPriority[c] > catPriority[best] {
				best, bestScore = c, s
			}
		}
		// A category that forced an action wins over score shares.
		if minAction != pipeline.ActionAccept && minActionCat != "" && minActionCat != pipeline.CategoryClean {
			best = minActionCat
		}
		v.Category = best
		if a, ok := p.catAction[best]; ok && a.Rank() > v.Action.Rank() && v.Score >= p.tag {
			v.Action = a
		}
		if minAction.Rank() > v.Action.Rank() {
			v.Action = minAction
		}
	}
	if len(tempfail) > 0 && v.Action.Rank() < pipeline.ActionQuarantine.Rank() {
		v.Action = pipeline.ActionTempfail
		v.TempfailReasons = tempfail
	}
	if v.Action == pipeline.ActionTag && p.prefix != "" && v.Score >= p.rewrite {
		v.SubjectPrefix = p.prefix
	}
	v.Explanation, v.ExplanationJA, v.Reason = explain(&v, p)
	return v
}

// symbolBefore orders the verdict's symbols: the heavier (absolute
// score) first, then by name.
func symbolBefore(x, y *pipeline.SymbolResult) bool {
	a, b := math.Abs(x.Score), math.Abs(y.Score)
	if a != b {
		return a > b
	}
	return x.Name < y.Name
}

// bySymbolWeight is symbolBefore as a comparison (what sort.SliceStable
// did with it as less: slices' stable sort is the same algorithm, so
// scores that do not compare, NaN, end where they did).
func bySymbolWeight(x, y pipeline.SymbolResult) int {
	switch {
	case symbolBefore(&x, &y):
		return -1
	case symbolBefore(&y, &x):
		return 1
	}
	return 0
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

var catNameJA = map[pipeline.Category]string{
	pipeline.CategoryClean: "問題なし", pipeline.CategorySpam: "スパム", pipeline.CategoryPhishing: "フィッシング",
	pipeline.CategoryMalware: "マルウェア", pipeline.CategoryBEC: "ビジネスメール詐欺(BEC)",
	pipeline.CategoryExtortion: "脅迫(セクストーション)", pipeline.CategoryFraud: "詐欺",
	pipeline.CategoryUnscannable: "検査不能",
}

var actionEN = map[pipeline.Action]string{
	pipeline.ActionAccept: "Delivered", pipeline.ActionTag: "Delivered with a warning tag",
	pipeline.ActionQuarantine: "Quarantined", pipeline.ActionReject: "Rejected", pipeline.ActionTempfail: "Deferred (try again later)",
}

var actionJA = map[pipeline.Action]string{
	pipeline.ActionAccept: "配送しました", pipeline.ActionTag: "警告タグを付けて配送しました",
	pipeline.ActionQuarantine: "隔離しました", pipeline.ActionReject: "拒否しました", pipeline.ActionTempfail: "一時保留しました(再送を待ちます)",
}

var adviceEN = map[pipeline.Category]string{
	pipeline.CategorySpam:        "Safe to leave in the spam folder; release only if the sender is known.",
	pipeline.CategoryPhishing:    "Do not release: the links lead to a credential-stealing site. If someone clicked, reset their password and check sign-ins.",
	pipeline.CategoryMalware:     "Do not release or open the attachment. If it was opened elsewhere, isolate that computer and check for Emotet-style infection.",
	pipeline.CategoryBEC:         "Confirm any payment or bank-detail change by phone with the person named, using a known number, before acting.",
	pipeline.CategoryExtortion:   "The threat is a bluff; do not pay. The recipient can delete it.",
	pipeline.CategoryFraud:       "An advance-fee or similar scam; do not reply. The recipient can delete it.",
	pipeline.CategoryUnscannable: "Release only after confirming with the sender by another channel (phone, a known address); a password-protected ZIP can be checked once its password arrives.",
}

var adviceJA = map[pipeline.Category]string{
	pipeline.CategorySpam:        "迷惑メールとして扱って問題ありません。送信者に心当たりがある場合のみ解放してください。",
	pipeline.CategoryPhishing:    "解放しないでください。リンク先は認証情報を盗むサイトです。クリックした人がいればパスワードを変更し、サインイン履歴を確認してください。",
	pipeline.CategoryMalware:     "解放したり添付ファイルを開いたりしないでください。開いた端末があれば隔離し、Emotet等の感染を調べてください。",
	pipeline.CategoryBEC:         "支払いや振込先変更の依頼は、既知の電話番号で本人に確認してから対応してください。",
	pipeline.CategoryExtortion:   "脅迫ははったりです。支払わないでください。削除して構いません。",
	pipeline.CategoryFraud:       "前払い詐欺などの詐欺メールです。返信せず削除してください。",
	pipeline.CategoryUnscannable: "送信者に別の手段(電話や既知のアドレス)で確認してから解放してください。パスワード付き ZIP は、パスワードが届いてから中身を確認できます。",
}

// explain writes the verdict's explanation from its strongest symbols.
//
// The texts are built in stack buffers and copied out once each (what
// fmt wrote: %.2f is strconv's 'f' with 2 digits).
func explain(v *pipeline.Verdict, p *Policy) (en, ja, reason string) {
	var topA [3]*pipeline.SymbolResult
	top := topA[:0]
	for i := range v.Symbols {
		if v.Symbols[i].Score > 0 && len(top) < 3 {
			top = append(top, &v.Symbols[i])
		}
	}
	if v.Action == pipeline.ActionTempfail {
		var enB, jaB strings.Builder
		fmt.Fprintf(&enB, "Deferred: a required check could not finish (%s); the sender's server will retry.", strings.Join(v.TempfailReasons, "; "))
		fmt.Fprintf(&jaB, "一時保留: 必須の検査が完了しませんでした(%s)。送信側サーバーが再送します。", strings.Join(v.TempfailReasons, "; "))
		return enB.String(), jaB.String(), "temporary failure, try again later"
	}
	var enA, jaA [1024]byte
	enB, jaB := enA[:0], jaA[:0]
	if v.Category == pipeline.CategoryClean {
		if len(top) == 0 {
			enB = append(enB, actionEN[v.Action]...)
			enB = append(enB, ": nothing suspicious found (score "...)
			enB = appendScore(enB, v.Score)
			enB = append(enB, ")."...)
			jaB = append(jaB, actionJA[v.Action]...)
			jaB = append(jaB, ": 不審な点は見つかりませんでした(スコア "...)
			jaB = appendScore(jaB, v.Score)
			jaB = append(jaB, ")。"...)
			return string(enB), string(jaB), "clean"
		}
		enB = append(enB, actionEN[v.Action]...)
		enB = append(enB, ": score "...)
		enB = appendScore(enB, v.Score)
		enB = append(enB, " is below the tag threshold "...)
		enB = appendScore(enB, p.tag)
		enB = append(enB, ". Minor signs: "...)
		jaB = append(jaB, actionJA[v.Action]...)
		jaB = append(jaB, ": スコア "...)
		jaB = appendScore(jaB, v.Score)
		jaB = append(jaB, " はタグ付けのしきい値 "...)
		jaB = appendScore(jaB, p.tag)
		jaB = append(jaB, " 未満です。軽微な兆候: "...)
	} else {
		enB = append(enB, actionEN[v.Action]...)
		enB = append(enB, " as "...)
		enB = append(enB, v.Category...)
		enB = append(enB, " (score "...)
		enB = appendScore(enB, v.Score)
		enB = append(enB, "). "...)
		jaB = append(jaB, catNameJA[v.Category]...)
		jaB = append(jaB, "として"...)
		jaB = append(jaB, actionJA[v.Action]...)
		jaB = append(jaB, "(スコア "...)
		jaB = appendScore(jaB, v.Score)
		jaB = append(jaB, ")。"...)
	}
	for i, s := range top {
		if i > 0 {
			enB = append(enB, ' ')
		}
		enB = append(enB, strings.TrimSuffix(s.EN, ".")...)
		enB = appendEvidence(enB, s)
		enB = append(enB, '.')
		jaB = append(jaB, strings.TrimSuffix(s.JA, "。")...)
		jaB = appendEvidence(jaB, s)
		jaB = append(jaB, "。"...)
	}
	if a, aJA, ok := advice(v.Action, v.Category); ok {
		enB = append(enB, ' ')
		enB = append(enB, a...)
		jaB = append(jaB, aJA...)
	}
	reason = "clean"
	if v.Category != pipeline.CategoryClean {
		var rA [256]byte
		r := append(rA[:0], "message looks like "...)
		r = append(r, v.Category...)
		r = append(r, " ("...)
		for i, s := range top {
			if i > 0 {
				r = append(r, ", "...)
			}
			r = append(r, s.Name...)
		}
		r = append(r, ')')
		reason = string(r)
	}
	return string(enB), string(jaB), reason
}

// appendScore appends f as %.2f writes it.
func appendScore(b []byte, f float64) []byte { return strconv.AppendFloat(b, f, 'f', 2, 64) }

// appendEvidence appends " (first, second)" of a symbol's options (at
// most two), nothing without options.
func appendEvidence(b []byte, s *pipeline.SymbolResult) []byte {
	if len(s.Options) == 0 {
		return b
	}
	o := s.Options
	if len(o) > 2 {
		o = o[:2]
	}
	b = append(b, " ("...)
	for i, x := range o {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, x...)
	}
	return append(b, ')')
}

func evidence(s pipeline.SymbolResult) string {
	if len(s.Options) == 0 {
		return ""
	}
	o := s.Options
	if len(o) > 2 {
		o = o[:2]
	}
	return " (" + strings.Join(o, ", ") + ")"
}
