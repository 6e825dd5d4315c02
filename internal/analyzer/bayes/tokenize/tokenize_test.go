package tokenize

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"github.com/sekisho/sekisho/internal/mail"
)

func TestWords(t *testing.T) {
	check := func(in string, want ...string) {
		t.Helper()
		got := Words(in, 1000)
		if !slices.Equal(got, want) {
			t.Errorf("Words(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	check("Hello, World! FREE money", "hello", "world", "!", "free", "money")
	// NFKC: full-width Latin and digits become ASCII; digit runs collapse.
	check("ＦＲＥＥ　ＭＯＮＥＹ　１２３４５", "free", "money", "0")
	check("Call 555-1234 now", "call", "0-0", "now")
	check("price $100 only", "price", "$0", "only")
	check("e-mail user@example.com www.example.com", "e-mail", "user@example.com", "www.example.com")
	// Japanese is segmented into words, particles dropped.
	check("東京都に住んでいます", "東京", "都", "住ん", "ます")
	// Mixed scripts: each part goes its own way.
	check("Amazonのアカウントが停止されました", "amazon", "アカウント", "停止", "まし")
	// Half-width katakana is made full-width before segmenting.
	check("ｱｶｳﾝﾄ確認", "アカウント", "確認")
	// Long tokens are replaced by a short stand-in.
	long := strings.Repeat("abcdefghij", 10)
	got := Words(long, 10)
	if len(got) != 1 || !strings.HasPrefix(got[0], "long:abcdef:") || len(got[0]) > 40 {
		t.Errorf("long token: %q", got)
	}
}

func TestJapaneseWordsNotOneRun(t *testing.T) {
	text := "いつもお世話になっております。来週の打ち合わせ資料をお送りいたします。ご確認のほどよろしくお願いいたします。"
	ws := Words(text, 1000)
	if len(ws) < 12 {
		t.Fatalf("too few words: %q", ws)
	}
	for _, w := range ws {
		if utf8.RuneCountInString(w) > 6 {
			t.Errorf("word %q looks like an unsegmented run (all: %q)", w, ws)
		}
	}
	for _, want := range []string{"打ち合わせ", "資料", "確認", "お世話", "来週"} {
		if !slices.Contains(ws, want) {
			t.Errorf("missing word %q in %q", want, ws)
		}
	}
}

func parseFile(t *testing.T, path string) *mail.Message {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return mail.Parse(raw, mail.Limits{})
}

// charsetFeature reports features that name the declared charset or
// transfer encoding (they differ between the copies by construction).
func charsetFeature(s string) bool {
	for _, p := range []string{"h:cs:", "h:tcs:", "h:cte:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestCharsetsGiveSameTokens(t *testing.T) {
	dir := filepath.Join("..", "testdata", "ja", "enc")
	var ref []string
	for _, cs := range []string{"utf-8", "iso-2022-jp", "shift_jis", "euc-jp"} {
		msg := parseFile(t, filepath.Join(dir, cs+".eml"))
		tk := Message(msg, nil, Options{})
		var feats []string
		for _, f := range tk.All() {
			if !charsetFeature(f.Text) {
				feats = append(feats, f.Text)
			}
		}
		if !tk.CJK {
			t.Errorf("%s: no Japanese text seen", cs)
		}
		for _, want := range []string{"s:打ち合わせ", "s:資料", "打ち合わせ", "北斗", "abc", "h:from-name:佐藤"} {
			if !slices.Contains(feats, want) {
				t.Errorf("%s: missing feature %q", cs, want)
			}
		}
		if ref == nil {
			ref = feats
			continue
		}
		if !slices.Equal(feats, ref) {
			t.Errorf("%s gives other features than utf-8:\n got %q\nwant %q", cs, feats, ref)
		}
	}
}

func TestMessageFeatures(t *testing.T) {
	raw := "From: \"Amazon Shipping\" <amz@123fnord.com>\r\nTo: a@example.jp\r\nReply-To: x@other.example\r\n" +
		"Subject: Your package\r\nX-Mailer: Foo Mailer 5.1\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" +
		"Track it at https://track.example.net/parcel/12345?id=9 today\r\n--b\r\n" +
		"Content-Type: application/zip; name=invoice.pdf.zip\r\nContent-Disposition: attachment; filename=invoice.pdf.zip\r\n\r\nPK\r\n--b--\r\n"
	tk := Message(mail.Parse([]byte(raw), mail.Limits{}), nil, Options{})
	var got []string
	for _, f := range tk.All() {
		got = append(got, f.Text)
	}
	for _, want := range []string{Bias, "s:your", "s:package", "track", "today", "track\x1f1\x1fit", "track\x1f3\x1fhttps",
		"u:track.example.net", "u:example.net", "up:parcel", "up:0", "u:query",
		"h:from-dom:123fnord.com", "h:from-name:amazon", "h:rt-dom:other.example", "h:rt-differs", "h:xm:foo",
		"a:ext:zip", "a:dblext", "a:name:invoice.pdf.zip", "a:type:application/zip"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
	seen := map[uint64]bool{}
	for _, f := range tk.All() {
		if seen[f.Hash] {
			t.Errorf("duplicate feature %q", f.Text)
		}
		seen[f.Hash] = true
	}
	// Unigrams only.
	tk2 := Message(mail.Parse([]byte(raw), mail.Limits{}), nil, Options{NoBigrams: true})
	if tk2.Len() >= tk.Len() {
		t.Errorf("bigrams add nothing: %d vs %d", tk2.Len(), tk.Len())
	}
}

func TestBounds(t *testing.T) {
	big := strings.Repeat("word another 関所 ", 200000)
	raw := "Subject: x\r\n\r\n" + big
	tk := Message(mail.Parse([]byte(raw), mail.Limits{}), nil, Options{})
	if tk.Len() > MaxFeatures {
		t.Fatalf("%d features", tk.Len())
	}
	if n := len(Words(big, 50)); n > 50 {
		t.Fatalf("%d words", n)
	}
	if Message(nil, nil, Options{}).Len() != 0 {
		t.Fatal("nil message has features")
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"", "hello world", "東京都に住んでいます", "ｱｶｳﾝﾄ ＦＲＥＥ $100!", "a.b-c'd_e@f", "\xff\xfe\x00",
		strings.Repeat("あ", 3000), "x\u0301\u0302 y", "ー々ゝ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ws := Words(s, 200)
		if len(ws) > 200 {
			t.Fatalf("%d words", len(ws))
		}
		for _, w := range ws {
			if w == "" || !utf8.ValidString(w) {
				t.Fatalf("bad word %q", w)
			}
			if utf8.RuneCountInString(w) > 40 {
				t.Fatalf("word too long: %q", w)
			}
		}
	})
}

// fuzzOther is a message FuzzMessage tokenizes before the fuzzed one.
var fuzzOther = mail.Parse([]byte("Subject: other message\r\nFrom: x <y@z.example>\r\n\r\n"+strings.Repeat("some words here and there ", 300)), mail.Limits{})

func FuzzMessage(f *testing.F) {
	f.Add([]byte("Subject: hi\r\nFrom: a <b@c.d>\r\n\r\nhello http://x.example/a/b?c 東京"))
	for _, name := range []string{"utf-8", "iso-2022-jp", "shift_jis"} {
		if b, err := os.ReadFile(filepath.Join("..", "testdata", "ja", "enc", name+".eml")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg := mail.Parse(raw, mail.Limits{MaxSize: 1 << 20})
		tk := Message(msg, nil, Options{CharGrams: 4})
		if tk.Len() > MaxFeatures {
			t.Fatalf("%d features", tk.Len())
		}
		// MessageTo into a Tokens that held another message's features
		// gives the same.
		var reused Tokens
		MessageTo(&reused, fuzzOther, nil, Options{CharGrams: 4})
		MessageTo(&reused, msg, nil, Options{CharGrams: 4})
		sameTokens(t, &reused, tk)
	})
}

func TestCharGrams(t *testing.T) {
	msg := mail.Parse([]byte("Subject: V1AGRA\r\n\r\nＶｉａｇｒａ   now 関所です\r\n"+strings.Repeat("x", 10000)), mail.Limits{})
	tk := Message(msg, nil, Options{CharGrams: 4})
	has := map[string]bool{}
	n := 0
	for _, f := range tk.All() {
		if strings.HasPrefix(f.Text, "c:") {
			has[f.Text] = true
			n++
		}
	}
	// NFKC and case folding apply; whitespace runs collapse; Japanese is
	// taken as characters.
	for _, want := range []string{"c:v1ag", "c:viag", "c:a no", "c:関所です"} {
		if !has[want] {
			t.Errorf("missing %q", want)
		}
	}
	if n > 3000 {
		t.Errorf("%d character n-grams: the text's start only", n)
	}
	if off := Message(msg, nil, Options{}); off.Len() >= tk.Len() {
		t.Error("n-grams off still adds them")
	}
}

// TestPairHashes: a pair's hash, computed without building its text, is
// the hash of its text, so learned stores keep their meaning.
func TestPairHashes(t *testing.T) {
	b := new(builder)
	b.seen.reset(0)
	b.words("aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp aa bb cc dd", 100)
	b.stream("s:")
	tk := b.result()
	pairs := 0
	for _, f := range tk.All() {
		if f.Hash != xxhash.Sum64String(f.Text) {
			t.Fatalf("%q: hash %x, want %x", f.Text, f.Hash, xxhash.Sum64String(f.Text))
		}
		if strings.Contains(f.Text, "\x1f") {
			pairs++
		}
	}
	if pairs == 0 {
		t.Fatal("no pairs")
	}
}

// FuzzStreamReference: stream's features (unigrams and OSB pairs, built
// in the arena) are the plainly built strings, deduplicated by hash in
// first-seen order.
func FuzzStreamReference(f *testing.F) {
	f.Add("aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp aa bb cc dd", "s:")
	f.Add("sixteen-letters1 seventeen-letters a abcdefghijklmnop abcdefghijklmnopq x1 y2 ab", "")
	f.Add(strings.Repeat("Wörter und mehr Wörter ", 40), "a:name:")
	f.Fuzz(func(t *testing.T, text, prefix string) {
		if len(prefix) > 64 {
			prefix = prefix[:64]
		}
		b := new(builder)
		b.seen.reset(0)
		b.words(text, 500)
		words := make([]string, b.ws.len())
		for i := range words {
			words[i] = b.ws.wordString(i)
		}
		// Some features before, and an arena with spare room of any size.
		b.add("x:before")
		b.stream(prefix)
		got := b.result()
		var want []string
		seen := map[uint64]bool{xxhash.Sum64String("x:before"): true}
		want = append(want, "x:before")
		addRef := func(s string) {
			if s == "" || len(want) >= MaxFeatures {
				return
			}
			if h := xxhash.Sum64String(s); !seen[h] {
				seen[h] = true
				want = append(want, s)
			}
		}
		for i, w := range words {
			addRef(prefix + w)
			for d := 1; d < Window && i-d >= 0; d++ {
				addRef(prefix + words[i-d] + "\x1f" + strconv.Itoa(d) + "\x1f" + w)
			}
		}
		if got.Len() != len(want) {
			t.Fatalf("%d features, want %d", got.Len(), len(want))
		}
		for i, s := range want {
			if got.Text(i) != s || got.Hash(i) != xxhash.Sum64String(s) {
				t.Fatalf("feature %d: %q %x, want %q", i, got.Text(i), got.Hash(i), s)
			}
		}
	})
}
