package attach

import (
	"regexp"
	"strings"

	"golang.org/x/text/width"

	"github.com/sekisho/sekisho/internal/mail"
)

// pwRe finds "password: abc123" and its Japanese and other spellings
// (Emotet: "パスワード：abc123", "解凍パスワード は 1234", "PW: x").
var pwRe = regexp.MustCompile(`(?i)(?:password|passwd|pass\s?word|pass\s?code|passcode|pwd|\bpw\b|\bpass\b|パスワード|ﾊﾟｽﾜｰﾄﾞ|暗証番号|パスコード|解凍キー|密码|密碼|비밀번호|mot de passe|contraseña|senha|passwort|kennwort|parola)(?:\s*[(（][^)）\n]{0,20}[)）])?[\s]*(?:is|は|です|:|：|=|＝|-|>|＞|\s)*[\s]*[「『"'“‘(（【]?\s*([^\s「」『』"'“”‘’()（）【】<>、。,，]{2,64})`)

var trailPunct = ".,;:!?。、．，：；！？」』】)）\"'"

// candidatePasswords collects passwords offered by the message: subject,
// visible text, every text part (a password sent "in a separate part"),
// plus configured extras.
func candidatePasswords(m *mail.Message, extra []string, max int) []string {
	var texts []string
	texts = append(texts, m.Subject, m.Text)
	for _, p := range m.Parts {
		if strings.HasPrefix(p.ContentType, "text/") && p.Text != "" {
			texts = append(texts, p.Text)
		}
	}
	seen := map[string]bool{}
	var out []string
	add1 := func(s string) {
		if s == "" || seen[s] || len(out) >= max {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	// The trimmed form first ("abc123." at the end of a sentence), then
	// the raw one (passwords may end in punctuation).
	add := func(s string) {
		s = strings.TrimLeft(s, ":：=＝")
		add1(strings.TrimRight(s, trailPunct))
		add1(s)
	}
	for _, t := range texts {
		if len(t) > 256<<10 {
			t = t[:256<<10]
		}
		for _, m := range pwRe.FindAllStringSubmatch(t, 20) {
			add(m[1])
			add(width.Narrow.String(m[1]))
		}
	}
	for _, e := range extra {
		add(e)
	}
	return out
}
