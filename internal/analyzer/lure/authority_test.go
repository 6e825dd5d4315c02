package lure

import (
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
	"unicode"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/testutil"
)

// reAuthorityMain is reAuthority as main wrote it, whole.
var reAuthorityMain = regexp.MustCompile(`(?i)\b(?:tax (?:office|authority|department|refund)|internal revenue|irs|hmrc|customs|border (?:force|protection)|police|interpol|fbi|europol|court|tribunal|ministry of|department of (?:justice|treasury)|social security|united nations|imf|world bank|` +
	`finanzamt|bundeszentralamt|steuerverwaltung|zoll(?:amt)?|polizei|bundeskriminalamt|gericht|staatsanwaltschaft|` +
	`belastingdienst|douane|politie|rechtbank|digid|` +
	`impots|finances publiques|dgfip|gendarmerie|ministère|ameli|assurance maladie|antai|` +
	`receita federal|polícia|policia|tribunal de justiça|detran|sefaz|gov\.br|autoridade tribut[aá]ria|finan[çc]as|intima[çc][ãa]o|cita[çc][ãa]o|notifica[çc][ãa]o judicial|processo judicial|a[çc][ãa]o tribut[aá]ria|justi[çc]a federal|` +
	`notificaci[óo]n judicial|juzgado|citaci[óo]n|demanda judicial|` +
	`agencia tributaria|hacienda|guardia civil|` +
	`agenzia (?:delle )?entrate|guardia di finanza|polizia|carabinieri|inps)\b|国税庁|税務署|警察|警視庁|裁判所|税関|年金機構|市役所|区役所|総務省|厚生労働省|法務省`)

func TestAuthorityPatternUnchanged(t *testing.T) {
	if reAuthority.Regexp().String() != reAuthorityMain.String() {
		t.Fatalf("reAuthority is\n%s\nnot\n%s", reAuthority.Regexp(), reAuthorityMain)
	}
}

// Every alternative of authorityWords opens with a letter whose case
// variants are ASCII letters or runes above 0x7F (findAuthority skips
// the other bytes).
func TestAuthorityWordsOpenWithLetters(t *testing.T) {
	p, err := syntax.Parse(`(?i)(?:`+authorityWords+`)`, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	var first func(re *syntax.Regexp)
	first = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpCapture, syntax.OpConcat:
			first(re.Sub[0])
		case syntax.OpAlternate:
			for _, s := range re.Sub {
				first(s)
			}
		case syntax.OpLiteral:
			r := re.Rune[0]
			for f := r; ; {
				if f < 0x80 && !('a' <= f|0x20 && f|0x20 <= 'z') {
					t.Errorf("%v opens with %q", re, f)
				}
				if re.Flags&syntax.FoldCase == 0 {
					break
				}
				if f = unicode.SimpleFold(f); f == r {
					break
				}
			}
		case syntax.OpCharClass:
			for i := 0; i < len(re.Rune); i += 2 {
				for f := re.Rune[i]; f <= re.Rune[i+1]; f++ {
					if f < 0x80 && !('a' <= f|0x20 && f|0x20 <= 'z') {
						t.Errorf("%v opens with %q", re, f)
					}
				}
			}
		default:
			t.Errorf("%v: op %v not checked", re, re.Op)
		}
	}
	first(p)
}

var authoritySeeds = []string{
	"", "irs", "IRS", "first", "theirs", "x\nirs\nrefund", "tax office", "TAX   office", "tax\u212aoffice", "\u017focial security",
	"x\u017focial security", "social securityx", "the police said", "Polícia Federal", "POLÍCIA", "zollamt", "zollamtx", "zoll amt",
	"国税庁より", "abc 国税庁 irs", "irs 国税庁", "警察irs", "gov.br", "govxbr", "notificação judicial", "NOTIFICAÇÃO JUDICIAL",
	"a\xffirs", "\xffirs\xff", "\xe2\x84irs", "department of justice", "department of the treasury", "ministère", "MINISTÈRE",
	"_irs", "irs_", "9irs", "court-martial", "courtesy", "agenzia delle entrate", "agenzia entrate", "agenzia  entrate",
	strings.Repeat("first ", 40) + "police", "hmrc\u212a", "\u212airs", "imf\u017f",
}

func TestFindAuthorityMatchesRegex(t *testing.T) {
	for _, s := range authoritySeeds {
		if got, want := findAuthority(s), reAuthorityMain.FindString(s); got != want {
			t.Errorf("findAuthority(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestFindAuthorityCorpus compares on the display names, sign-offs and
// subjects of the SA corpus.
func TestFindAuthorityCorpus(t *testing.T) {
	for _, c := range corpusMessages(t) {
		m := c.m
		name := ""
		if len(m.From) > 0 {
			name = m.From[0].Name
		}
		for _, s := range []string{strings.ToLower(name) + "\n" + strings.ToLower(signOffText(m.Text)) + "\n" + strings.ToLower(m.Subject), m.Subject, signOff(m.Text)} {
			if got, want := findAuthority(s), reAuthorityMain.FindString(s); got != want {
				t.Errorf("%s: findAuthority(%q) = %q, want %q", c.file, s, got, want)
			}
		}
	}
}

// corpusMessage is a parsed message of the SA corpus and its file.
type corpusMessage struct {
	file string
	m    *mail.Message
}

// corpusMessages parses every message of the SA corpus (all splits).
func corpusMessages(t *testing.T) []corpusMessage {
	dir := testutil.Corpus(t)
	var files []string
	for _, k := range []string{"all/ham", "all/spam"} {
		f, _ := filepath.Glob(filepath.Join(dir, k, "*"))
		files = append(files, f...)
	}
	out := make([]corpusMessage, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, corpusMessage{f, mail.Parse(raw, mail.Limits{})})
	}
	return out
}

func FuzzFindAuthority(f *testing.F) {
	for _, s := range authoritySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := findAuthority(s), reAuthorityMain.FindString(s); got != want {
			t.Fatalf("findAuthority(%q) = %q, want %q", s, got, want)
		}
	})
}

// BenchmarkFindAuthority: a subject that passes reAuthority's literal
// test ("irs" in "first") without naming an authority.
func BenchmarkFindAuthority(b *testing.B) {
	s := "john smith\n\nre: first quarter figures for the meeting on monday, please review"
	b.Run("find", func(b *testing.B) {
		for range b.N {
			findAuthority(s)
		}
	})
	b.Run("regex", func(b *testing.B) {
		for range b.N {
			reAuthority.FindString(s)
		}
	})
}
