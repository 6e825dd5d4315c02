package mail

import (
	"strings"
	"testing"
)

func TestRenderHTMLHidden(t *testing.T) {
	cases := []struct {
		name, html, visible, hidden string
	}{
		{"display-none", `<p>Hello</p><div style="display:none">SECRET</div>`, "Hello", "SECRET"},
		{"visibility", `<span style="VISIBILITY: hidden">SECRET</span>shown`, "shown", "SECRET"},
		{"tiny-px", `<span style="font-size:1px">SECRET</span>shown`, "shown", "SECRET"},
		{"zero-font", `<span style="font-size:0">SECRET</span>shown`, "shown", "SECRET"},
		{"font-size-0", `<font size="0">SECRET</font>shown`, "shown", "SECRET"},
		{"same-colour", `<span style="color:#fff;background-color:#FFFFFF">SECRET</span>shown`, "shown", "SECRET"},
		{"same-colour-names", `<font color="white" style="background:white">SECRET</font>shown`, "shown", "SECRET"},
		{"inherited-bg", `<body bgcolor="#ffffff"><table><tr><td><font color="#FFF">SECRET</font></td></tr></table><p>shown</p></body>`, "shown", "SECRET"},
		{"inherited-bg-rgb", `<div style="background-color: rgb(255, 255, 255)"><p><span style="color:#ffffff">SECRET</span> shown</p></div>`, "shown", "SECRET"},
		{"class-rule", `<style>.x { display: none } p.y{font-size:0px}</style><div class="a x">SECRET</div><p class="y">SECRET2</p>shown`, "shown", "SECRET SECRET2"},
		{"near-white", `<div style="background:#FFFFFF"><span style="color:#fafafa">SECRET</span></div>shown`, "shown", "SECRET"},
		{"opacity", `<div style="opacity:0">SECRET</div>shown`, "shown", "SECRET"},
		{"mso-hide", `<div style="mso-hide:all">SECRET</div>shown`, "shown", "SECRET"},
		{"zero-height", `<div style="max-height:0;overflow:hidden">SECRET</div>shown`, "shown", "SECRET"},
		{"offscreen", `<div style="position:absolute;left:-9999px">SECRET</div>shown`, "shown", "SECRET"},
		{"hidden-attr", `<div hidden>SECRET</div>shown`, "shown", "SECRET"},
		{"nested-visible-in-hidden", `<div style="display:none"><p style="display:block">SECRET</p></div>shown`, "shown", "SECRET"},
		{"not-hidden-different-colours", `<div style="background:#000"><span style="color:#fff">white on black</span></div>`, "white on black", ""},
		{"script-style-not-text", `<script>var a="x";</script><style>p{}</style>text`, "text", ""},
	}
	for _, c := range cases {
		r := renderHTML(c.html, 1<<20)
		if strings.TrimSpace(r.Text) != c.visible {
			t.Errorf("%s: visible %q, want %q", c.name, r.Text, c.visible)
		}
		if strings.TrimSpace(r.Hidden) != c.hidden {
			t.Errorf("%s: hidden %q, want %q", c.name, r.Hidden, c.hidden)
		}
	}
}

func TestRenderHTMLText(t *testing.T) {
	r := renderHTML("<html><head><title>T</title></head><body><h1>Title</h1><p>line &amp; one<br>line&nbsp;two</p><ul><li>a</li><li>b</li></ul><table><tr><td>c1</td><td>c2</td></tr></table>word\nwrapped <img src=\"cid:img1\" alt=\"LOGO\"><div>end</div></body></html>", 1<<20)
	want := "Title\nline & one\nline two\na\nb\nc1 c2\nword wrapped LOGO\nend"
	if r.Text != want {
		t.Errorf("text:\n%q\nwant\n%q", r.Text, want)
	}
	if len(r.CIDs) != 1 || r.CIDs[0] != "img1" {
		t.Errorf("cids %v", r.CIDs)
	}
}

func TestRenderHTMLURLs(t *testing.T) {
	src := `<base href="http://base.example/"><meta http-equiv="refresh" content="0; URL='http://refresh.example/x'">
<a href="https://evil.example/login">https://www.bank.example/</a>
<a href="http://two.example/"><img src="http://img.example/a.png" alt="Click"></a>
<form action="https://form.example/post"><input type="image" src="http://input.example/i.png"><button formaction="https://fa.example/">go</button></form>
<map><area href="http://area.example/" alt="area"></map>
<table background="http://bg.example/bg.jpg"><tr><td style="background-image:url('http://css.example/c.png')">x</td></tr></table>
<img srcset="http://s1.example/a.png 1x, http://s2.example/b.png 2x">
<a href="#top">top</a><a href="mailto:info@mail.example">mail</a>
<div style="display:none"><a href="http://hidden.example/">h</a></div>
<a href="hxxp://broken example">b</a>
<a href="http:/\\slash.example/x">s</a><a href="https://split.
example/">n</a>`
	r := renderHTML(src, 1<<20)
	type want struct{ host, source, anchor string }
	wants := []want{
		{"base.example", "base", ""},
		{"refresh.example", "meta", ""},
		{"evil.example", "href", "https://www.bank.example/"},
		{"two.example", "href", "Click"},
		{"img.example", "src", ""},
		{"form.example", "form", ""},
		{"input.example", "src", ""},
		{"fa.example", "form", ""},
		{"area.example", "area", ""},
		{"bg.example", "src", ""},
		{"css.example", "src", ""},
		{"s1.example", "src", ""},
		{"s2.example", "src", ""},
		{"", "href", "mail"},
		{"hidden.example", "href", "h"},
		{"slash.example", "href", "s"},
		{"split.example", "href", "n"},
	}
	got := map[string]URL{}
	for _, u := range r.URLs {
		got[u.Host+"|"+u.Source] = u
	}
	for _, w := range wants {
		u, ok := got[w.host+"|"+w.source]
		if !ok {
			t.Errorf("missing %s from %s in %+v", w.host, w.source, r.URLs)
			continue
		}
		if w.anchor != "" && u.Anchor != w.anchor {
			t.Errorf("%s: anchor %q, want %q", w.host, u.Anchor, w.anchor)
		}
		if (w.host == "hidden.example") != u.Hidden {
			t.Errorf("%s: hidden=%v", w.host, u.Hidden)
		}
	}
	for _, u := range r.URLs {
		if strings.HasPrefix(u.Raw, "#") {
			t.Errorf("fragment link kept: %+v", u)
		}
	}
}

func TestRenderHTMLLimits(t *testing.T) {
	deep := strings.Repeat("<div>", 5000) + "x" + strings.Repeat("</div>", 5000)
	r := renderHTML(deep, 1<<20)
	if !r.Limited || !strings.Contains(r.Text, "x") {
		t.Errorf("deep: limited=%v text=%q", r.Limited, r.Text)
	}
	big := strings.Repeat("<p>abc</p>", 10000)
	r = renderHTML(big, 1000)
	if !r.Limited {
		t.Error("size limit not reported")
	}
}

func TestStyleSheetLinear(t *testing.T) {
	css := "<style>" + strings.Repeat("@media x { .a { color: red } } ", 20000) + ".h{display:none}</style><p class=h>hidden</p>shown"
	r := renderHTML(css, 4<<20)
	if strings.TrimSpace(r.Text) != "shown" {
		t.Errorf("text %q hidden %q", r.Text, r.Hidden)
	}
	r = renderHTML(`<style>@media screen { .m { display:none } } div > .k{font-size:0}</style><span class="m">x1</span><span class="k">x2</span>y`, 1<<20)
	if strings.TrimSpace(r.Text) != "y" {
		t.Errorf("media rules: %q", r.Text)
	}
}
