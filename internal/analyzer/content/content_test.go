package content

import (
	"context"
	"fmt"
	"github.com/sekisho/sekisho/internal/textgate"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/sekisho/sekisho/internal/analyzer/header" // symbols used by meta rules
	_ "github.com/sekisho/sekisho/internal/analyzer/sender" // FROM_ symbols used by meta rules
	_ "github.com/sekisho/sekisho/internal/analyzer/url"    // URL_ and QR_ symbols used by meta rules
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func shippedAnalyzer(t testing.TB) *Analyzer {
	a, err := NewAnalyzer(true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Every shipped rule declares at least one positive and one negative
// example in its file, and they hold.
func TestShippedRuleExamples(t *testing.T) {
	a := shippedAnalyzer(t)
	if len(a.Rules()) < 40 {
		t.Errorf("only %d shipped rules", len(a.Rules()))
	}
	for _, r := range a.Rules() {
		if len(r.Positive) == 0 || len(r.Negative) == 0 {
			t.Errorf("%s: needs a positive and a negative example", r.Name)
		}
	}
	for _, err := range a.CheckExamples() {
		t.Error(err)
	}
}

func scan(t *testing.T, a *Analyzer, raw string, syms ...string) map[string]bool {
	t.Helper()
	m := mail.Parse([]byte(strings.ReplaceAll(raw, "\n", "\r\n")), mail.Limits{})
	task := pipeline.NewTask("t", m, pipeline.Envelope{}, nil)
	for _, s := range syms {
		task.Add(s)
	}
	if err := a.Analyze(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, h := range task.Hits() {
		out[h.Name] = true
	}
	return out
}

func msg(from, subject, body string) string {
	return "From: " + from + "\nTo: you@example.jp\nSubject: " + subject + "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n"
}

// Seed 003's examples and seed 004's mail, end to end through the rules.
func TestSeedExamples(t *testing.T) {
	a := shippedAnalyzer(t)
	cases := []struct {
		name    string
		raw     string
		syms    []string
		want    []string
		wantNot []string
	}{
		{"seed003_sextortion_ja", msg("you@example.jp", "嘘や冗談ではありません", `私はアダルト Web サイトにマルウェアを潜ませている者です。このサイトでビデオをご覧になった時、あなたのデバイスにスパイウェアを忍び込ませました。
ウェブカメラであなたとスクリーン キャプチャの両方を記録しています。
ビットコインで £850 を支払えば、すべての記録を抹消します。
私のビットコイン ウォレット アドレス：36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN（大
文字小文字は区別されるため、コピーして貼り付けてください）
この電子メールを読んでから 48 時間以内にお支払いください。
この電子メールを無視する場合、あなたの電子メール アカウントから収集した連絡先す
べてにビデオを転送することになります。`), nil,
			[]string{"RULE_EXT_BTC_ADDRESS", "RULE_EXT_WEBCAM", "RULE_EXT_PAYMENT_DEMAND", "RULE_EXT_DEADLINE_THREAT", "RULE_EXT_SEXTORTION"}, nil},
		{"seed003_sextortion_en", msg("you@example.com", "I know your password", "I installed malware on an adult site and it infected your computer. Your webcam recorded you. Pay $1900 in Bitcoin to 36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN. You have 48 hours, or I send the video to all your contacts. Do not try to contact me."), nil,
			[]string{"RULE_EXT_SEXTORTION", "RULE_EXT_BTC_ADDRESS"}, nil},
		{"seed003_fbi_advance_fee", msg(`"Mr. Christopher A. Wray" <director@fbi-gov.example>`, "受益者宛て", `オフィスの倫理規範によると、連絡時は常に最初が肝心です。私は、連邦捜査局（FBI）長官の Christopher A. Wray です。
同部で収集された情報から、問題となっている資金が実際にはあなたのものであることが判明しましたが、支払いを担当する職員が倫理規範に対処しているため支払いが遅れています。
本日、支払い銀行の経営管理担当者に当該資金を当該認定受益者としてあなたに支払うように指示しました。
1. ファースト ネーム、ミドルネーム、ラスト ネーム
2. 年齢
3. 職業
4. 婚姻状況
5. 直通電話/ファックス番号
6. 住所`), nil,
			[]string{"RULE_FRAUD_OFFICIAL", "RULE_FRAUD_BENEFICIARY", "RULE_FRAUD_PERSONAL_INFO", "RULE_FRAUD_ADVANCE_FEE"}, nil},
		{"seed003_fbi_en", msg("director@fbi.example", "ATTENTION BENEFICIARY", "I am Christopher Wray, Director of the Federal Bureau of Investigation (FBI). A wire transfer of US$10,500,000.00 in your name is on hold. Reply with your full name, age, occupation and direct phone number to release the fund."), nil,
			[]string{"RULE_FRAUD_ADVANCE_FEE"}, nil},
		{"seed003_office365", msg(`"Office 365" <micros0ftsupport@hotmail.com>`, "Your Office 365 email address will be disabled", "Your email address has been flagged for a policy violation and will be disabled. Verify your account below to keep it.\nhttps://micros0ft-login.com/"),
			[]string{"URL_LOOKALIKE_BRAND"}, []string{"RULE_PHISH_ACCOUNT_SUSPENDED", "RULE_PHISH_VERIFY_ACCOUNT", "RULE_PHISH_CREDENTIAL_LURE"}, nil},
		{"seed003_amazon_shipping", msg(`"Amazon Shipping" <amz@123fnord.com>`, "Your Amazon order could not be delivered", "Your package could not be delivered. Track your package: http://123fnord.com/track"),
			[]string{"URL_BRAND_UNRELATED_LINKS"}, []string{"RULE_LURE_PARCEL", "RULE_LURE_PARCEL_LINK"}, nil},
		{"seed003_bec_cfo", msg(`"CFO" <cfo.office@freemail.example>`, "支払い不履行", "先週実行するはずだった支払いができなかったため、サプライチェーンが中断する可能性があります。至急、添付の手順で電信送金をお願いします。1時間以内に電話します。"), nil,
			[]string{"RULE_BEC_WIRE_TRANSFER", "RULE_BEC_URGENT", "RULE_BEC_PAYMENT_REQUEST"}, nil},
		{"seed004_kagoya", msg(`"KAGOYA | KAGOYAカスタマーサポート" <t_0205@cameo.plala.or.jp>`, "【重要:KAGOYA】Active!mailの脆弱性に関するお知らせ © KAGOYA JAPAN Inc", "平素は当社サービスをご利用いただき誠にありがとうございます。\n◆Active! mail の脆弱性に関する重要なお知らせ\nhttps://active-japan-top.beak.host/Kagoya-mail.html"),
			[]string{"URL_BRAND_UNRELATED_LINKS"}, []string{"RULE_JA_URGENT_SUBJECT", "RULE_PHISH_SECURITY_NOTICE", "RULE_PHISH_BRAND_NOTICE"}, nil},
		{"ham_meeting_ja", msg("tanaka@example.co.jp", "来週の打ち合わせ", "お疲れ様です。来週の打ち合わせは火曜日の10時からでお願いします。資料は共有フォルダに置いてあります。"), nil,
			nil, []string{"RULE_PHISH_CREDENTIAL_LURE", "RULE_BEC_PAYMENT_REQUEST", "RULE_EXT_SEXTORTION", "RULE_FRAUD_ADVANCE_FEE", "RULE_JA_URGENT_SUBJECT"}},
		{"ham_crypto_news", msg("news@example.com", "Crypto weekly", "Bitcoin fell 5% this week. Donations welcome at 36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN."), nil,
			[]string{"RULE_EXT_BTC_ADDRESS"}, []string{"RULE_EXT_SEXTORTION"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := scan(t, a, c.raw, c.syms...)
			for _, w := range c.want {
				if !got[w] {
					t.Errorf("missing %s (got %v)", w, got)
				}
			}
			for _, w := range c.wantNot {
				if got[w] {
					t.Errorf("unexpected %s", w)
				}
			}
		})
	}
}

func TestWallets(t *testing.T) {
	for _, s := range []string{"36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"} {
		if !ValidBase58Check(s) {
			t.Errorf("%s not valid", s)
		}
	}
	for _, s := range []string{"36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAM", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "1111111111111111111111111"} {
		if ValidBase58Check(s) {
			t.Errorf("%s valid", s)
		}
	}
	for _, s := range []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"} {
		if !ValidBech32Address(s) {
			t.Errorf("%s not valid", s)
		}
	}
	for _, s := range []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj1", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"} {
		if ValidBech32Address(s) {
			t.Errorf("%s valid", s)
		}
	}
	if ok, sum := ValidEIP55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"); !ok || !sum {
		t.Error("EIP-55 vector")
	}
	if ok, _ := ValidEIP55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"); ok {
		t.Error("bad EIP-55 accepted")
	}
}

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"ＡＣＣＯＵＮＴ　停止":     "account 停止",
		"ｱｶｳﾝﾄ":          "アカウント",
		"pass\u200bword": "password",
		"A\n\n  B":       "a b",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("%q → %q want %q", in, got, want)
		}
	}
	// Japanese keywords match across line breaks and full-width forms.
	a := shippedAnalyzer(t)
	got := scan(t, a, msg("a@b.example", "お知らせ", "お客様のｱｶｳﾝﾄが凍\n結されました"))
	if !got["RULE_PHISH_ACCOUNT_SUSPENDED"] {
		t.Error("half-width/line-broken Japanese not matched")
	}
}

func TestMetaParser(t *testing.T) {
	good := []string{"A_B", "A_B && !C_D", "(A_B || C_D) && atleast(2, E_F, G_H, I_J)", "!!A_B"}
	for _, s := range good {
		if _, err := parseMeta(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := []string{"", "A_B &&", "(A_B", "A_B C_D", "atleast(x, A_B)", "a_b", "A_B & C_D", strings.Repeat("(", 100) + "A_B" + strings.Repeat(")", 100)}
	for _, s := range bad {
		if _, err := parseMeta(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	e, _ := parseMeta("atleast(2, A_A, B_B, C_C) && !D_D")
	env := func(set ...string) func(string) bool {
		return func(n string) bool {
			for _, s := range set {
				if s == n {
					return true
				}
			}
			return false
		}
	}
	if !e.eval(env("A_A", "C_C")) || e.eval(env("A_A")) || e.eval(env("A_A", "B_B", "D_D")) {
		t.Error("meta evaluation")
	}
}

func TestRuleFileErrors(t *testing.T) {
	bad := map[string]string{
		"bad name":     `[[rule]]` + "\n" + `name = "BAD"` + "\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nkeywords = [\"a\"]\n",
		"no ja":        "[[rule]]\nname = \"RULE_X_Y\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nkeywords = [\"a\"]\n",
		"bad regex":    "[[rule]]\nname = \"RULE_X_Y\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nregex = [\"(\"]\n",
		"unknown key":  "[[rule]]\nname = \"RULE_X_Y\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nkeywords = [\"a\"]\nfoo = 1\n",
		"bad category": "[[rule]]\nname = \"RULE_X_Y\"\nscore = 1\ncategory = \"nope\"\nen = \"x\"\nja = \"x\"\nkeywords = [\"a\"]\n",
		"no patterns":  "[[rule]]\nname = \"RULE_X_Y\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\n",
		"bad field":    "[[rule]]\nname = \"RULE_X_Y\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nkeywords = [\"a\"]\nin = [\"nowhere\"]\n",
	}
	for name, text := range bad {
		if _, err := ParseFile([]byte(text), name); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Meta rules referring to unknown names, and cycles.
	rs, err := ParseFile([]byte("[[rule]]\nname = \"RULE_M_A\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nmeta = \"RULE_M_B\"\n[[rule]]\nname = \"RULE_M_B\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nmeta = \"RULE_M_A\"\n"), "cycle")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewAnalyzer(false, rs, nil); err == nil {
		t.Error("cycle accepted")
	}
	rs, _ = ParseFile([]byte("[[rule]]\nname = \"RULE_M_C\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nmeta = \"NO_SUCH_SYMBOL\"\n"), "unknown")
	if _, err := NewAnalyzer(false, rs, nil); err == nil {
		t.Error("unknown symbol accepted")
	}
}

// User files add rules and override shipped ones through [rules] config.
func TestUserRulesConfig(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "local.toml")
	os.WriteFile(f, []byte(`
[[rule]]
name = "RULE_LOCAL_PROJECT_X"
score = 3
category = "bec"
en = "Mentions the secret project."
ja = "秘密のプロジェクトに言及しています。"
keywords = ["project x", "プロジェクトX"]
positive = ["About Project X"]
negative = ["About lunch"]

[[rule]]
name = "RULE_SPAM_CASINO"
score = 4
category = "spam"
en = "Casino (local override)."
ja = "カジノ(ローカル上書き)。"
keywords = ["casino"]
positive = ["casino"]
negative = ["cards"]
`), 0o644)
	cfg, err := config.Parse("[rules]\nfiles = [\"" + filepath.Join(dir, "*.toml") + "\"]\ndisable = [\"RULE_SPAM_SEO\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	as, err := New(cfg, pipeline.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	a := as[0].(*Analyzer)
	m := mail.Parse([]byte("Subject: casino and project x\r\n\r\nseo services on the first page of google\r\n"), mail.Limits{})
	task := pipeline.NewTask("t", m, pipeline.Envelope{}, nil)
	a.Analyze(context.Background(), task)
	got := map[string]float64{}
	for _, h := range task.Hits() {
		got[h.Name] = h.Factor
	}
	if _, ok := got["RULE_LOCAL_PROJECT_X"]; !ok {
		t.Error("user rule did not fire")
	}
	if f := got["RULE_SPAM_CASINO"]; f < 3.9 || f > 4.1 {
		t.Errorf("override factor %v, want 4 (score 4 over weight 1)", f)
	}
	if _, ok := got["RULE_SPAM_SEO"]; ok {
		t.Error("disabled rule fired")
	}
	// A user file whose own examples fail is refused.
	os.WriteFile(f, []byte("[[rule]]\nname = \"RULE_LOCAL_BROKEN\"\nscore = 1\ncategory = \"spam\"\nen = \"x\"\nja = \"x\"\nkeywords = [\"foo\"]\npositive = [\"bar\"]\nnegative = [\"baz\"]\n"), 0o644)
	if _, err := New(cfg, pipeline.Deps{}); err == nil {
		t.Error("rule with failing example accepted")
	}
}

func FuzzParseFile(f *testing.F) {
	ents, _ := shippedFS.ReadDir("rules")
	for _, e := range ents {
		b, _ := shippedFS.ReadFile("rules/" + e.Name())
		f.Add(b)
	}
	f.Add([]byte("[[rule]]\nname = \"RULE_A_B\"\nmeta = \"atleast(1, RULE_A_B)\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseFile(data, "fuzz")
		if err != nil {
			return
		}
		a := newAnalyzer(rs)
		a.Evaluate(context.Background(), map[string]string{"subject": "x", "body": string(data)}, nil)
	})
}

func FuzzEvaluate(f *testing.F) {
	f.Add("36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN ウェブカメラ 48時間以内")
	f.Add("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	a, _ := NewAnalyzer(true, nil, nil)
	f.Fuzz(func(t *testing.T, s string) {
		a.Evaluate(context.Background(), map[string]string{"subject": s, "body": s, "headers": s}, nil)
	})
}

func BenchmarkEvaluate(b *testing.B) {
	a := shippedAnalyzer(b)
	body := strings.Repeat("Dear customer, we are writing about your recent order and our new products. 平素より格別のご高配を賜り厚く御礼申し上げます。", 200)
	f := map[string]string{"subject": "Newsletter", "body": body}
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		a.Evaluate(context.Background(), f, nil)
	}
}

func TestRequiredLiterals(t *testing.T) {
	cases := map[string][]string{
		`your (account|mailbox) .{0,40}suspended`: {"your account ", "your mailbox "},
		`(foo|bar)`:               {"bar", "foo"},
		`\d+ ?(million|billion)`:  {"billion", "million"},
		`a*`:                      nil,
		`(x|.)yz`:                 {"yz"},
		`vi[úu]va`:                {"viuva", "viúva"},
		`(us ?\$|usd|\$|eur) ?\d`: nil,
	}
	for p, want := range cases {
		got := requiredLiterals(p)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v want %v", p, got, want)
		}
	}
	pf := analyzePattern(`(make|send) (a|the) .{0,20}(payment|transfer)`)
	if fmt.Sprintf("%q %q", pf.lits, pf.and) != `["make a " "make the " "send a " "send the "] [["payment" "transfer"]]` {
		t.Errorf("and sets: %v %v", pf.lits, pf.and)
	}
	if pf := analyzePattern(`(us ?\$|usd|\$|eur) ?\d`); fmt.Sprint(pf.anchor) != "[$ eur usd]" {
		t.Errorf("anchor: %v", pf.anchor)
	}
	// Soundness on every shipped regex: whenever the regex matches an
	// example, the prefilter lets it through.
	a := shippedAnalyzer(t)
	for _, r := range a.Rules() {
		for i, lr := range r.regexes {
			re := lr.get()
			for _, ex := range append(append([]string(nil), r.Positive...), r.Negative...) {
				n := Normalize(ex)
				for _, txt := range []string{n, compactString(n)} {
					if !re.MatchString(txt) {
						continue
					}
					if !mayMatch(txt, r.lits[i]) {
						t.Errorf("%s: prefilter %v rejects a match of %s", r.Name, r.lits[i], re)
					}
					for _, set := range r.and[i] {
						if !mayMatch(txt, set) {
							t.Errorf("%s: and set %v rejects a match of %s", r.Name, set, re)
						}
					}
					if !mayMatch(txt, r.anchors[i]) {
						t.Errorf("%s: anchors %v reject a match of %s", r.Name, r.anchors[i], re)
					}
				}
			}
		}
	}
}

// The literal index finds exactly the literals a substring search finds,
// whatever their length and script (the position filters must
// never hide one).
func TestLitIndexScan(t *testing.T) {
	lits := []string{"ab", "abc", "abd", "xy", "xyz0", "gewinn", "glückwunsch", "ü", "üb", "容量", "容量不足", "pontos", "po", "€5"}
	x := newLitIndex()
	var ids []int
	for _, l := range lits {
		if len(l) < 2 {
			ids = append(ids, -1)
			continue
		}
		ids = append(ids, x.add(l))
	}
	texts := []string{"", "a", "ab", "abc", "zzabdzz", "xyz", "xyz0", "herzlichen glückwunsch, gewinnen", "über", "容量がいっぱい", "容量不足です", "seus pontos", "€5 off", "pab", strings.Repeat("ab", 20)}
	for _, txt := range texts {
		sr := x.scan(txt)
		for i, l := range lits {
			if ids[i] < 0 {
				continue
			}
			if got, want := sr.has(ids[i]), strings.Contains(txt, l); got != want {
				t.Errorf("%q in %q: found=%v want %v", l, txt, got, want)
			}
			if sr.has(ids[i]) && !strings.HasPrefix(txt[sr.positions(ids[i])[0]:], l) {
				t.Errorf("%q in %q: wrong position %d", l, txt, sr.positions(ids[i])[0])
			}
		}
	}
}

// FuzzPrefilter: every text a regex matches holds a literal of each of
// its prefilter sets and one of its anchors, and the windowed search
// finds a match whenever the whole-text search does.
func FuzzPrefilter(f *testing.F) {
	f.Add(`(make|send) (a|the) .{0,20}(payment|transfer)`, "please make the urgent payment")
	f.Add(`\bage\b`, "page age")
	f.Add(`(us ?\$|usd|\$|eur) ?\d{1,3}([,.]\d{3}){2,}`, "us$ 1,000,000")
	f.Add(`vi[úu]va[^.]{0,20}(fund|sick)`, "a viúva está sick")
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 2000 {
			return
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		pf := analyzePattern(pattern)
		txt := Normalize(text)
		if !re.MatchString(txt) {
			return
		}
		if !mayMatch(txt, pf.lits) || !mayMatch(txt, pf.anchor) {
			t.Fatalf("%q on %q: prefilter %q / anchors %q reject a match", pattern, txt, pf.lits, pf.anchor)
		}
		for _, set := range pf.and {
			if !mayMatch(txt, set) {
				t.Fatalf("%q on %q: and set %q rejects a match", pattern, txt, set)
			}
		}
		if pf.lits != nil {
			x := newLitIndex()
			r := &Rule{regexes: []*lazyRe{{pat: pattern, re: re}}, wins: []int{pf.win}, trims: [][2]int{{pf.before, pf.after}}, gates: [][]string{nil}, anchors: [][]string{nil}, needCJK: []bool{false}, factors: []textgate.Factor{worthFactor(pattern)}}
			ids := make([]int, len(pf.lits))
			for i, l := range pf.lits {
				ids[i] = x.add(l)
			}
			r.litIDs = [][]int{ids}
			r.litSet = []int{x.addSet(ids)}
			var and [][]int
			for _, set := range pf.and {
				var s []int
				for _, l := range set {
					s = append(s, x.add(l))
				}
				and = append(and, s)
			}
			r.andIDs = [][][]int{and}
			var andSets []int
			for _, set := range and {
				andSets = append(andSets, x.addSet(set))
			}
			r.andSets = [][]int{andSets}
			v := newView(map[string]string{"body": text}, nil, x, nil)
			if v.findRegex(r, 0, v.id("body"), false) == "" {
				t.Fatalf("%q on %q: the windows miss the match %q", pattern, txt, re.FindString(txt))
			}
		}
	})
}
