package mail

import (
	"reflect"
	"strings"
	"testing"
)

func TestExtractTextURLs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"visit http://example.com/path.", []string{"http://example.com/path"}},
		{"詳しくはhttps://active-japan-top.beak.host/login。をご覧ください", []string{"https://active-japan-top.beak.host/login"}},
		{"こちら（https://example.jp/a?b=1）から", []string{"https://example.jp/a?b=1"}},
		{"「http://example.jp/x」をクリック、またはhttp://b.example.jp/です", []string{"http://example.jp/x", "http://b.example.jp/"}},
		{"ＵＲＬ：http://example.jp/abc　次へ", []string{"http://example.jp/abc"}},
		{"<http://angle.example/x>", []string{"http://angle.example/x"}},
		{"(see http://en.wikipedia.org/wiki/Foo_(bar))", []string{"http://en.wikipedia.org/wiki/Foo_(bar)"}},
		{"go to www.example.com, now!", []string{"www.example.com"}},
		{"bare host: example.co.jp/login?id=1 here", []string{"example.co.jp/login?id=1"}},
		{"file report.pdf and name.txt", nil},
		{"mail me at user@example.com", nil},
		{"mailto:info@example.com", []string{"mailto:info@example.com"}},
		{"\"http://quoted.example/\"", []string{"http://quoted.example/"}},
		{"redirect https://r.example/?u=http://x.example/ end", []string{"https://r.example/?u=http://x.example/"}},
		{"HTTPS://UPPER.EXAMPLE/Path", []string{"HTTPS://UPPER.EXAMPLE/Path"}},
		{"http://", nil},
		{"http://пример.рф/путь", []string{"http://пример.рф/путь"}},
		{"ftp://files.example/a.zip;", []string{"ftp://files.example/a.zip"}},
	}
	for _, c := range cases {
		var got []string
		for _, u := range extractTextURLs(c.in) {
			got = append(got, u.Raw)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
	u := extractTextURLs("see https://User:pw@Evil.Example:8080/x")[0]
	if u.Host != "evil.example" || u.Scheme != "https" || u.Source != "text" {
		t.Errorf("%+v", u)
	}
	u = extractTextURLs("example.co.jp/login")[0]
	if u.Host != "example.co.jp" {
		t.Errorf("bare host: %+v", u)
	}
	if u := extractTextURLs("www.Example.com/x")[0]; u.Host != "www.example.com" || u.Scheme != "" {
		t.Errorf("www: %+v", u)
	}
}

func TestTextURLLimit(t *testing.T) {
	s := strings.Repeat("http://a.example/ ", 3000)
	m := Parse([]byte("From: a@b.c\r\n\r\n"+s), Limits{MaxURLs: 100})
	if len(m.URLs) != 100 || !m.HasAnomaly(AnomalyTooManyURLs) {
		t.Errorf("%d urls, anomalies %v", len(m.URLs), m.Anomalies)
	}
}
