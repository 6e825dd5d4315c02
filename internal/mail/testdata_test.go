package mail

import (
	"os"
	"strings"
	"testing"
)

// TestTestdata checks the hand-made messages under testdata/ (they also
// seed the fuzzers).
func TestTestdata(t *testing.T) {
	load := func(name string) *Message {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := Parse(b, Limits{})
		checkInvariants(t, m, Limits{})
		return m
	}
	m := load("jis-phish.eml")
	if m.Subject != "【KAGOYA】メールアカウントの有効期限のお知らせ" {
		t.Errorf("jis subject %q", m.Subject)
	}
	if len(m.From) != 1 || m.From[0].Name != "カゴヤサポート" || m.From[0].Addr != "t_0205@cameo.plala.or.jp" {
		t.Errorf("jis from %+v", m.From)
	}
	if !strings.Contains(m.Text, "パスワードの有効期限") || len(m.URLs) != 1 || m.URLs[0].Raw != "https://active-japan-top.beak.host/login" {
		t.Errorf("jis body %q urls %+v", m.Text, m.URLs)
	}
	m = load("raw-sjis.eml")
	if m.Subject != "件名：お見積りの件" || m.From[0].Name != "営業部" || !strings.Contains(m.Text, "①㈱サンプル") {
		t.Errorf("raw sjis: %q %+v %q", m.Subject, m.From, m.Text)
	}
	if !m.HasAnomaly(AnomalyRaw8BitHeader) {
		t.Errorf("raw sjis anomalies %v", m.Anomalies)
	}
	m = load("html-hidden.eml")
	if m.Subject != "Your parcel 📦" || !strings.Contains(m.HiddenText, "lorem ipsum") || strings.Contains(m.Text, "lorem") {
		t.Errorf("html: %q text %q hidden %q", m.Subject, m.Text, m.HiddenText)
	}
	var href *URL
	for i := range m.URLs {
		if m.URLs[i].Source == "href" {
			href = &m.URLs[i]
		}
	}
	if href == nil || href.Host != "amz.123fnord.com" || href.Anchor != "https://www.amazon.co.jp/track" {
		t.Errorf("html href %+v", href)
	}
	m = load("eucjp-lf.eml")
	if m.Subject != "テスト" || strings.TrimSpace(m.Text) != "日本語の本文です。" || len(m.From) != 1 {
		t.Errorf("euc-jp: %q %q %+v", m.Subject, m.Text, m.From)
	}
	m = load("hostile-mime.eml")
	if len(m.Anomalies) == 0 {
		t.Error("hostile: no anomalies")
	}
}
