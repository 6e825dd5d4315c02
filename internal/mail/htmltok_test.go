package mail

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// lexBothWays runs htmlLexer and x/net/html's Tokenizer over src and
// fails on the first token where they differ: type, raw extent, text, tag
// atom or the attributes rendering keeps.
func lexBothWays(t *testing.T, src string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(src))
	lx := newHTMLLexer(src, len(src)+4096)
	off := 0
	for n := 0; ; n++ {
		want := z.Next()
		got := lx.Next()
		raw := string(z.Raw())
		if got != want {
			t.Fatalf("token %d at %d in %q: lexer %v, tokenizer %v (raw %q)", n, off, src, got, want, raw)
		}
		if want == html.ErrorToken {
			return
		}
		if lraw := src[lx.start:lx.end]; lraw != raw || lx.start != off {
			t.Fatalf("token %d (%v) in %q: lexer raw %q at %d, tokenizer %q at %d", n, want, src, lraw, lx.start, raw, off)
		}
		off += len(raw)
		switch want {
		case html.TextToken:
			if g, w := lx.Text(), z.Text(); !bytes.Equal(g, w) {
				t.Fatalf("text %q in %q: lexer %q, tokenizer %q", raw, src, g, w)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			ga, gat := lx.StartTag()
			var wat htmlAttrs
			name, hasAttr := z.TagName()
			wa := atom.Lookup(name)
			for k := 0; hasAttr && k < maxHTMLAttrs; k++ {
				var key, v []byte
				key, v, hasAttr = z.TagAttr()
				wat.set(key, v)
			}
			if ga != wa || *gat != wat {
				t.Fatalf("tag %q in %q:\nlexer %v %+v\ntokenizer %v %+v", raw, src, ga, *gat, wa, wat)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if g, w := lx.EndTag(), atom.Lookup(name); g != w {
				t.Fatalf("end tag %q in %q: lexer %v, tokenizer %v", raw, src, g, w)
			}
		}
	}
}

// renderBothWays compares renderHTML with renderHTMLRef.
func renderBothWays(t *testing.T, src string, maxBytes int) {
	t.Helper()
	got := renderHTML(src, maxBytes)
	want := renderHTMLRef(src, maxBytes)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("renderHTML(%q):\n got %+v\nwant %+v", src, got, want)
	}
}

var lexSeeds = []string{
	`<A HREF=http://x/ Href=y SRC='z' style = "a:b" hidden>t</a><img src=a.png width=1 height=1/>`,
	`<p =x a= b c=/ d/e f="g'h" i='j"k' title=>x</p><br/><input value=a/>`,
	`<div class=a class=b STYLE="x" style="y" data=1 DATA=2 aria-hidden=true>`,
	"<a\thref=\"x\"\n\fsrc=y>", "<a\r\nhref=x\r\nsrc=\"y\">\r\n</a\r\n>", "<a title=\"a\r\nb\" href=x>",
	`<script>if (a<b) {}</script><style>.a{}</style><title>x &amp; y</title><textarea><b>&lt;</textarea>`,
	`<script><!-- document.write("</script>") --></script>tail<b>x</b>`,
	`<script><!--<script></script>--></script>x`, `<SCRIPT>x</ScRiPt >y`, `<script/>a</script>b`,
	`<!DOCTYPE html><!-- c --><![CDATA[x]]><?pi?></p></ br><a href=x>`, `<!--><!---><!-- --!><!-- --!-->x`,
	`<!-- a --!- b -->c`, "<!-", "<!--", "<!--x", "<!", "<!d", "<!doctype", "<?", "</", "</>", "</ x>", "<", "a<", "a</b", "<a", "<a href='x",
	`<a href="x&amp;y&#39;z&#x41;&nbsp;&copy&foo;&b=1">&lt;&amp&AMP;&#128;&#0;&#xD800;&#1114112;&;& &x</a><b>`,
	"AT&T Q&A &nbsp &nbsp; &#; &#x; &#12 &eacute; &notin; &notit;", "a\x00b<script>\x00</script><a h\x00ref=x\x00y>",
	"<plaintext>a<b>c</plaintext>", "<xmp><b></xmp><iframe>x</iframe><noscript><a></noscript><noembed>a</noembed><noframes>b</noframes>",
	"<a/b/c d = \"e\">", `<x a="b>c" d='>'>`, `<a x=1 x=2/>`, `<a b/>`, `<a b=/>`, `<a href=x/>`, `<a href="x"/>`, `<div/>`,
	"<p>a\r\nb\rc</p><pre>x\r\n\ry</pre>",
	`<a href="?a=1&b=2&amp;c&copy=3&copy;x&#39;&#x3a;&;&" title="&notit; &amp" style="color&#58;red" class=a&amp;b>`,
	"<img alt='x&y' src=\"a\r\nb\x00c\" width=&#49; height=\"1&#x0;\" data=\"&lt;&gt;&quot;&nbsp;&euro;&AMP;\">",
	"<a href='x&ampy' src='x&amp=y' srcset='a&b;c' poster='&#128;&#x9f;&#xd800;&#99999999;&#'>", "<title>a</title ", "<textarea>a",
	// Numeric references: no digits, one digit at the end, 0, C1, surrogates, past 0x10FFFF, long.
	"&#x;", "&#5", "a&#5", "&#5;b", "&#x80;&#x81;&#x8d;&#x8f;&#x90;&#x9d;&#x9f;&#159&#160;", "&#0;&#00;&#x0",
	"&#x10FFFF;&#x110000&#xFFFFFFFFFFFF;&#55296;&#57343;&#0000000000000000000065;",
	"<a href=\"&#x;&#5\" alt='&#x9f&#0&#xDFFF;&#x110000;&#5'>",
	// Doctypes, comments, CDATA, processing instructions, bogus comments.
	"<!DocType html PUBLIC \"x\">", "<!DOCTYP", "<!doctypex>", "<!DOCTYPE", "<!DOCTYPE ", "<!>", "<!->", "<!-->x", "<!--->x",
	"<!---->x", "<!-- a -- b -->", "<!-- x --!", "<!-- x --", "<!-- x -", "<![CDATA[<a href=http://e.com/>]]>t",
	"</3>", "</ >", "</\x00>", "</-->", "<?xml version=\"1.0\"?>", "<?>", "</a href='>'>x", "<\x00a>", "<a\x00>x</a\x00>",
	// Attributes: unquoted values with '`', '=', '<', '/'; leading '='; duplicates in mixed case; NUL in names; odd spaces.
	"<a href=x`y=z<b c=d>t</a>", "<a href=a=b/c>t</a>", "<a href==x>", "<a ==x href=y>", "<A HREF=\"x\" hReF=\"y\" SRC=a src=b>",
	"<a\x00 href=x>", "<a href\x00=x href=y>", "<img src=x alt=a/b/>", "<img alt = 'x' / >", "<a href=\"x\"/ >", "<br / >",
	"<a \f\v href=x>", "<a\rhref=x\r>a\rb</a\r>", "\r", "\r\r\n\n", "<a href=\"\xff\xfe\">\x80\x9f</a>", "&\x00amp;",
	// Raw text elements.
	"<title>\x00&amp\r\n&nbsp;</title>", "<script>\r\n<!--\r\n</script>x", "<style><!--</style><a href=x>y</a>",
	"<noscript><!--</noscript><a href=x>y</a>-->", "<iframe><a href=x></iframe>", "<xmp>&amp;</xmp>", "<textarea>&lt;/textarea&gt;</textarea>",
	"<TITLE>x</TITLE\t>", "<script>a</scripty></script>", "<script>a</script", "<ScRiPt>x<!--<script>y</script>--></sCrIpT>z",
	"<script><!--<script>--></script>q</script>", "<plaintext>&amp;</plaintext><a href=x>", "<script x=\"&foo\"><!--</script>y",
	"<textarea title=\"&notit;\">x</textarea><a href=\"&foo\"/>y",
	// What hides, and what links say, written with references.
	"<div style=\"display&#58;none\">x</div>", "<div style=\"dis&#x70;lay:none\">x</div><a href=\"ht&#116;p://e.com/\">pay&#x70;al</a>",
	"<font color=&#35;ffffff style=\"background:#fff\">x</font>", "<img alt=\"&#80;ay&nbsp;now\" src=x width=1 height=1>",
	"<a href=\"javascript&colon;x\">y</a>", "<a href=\"http://e.com/?a=1&lt=2&lt;\">&lt</a>", "<span hidden=&foo>x</span><span HIDDEN>y</span>",
}

func TestHTMLLexerMatchesTokenizer(t *testing.T) {
	for _, s := range append(lexSeeds, benchHTML) {
		lexBothWays(t, s)
		renderBothWays(t, s, 1<<20)
	}
	many := "<a"
	for i := 0; i < 70; i++ {
		many += " a" + itoa(i) + "=" + itoa(i)
	}
	many += " href=x/>t"
	lexBothWays(t, many)
	lexBothWays(t, strings.Replace(many, "a69=69", "a1=1", 1))
}

// TestHTMLLexerCorpus: on the HTML parts of $SEKISHO_CORPUS, the lexer's
// tokens and the rendering are the Tokenizer's; on every part's texts
// extractTextURLs finds what extractTextURLsRef finds.
func TestHTMLLexerCorpus(t *testing.T) {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		t.Skip("SEKISHO_CORPUS not set")
	}
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := Parse(raw, Limits{})
		for _, pt := range m.Parts {
			urlsBothWays(t, pt.Text)
			urlsBothWays(t, pt.HiddenText)
			if pt.HTML == "" {
				continue
			}
			n++
			lexBothWays(t, pt.HTML)
			renderBothWays(t, pt.HTML, DefaultLimits().MaxTextBytes)
		}
	}
	t.Logf("%d HTML parts", n)
}

// FuzzHTMLLexer: the lexer's tokens and renderHTML's result are those of
// x/net/html's Tokenizer and renderHTMLRef.
func FuzzHTMLLexer(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lexBothWays(t, s)
		renderBothWays(t, s, 1<<20)
		if len(s) > 8 {
			renderBothWays(t, s, len(s)/2)
		}
	})
}

// FuzzPlainPrefix8: the eight-byte blocks plainPrefix8 skips hold no
// byte of textSpecial, and the block after them one.
func FuzzPlainPrefix8(f *testing.F) {
	for _, s := range []string{"", "abcdefgh", "abcdefgh&", "abc\rdefghijklmnop", "\x00", "12345678123456781234567\x00", "\xff\xfe&&&&&&&&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := plainPrefix8(s)
		first := strings.IndexAny(s, "\r&\x00")
		if first < 0 {
			first = len(s)
		}
		if n%8 != 0 || n > first || first-n >= 8 && n+8 <= len(s) {
			t.Fatalf("plainPrefix8(%q) = %d, first special at %d", s, n, first)
		}
	})
}

// TestHTMLLexerShortInputs: every string of up to three fragments from a
// set of the bytes and words the Tokenizer's states turn on, after a few
// prefixes that put it in those states, lexes and renders as the
// Tokenizer and renderHTMLRef do (four fragments with -short unset take
// minutes: run it by hand after changing htmlLexer).
func TestHTMLLexerShortInputs(t *testing.T) {
	frags := []string{"<", ">", "/", "!", "-", "a", "=", "\"", "&", "#", "x", "amp;", " ", "\r", "\x00", "?", "5;", "lt", "script"}
	prefixes := []string{"", "<script>", "<title>", "<a href=", "<!--", "</"}
	var walk func(s string, depth int)
	walk = func(s string, depth int) {
		for _, p := range prefixes {
			lexBothWays(t, p+s)
			renderBothWays(t, p+s, 1<<20)
		}
		if depth == 0 {
			return
		}
		for _, f := range frags {
			walk(s+f, depth-1)
		}
	}
	depth := 3
	if testing.Short() {
		depth = 2
	}
	walk("", depth)
}
