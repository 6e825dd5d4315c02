package sanitize

import (
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

// FuzzSanitize: whatever the message HTML, the sanitised output has no
// element that runs script or loads anything, and no attribute that
// references a URL or an event handler.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		`<p>hi</p>`,
		`<script>alert(1)</script><img src=http://x/p onerror=alert(1)>`,
		`<a href="javascript:alert(1)">x</a><a href="https://a.example/">https://b.example/</a>`,
		`<svg onload=alert(1)><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		`<iframe srcdoc="<script>alert(1)</script>"></iframe><object data=x></object><embed src=x>`,
		`<style>@import url(http://x/)</style><div style="background:url(http://x/)">`,
		`<meta http-equiv=refresh content="0;url=http://x/"><base href="http://x/"><link rel=stylesheet href=http://x/>`,
		`<form action=http://x/><input type=image src=http://x/></form><video poster=http://x/></video>`,
		`<img src="data:image/svg+xml,<svg onload=alert(1)>">`,
		`<<script>script>alert(1)<</script>/script>`,
		`<a href="http://x/" ping="http://x/ping">x</a><area href=http://x/>`,
		`<table background="http://x/bg"><td background=http://x/td>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := HTML(src, "en")
		doc := Document(out)
		z := xhtml.NewTokenizer(strings.NewReader(doc))
		for {
			tt := z.Next()
			if tt == xhtml.ErrorToken {
				return
			}
			if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "img", "video", "audio", "source", "link", "meta", "base", "form", "input", "svg", "math", "frame", "frameset", "applet", "image", "picture", "track":
				if !(tok.Data == "meta" && len(tok.Attr) == 1 && tok.Attr[0].Key == "charset") {
					t.Fatalf("dangerous element <%s> in %q", tok.Data, out)
				}
			case "style":
				// Only the document's own style block, before the body.
				if strings.Contains(out, "<style") {
					t.Fatalf("style element from the message in %q", out)
				}
			}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "src" || k == "href" || k == "style" || k == "background" || k == "action" ||
					k == "poster" || k == "srcset" || k == "ping" || k == "formaction" || k == "data" || k == "xlink:href" {
					t.Fatalf("dangerous attribute %s=%q on <%s> in %q", a.Key, a.Val, tok.Data, out)
				}
			}
		}
	})
}
