package mail

import "testing"

func TestTextURLsIDNHosts(t *testing.T) {
	cases := map[string]string{
		"見てください https://日本語ドメイン.jp/login です": "https://日本語ドメイン.jp/login",
		"https://example.jpです":       "https://example.jp",
		"https://example.jp/path です": "https://example.jp/path",
		"http://ドメイン名例.com。次へ":       "http://ドメイン名例.com",
		"https://аррӏе.com/id":       "https://аррӏе.com/id",
	}
	for in, want := range cases {
		us := extractTextURLs(in)
		if len(us) != 1 || us[0].Raw != want {
			t.Errorf("%q: got %+v, want %q", in, us, want)
		}
	}
}
