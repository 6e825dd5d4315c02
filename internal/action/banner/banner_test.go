package banner

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/config"
	smail "github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func result() *pipeline.Result {
	return &pipeline.Result{Verdict: pipeline.Verdict{Action: pipeline.ActionAccept, Category: pipeline.CategoryBEC, Score: 4,
		Symbols: []pipeline.SymbolResult{{Name: "FROM_DISPLAY_NAME_IMPERSONATION", Score: 4, Category: pipeline.CategoryBEC,
			EN: "The sender's name matches your CFO but the address is outside the company.",
			JA: "差出人名が自社の CFO と一致しますが、アドレスは社外のものです。"}}}}
}

func apply(t *testing.T, raw string) (string, []byte) {
	t.Helper()
	b := New(config.Default())
	nb := b.Apply([]byte(raw), result())
	if nb == nil {
		t.Fatal("no banner")
	}
	// From the scan's parse (no MIME walk of its own): the same bytes.
	r := result()
	r.Msg = smail.Parse([]byte(raw), smail.Limits{})
	if got := b.Apply([]byte(raw), r); !bytes.Equal(got, nb) {
		t.Fatalf("banner from the parsed tree differs:\n%q\nwant\n%q", got, nb)
	}
	hdr, _ := action.SplitMessage([]byte(raw))
	return string(hdr), nb
}

func TestISO2022JP(t *testing.T) {
	body, _ := japanese.ISO2022JP.NewEncoder().String("お世話になっております。\r\n")
	raw := "From: a@b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + body
	_, nb := apply(t, raw)
	for _, c := range nb {
		if c >= 0x80 {
			t.Fatal("8-bit byte in a 7bit ISO-2022-JP part")
		}
	}
	dec, err := japanese.ISO2022JP.NewDecoder().Bytes(nb)
	if err != nil {
		t.Fatal(err)
	}
	s := string(dec)
	if !strings.Contains(s, "【注意】") || !strings.Contains(s, "CFO") || !strings.HasSuffix(s, "お世話になっております。\r\n") {
		t.Errorf("decoded: %s", s)
	}
}

func TestMultipartKeepsOtherParts(t *testing.T) {
	raw := "From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\n" +
		"Content-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n--YY\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello =E3=81=82\r\n" +
		"--YY\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte("<html><body><p>Hi</p></body></html>")) + "\r\n--YY--\r\n" +
		"--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XX--\r\nepilogue\r\n"
	hdr, nb := apply(t, raw)
	if !bytes.Contains(nb, []byte("Content-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XX--\r\nepilogue\r\n")) {
		t.Errorf("attachment part changed:\n%s", nb)
	}
	m, err := mail.ReadMessage(strings.NewReader(hdr + string(nb)))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, "XX")
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	ar := multipart.NewReader(p, "YY")
	tp, _ := ar.NextPart()
	tb, _ := io.ReadAll(tp) // quoted-printable decoded by multipart
	if !strings.Contains(string(tb), "【注意】") || !strings.HasSuffix(string(tb), "Hello あ") {
		t.Errorf("text part: %q", tb)
	}
	hp, _ := ar.NextPart()
	hb, _ := io.ReadAll(hp)
	html, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(hb), "\r\n", ""))
	if !strings.HasPrefix(string(html), "<html><body>\r\n<div") || !strings.Contains(string(html), "&#x6CE8;") {
		t.Errorf("html part: %s", html)
	}
	if _, err := mr.NextPart(); err != nil {
		t.Errorf("attachment part lost: %v", err)
	}
	_ = quotedprintable.NewReader
}

func TestNoBannerForOtherSymbols(t *testing.T) {
	b := New(config.Default())
	r := &pipeline.Result{Verdict: pipeline.Verdict{Category: pipeline.CategorySpam, Score: 6, Symbols: []pipeline.SymbolResult{{Name: "HDR_MISSING_DATE", Score: 6}}}}
	if b.Apply([]byte("From: a\r\n\r\nx"), r) != nil {
		t.Error("banner for a symbol not in the list")
	}
}

func TestASCIICharsetGetsEnglish(t *testing.T) {
	_, nb := apply(t, "From: a@b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n")
	if has8bit(nb) || !strings.Contains(string(nb), "CAUTION") {
		t.Errorf("%s", nb)
	}
}

func FuzzBanner(f *testing.F) {
	f.Add([]byte("Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<body>=3D</body>\r\n--b--\r\n"))
	f.Add([]byte("Content-Type: text/plain; charset=shift_jis\r\nContent-Transfer-Encoding: base64\r\n\r\ngqA=\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n"))
	b := New(config.Default())
	r := result()
	f.Fuzz(func(t *testing.T, raw []byte) {
		nb := b.Apply(raw, r)
		if nb != nil && len(nb) > 4*len(raw)+64<<10 {
			t.Fatalf("banner output grew from %d to %d", len(raw), len(nb))
		}
		pr := result()
		pr.Msg = smail.Parse(raw, smail.Limits{})
		if nb := b.Apply(raw, pr); nb != nil && len(nb) > 4*len(raw)+64<<10 {
			t.Fatalf("banner (parsed) output grew from %d to %d", len(raw), len(nb))
		}
	})
}

// TestParsedTreeSameAsOwnWalk: the banner written from the scan's parsed
// tree is byte for byte the one its own MIME walk wrote.
func TestParsedTreeSameAsOwnWalk(t *testing.T) {
	for name, raw := range map[string]string{
		"lf alternative":   "From: a@b\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nhello\n--b\nContent-Type: text/html; charset=utf-8\n\n<html><body>hi</body></html>\n--b--\n",
		"attachment first": "From: a@b\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: application/zip; name=a.zip\r\nContent-Disposition: attachment; filename=a.zip\r\n\r\nUEsDBA==\r\n--m\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nsee attached\r\n--m--\r\n",
		"html only":        "From: a@b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>=E3=81=82</p>\r\n",
		"forwarded":        "From: a@b\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nfyi\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d\r\nContent-Type: text/plain\r\n\r\ninner\r\n--o--\r\n",
		"no close":         "From: a@b\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nunterminated\r\n",
	} {
		t.Run(name, func(t *testing.T) { apply(t, raw) })
	}
}
