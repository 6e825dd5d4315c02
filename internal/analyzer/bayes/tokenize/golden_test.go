package tokenize

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
)

// The features of a message are the store's keys: a faster tokenizer must
// give exactly the features (hashes, readable texts, order) the previous
// one gave, or every trained store loses its meaning. These digests were
// taken with the tokenizer before the allocation-free rewrite (issue 17);
// the tests recompute them with the current one.
const (
	// goldenTestdata: every message under ../testdata, three option sets.
	goldenTestdata = "f8d37fcccffe6b41c2f1d88158c03a2ed0cd7a1e3ae1a00be915ea660ef6f79e"
	// goldenSA: the SpamAssassin test split (ham then spam, sorted by
	// name), default options; checked only when SEKISHO_CORPUS has that
	// split with goldenSACount messages of goldenSABytes bytes.
	goldenSA      = "be24a0da2470727ee0af9450f867ae8f8ab30e4fa33ba37a6b8c85e82cbc8c0b"
	goldenSACount = 2987
	goldenSABytes = 15303821
)

// digestFeatures adds a message's features to h.
func digestFeatures(h hash.Hash, tk *Tokens) {
	var b [8]byte
	for _, f := range tk.All() {
		binary.LittleEndian.PutUint64(b[:], f.Hash)
		h.Write(b[:])
		h.Write([]byte(f.Text))
		h.Write([]byte{0})
	}
	if tk.CJK {
		h.Write([]byte("cjk"))
	}
	h.Write([]byte{0xff})
}

func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".eml") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// goldenSynthetic are messages that reach the tokenizer's corners (URLs,
// headers, attachments, long and digit tokens, "$" and "!", CJK).
var goldenSynthetic = []string{
	"From: \"Amazon Shipping\" <amz@123fnord.com>\r\nTo: a@example.jp\r\nReply-To: x@other.example\r\n" +
		"Subject: Your package\r\nX-Mailer: Foo Mailer 5.1\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" +
		"Track it at https://track.example.net/parcel/12345?id=9 today\r\n--b\r\n" +
		"Content-Type: application/zip; name=invoice.pdf.zip\r\nContent-Disposition: attachment; filename=invoice.pdf.zip\r\n\r\nPK\r\n--b--\r\n",
	"Subject: V1AGRA $100!! ＦＲＥＥ\r\nMessage-ID: <1@x.example>\r\nList-Id: <l.example>\r\nX-Priority: 1\r\n" +
		"Received: from mx1.example.com (mx1.example.com [192.0.2.1]) by mx.example.net with ESMTPS id 12; Mon, 1 Jan 2024\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Ｖｉａｇｒａ now $5 only! <a href=\"http://192.0.2.7/a/b?c\">x</a> " +
		"<span style=\"display:none\">hidden words</span> " + strings.Repeat("abcdefghij", 5) + " 関所を通る東京都に住んでいます " +
		"ftp://files.example.org/pub/" + strings.Repeat("word another thing ", 50) + "</p>\r\n",
	"Subject: \r\n\r\n",
}

func TestFeaturesGolden(t *testing.T) {
	h := sha256.New()
	msgs := testMessages(t)
	for _, opt := range []Options{{}, {NoBigrams: true, NoHeaders: true}, {CharGrams: 4}} {
		for _, m := range msgs {
			digestFeatures(h, Message(m, nil, opt))
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != goldenTestdata {
		t.Errorf("features of the test messages changed: digest %s, want %s", got, goldenTestdata)
	}
}

func TestFeaturesGoldenSA(t *testing.T) {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		t.Skip("SEKISHO_CORPUS not set")
	}
	var files []string
	for _, sub := range []string{"test/ham", "test/spam"} {
		fs, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		sort.Strings(fs)
		files = append(files, fs...)
	}
	h := sha256.New()
	var n, size int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		n++
		size += len(raw)
		digestFeatures(h, Message(mail.Parse(raw, mail.Limits{}), nil, Options{}))
	}
	got := hex.EncodeToString(h.Sum(nil))
	if n != goldenSACount || size != goldenSABytes {
		t.Skipf("another corpus (%d messages, %d bytes; digest %s)", n, size, got)
	}
	if got != goldenSA {
		t.Errorf("features of the SA test split changed: digest %s, want %s", got, goldenSA)
	}
}

// sameTokens fails unless got has exactly want's features.
func sameTokens(t testing.TB, got, want *Tokens) {
	t.Helper()
	if got.Len() != want.Len() || got.CJK != want.CJK {
		t.Fatalf("%d features (cjk %v), want %d (cjk %v)", got.Len(), got.CJK, want.Len(), want.CJK)
	}
	for i := range want.Len() {
		if got.Feature(i) != want.Feature(i) {
			t.Fatalf("feature %d: %+v, want %+v", i, got.Feature(i), want.Feature(i))
		}
	}
}

// testMessages parses the test messages: testdata's and goldenSynthetic.
func testMessages(t *testing.T) []*mail.Message {
	var msgs []*mail.Message
	for _, p := range emlFiles(t, filepath.Join("..", "testdata")) {
		msgs = append(msgs, parseFile(t, p))
	}
	for _, raw := range goldenSynthetic {
		msgs = append(msgs, mail.Parse([]byte(raw), mail.Limits{}))
	}
	return msgs
}

// corpusMessages parses every every-th message of the SEKISHO_CORPUS
// subdirectories subs (none without the corpus).
func corpusMessages(every int, subs ...string) []*mail.Message {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		return nil
	}
	var msgs []*mail.Message
	for _, sub := range subs {
		fs, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		for i, f := range fs {
			if i%every != 0 {
				continue
			}
			if raw, err := os.ReadFile(f); err == nil {
				msgs = append(msgs, mail.Parse(raw, mail.Limits{}))
			}
		}
	}
	return msgs
}

// TestMessageToSame: MessageTo into one reused Tokens gives what Message
// gives, message after message (small after large and the other way).
func TestMessageToSame(t *testing.T) {
	msgs := testMessages(t)
	msgs = append(msgs, nil)
	msgs = append(msgs, corpusMessages(5, "test/spam")...)
	var tk Tokens
	for _, opt := range []Options{{}, {NoBigrams: true, NoHeaders: true}, {CharGrams: 4}, {Scheme: SchemePairMix}, {Scheme: SchemePairMix, CharGrams: 4}} {
		for i := range 2 * len(msgs) {
			m := msgs[(i*7)%len(msgs)]
			MessageTo(&tk, m, nil, opt)
			sameTokens(t, &tk, Message(m, nil, opt))
			if i%3 == 0 {
				tk.Reset()
			}
		}
	}
}
