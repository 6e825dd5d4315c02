package tokenize

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/ikawaha/kagome-dict/ipa"
	ktok "github.com/ikawaha/kagome/v2/tokenizer"
	"github.com/sekisho/sekisho/internal/mail"
	"golang.org/x/text/unicode/norm"
)

// japaneseSamples are the Han/kana runs the tokenizer hands to kagome for
// the Japanese test messages (their subjects and texts, as split does),
// a few sentences, and random mixes of their characters.
func japaneseSamples(t *testing.T) []string {
	t.Helper()
	var texts []string
	var files []string
	for _, dir := range []string{filepath.Join("..", "testdata"), filepath.Join("..", "..", "..", "..", "testdata")} {
		files = append(files, emlFiles(t, dir)...)
	}
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m := mail.Parse(raw, mail.Limits{})
		texts = append(texts, m.Subject, m.Text)
	}
	texts = append(texts, wordsSeeds...)
	texts = append(texts,
		"いつもお世話になっております。来週の打ち合わせ資料をお送りいたします。ご確認のほどよろしくお願いいたします。",
		"お客様のアカウントは一時的に停止されました。以下のリンクから本人確認を行ってください。",
		"【重要】三井住友カードご利用確認のお願い",
		"ｱｶｳﾝﾄ確認 ﾊﾟｽﾜｰﾄﾞ再設定 キャンペーン当選おめでとうございます",
		"東京特許許可局長今日急遽休暇許可拒否", "すもももももももものうち", "々ゝゞヽヾー")
	var runs []string
	var chars []rune
	for _, s := range texts {
		s = strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(s, " ")))
		for i := 0; i < len(s); {
			r, sz := utf8.DecodeRuneInString(s[i:])
			if !isCJK(r) {
				i += sz
				continue
			}
			j := i
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if !isCJK(r2) {
					break
				}
				chars = append(chars, r2)
				j += sz2
			}
			runs = append(runs, s[i:j])
			i = j
		}
	}
	if len(chars) < 1000 {
		t.Fatalf("only %d Japanese characters in the samples", len(chars))
	}
	rng := rand.New(rand.NewPCG(17, 17))
	for range 200 {
		var b strings.Builder
		for range 1 + rng.IntN(60) {
			// Mostly real neighbours (a slice of a sample), some noise.
			if rng.IntN(4) == 0 {
				b.WriteRune(chars[rng.IntN(len(chars))])
				continue
			}
			run := []rune(runs[rng.IntN(len(runs))])
			lo := rng.IntN(len(run))
			b.WriteString(string(run[lo:min(len(run), lo+1+rng.IntN(8))]))
		}
		runs = append(runs, b.String())
	}
	return runs
}

// TestTrimmedDictSameTokens: the tokenizer over the trimmed dictionary
// (segmenter: no part-of-speech table) cuts every sample exactly as
// kagome over the untouched full dictionary does.
func TestTrimmedDictSameTokens(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a second, full dictionary")
	}
	seg := segmenter()
	if seg == nil {
		t.Fatal("no dictionary")
	}
	if d := ipa.DictShrink(); len(d.POSTable.POSs) != 0 {
		t.Fatalf("the part-of-speech table was not dropped (%d entries)", len(d.POSTable.POSs))
	}
	sameTokensAsFull(t, seg)
}

// TestMappedDictSameTokens: with its large tables moved to a mapped file
// (MapDictionary), the dictionary still cuts every sample as the full
// one does. (The tests after this one use the mapped tables too.)
func TestMappedDictSameTokens(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a second, full dictionary")
	}
	d := ipa.DictShrink()
	before := len(d.Index.Da)
	n, err := MapDictionary(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Skip("the tables are not mapped on this system")
	}
	if n < 15<<20 || len(d.Index.Da) != before {
		t.Fatalf("%d bytes mapped, index %d entries (was %d)", n, len(d.Index.Da), before)
	}
	if n2, err := MapDictionary(t.TempDir()); n2 != 0 || err != nil {
		t.Fatalf("second call: %d, %v", n2, err)
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(dictMapped.mem)))
	hi := lo + uintptr(len(dictMapped.mem))
	for _, p := range []unsafe.Pointer{unsafe.Pointer(&d.Index.Da[0]), unsafe.Pointer(&d.Connection.Vec[0]), unsafe.Pointer(&d.Morphs[0])} {
		if a := uintptr(p); a < lo || a >= hi {
			t.Fatalf("a table at %#x is outside the mapping %#x-%#x", a, lo, hi)
		}
	}
	sameTokensAsFull(t, segmenter())
}

// sameTokensAsFull compares seg with kagome over the full dictionary on
// the Japanese samples.
func sameTokensAsFull(t *testing.T, seg *ktok.Tokenizer) {
	t.Helper()
	runs := japaneseSamples(t)
	full, err := ktok.New(ipa.Dict(), ktok.OmitBosEos())
	if err != nil {
		t.Fatal(err)
	}
	if len(ipa.Dict().POSTable.POSs) == 0 {
		t.Fatal("the reference dictionary has no part-of-speech table")
	}
	var toks, bytes int
	for _, run := range runs {
		for len(run) > 0 {
			chunk := run
			if n := utf8.RuneCountInString(chunk); n > MaxCJKRun {
				chunk = string([]rune(chunk)[:MaxCJKRun])
			}
			run = run[len(chunk):]
			got, want := seg.Analyze(chunk, ktok.Normal), full.Analyze(chunk, ktok.Normal)
			if len(got) != len(want) {
				t.Fatalf("%q: %d tokens, the full dictionary gives %d", chunk, len(got), len(want))
			}
			for i := range got {
				g, w := got[i], want[i]
				if g.Surface != w.Surface || g.Class != w.Class || g.ID != w.ID || g.Start != w.Start || g.End != w.End || g.Position != w.Position {
					t.Fatalf("%q: token %d is %v, the full dictionary gives %v", chunk, i, g, w)
				}
			}
			toks += len(got)
			bytes += len(chunk)
		}
	}
	t.Logf("%d runs, %d bytes, %d tokens: identical", len(runs), bytes, toks)
}
