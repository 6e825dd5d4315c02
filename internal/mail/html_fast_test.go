package mail

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tagsBothWays tokenizes src and, for every start tag, reads it with
// scanTag (when plainTag and rawAt allow) and with the tokenizer's
// TagName/TagAttr; it fails on any difference. It returns how many tags
// took the fast path and how many tags there were.
func tagsBothWays(t *testing.T, src string) (fast, tags int) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(src))
	off := 0
	for {
		tt := z.Next()
		raw := z.Raw()
		if tt == html.ErrorToken {
			return fast, tags
		}
		if tt == html.EndTagToken {
			fa, ok := endTagAtom(raw)
			name, _ := z.TagName()
			if sa := atom.Lookup(name); ok && fa != sa {
				t.Fatalf("end tag %q in %q: fast %v, slow %v", raw, src, fa, sa)
			}
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			off += len(raw)
			continue
		}
		tags++
		var fa htmlAttrs
		var fat atom.Atom
		sub, ok := rawAt(src, off, raw)
		ok = ok && plainTag(raw)
		if ok {
			fat, ok = scanTag(sub, &fa)
		}
		if ok {
			fast++
		}
		off += len(raw)
		var sa htmlAttrs
		name, hasAttr := z.TagName()
		sat := atom.Lookup(name)
		for n := 0; hasAttr && n < maxHTMLAttrs; n++ {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			sa.set(k, v)
		}
		if ok && (fa != sa || fat != sat) {
			t.Fatalf("tag %q in %q:\nfast %v %+v\nslow %v %+v", sub, src, fat, fa, sat, sa)
		}
	}
}

func TestScanTagMatchesTokenizer(t *testing.T) {
	for _, src := range []string{
		benchHTML,
		`<A HREF=http://x/ Href=y SRC='z' style = "a:b" hidden>t</a><img src=a.png width=1 height=1/>`,
		`<p =x a= b c=/ d/e f="g'h" i='j"k' title=>x</p><br/><input value=a/>`,
		`<div class=a class=b STYLE="x" style="y" data=1 DATA=2 aria-hidden=true>`,
		`<font size=0 color=white><meta http-equiv=refresh content="0;url=http://r/">`,
		"<a\thref=\"x\"\n\fsrc=y>", "<a\r\nhref=x\r\nsrc=\"y\">\r\n</a\r\n>", "<a title=\"a\r\nb\" href=x>",
		`<script>if (a<b) {}</script><style>.a{}</style><title>x</title><textarea><b></textarea>`,
		`<!DOCTYPE html><!-- c --><![CDATA[x]]><?pi?></p></ br><a href=x>`,
		`<a href="x&amp;y">&lt;</a><b>`,
	} {
		fast, tags := tagsBothWays(t, src)
		if fast != tags && !strings.ContainsAny(src, "&\x00") && !strings.Contains(src, "\"a\r") {
			t.Errorf("%d of %d tags on the fast path in %q", fast, tags, src)
		}
	}
}

// FuzzScanTag: the fast reading of plain start tags is the tokenizer's.
func FuzzScanTag(f *testing.F) {
	for _, s := range []string{
		benchHTML, `<a href=x Href=y/>`, `<p =x a= b c=/ d/e f="g'h" i='j"k'>`, `<a/b/c d = "e">`,
		`<x a="b>c" d='>'>`, `<img src=a.png/>`, "<a\f\thref\n=\n'x'>", `<a href="x>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tagsBothWays(t, s)
	})
}
