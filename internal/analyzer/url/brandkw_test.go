package url

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/ascii"
	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/link/normalize"
)

// brandInURLPlain is the keyword check as it was: the keyword list built
// and lower-cased per brand and link.
func brandInURLPlain(b brands.Brand, h *normalize.Link, withPath bool) string {
	host := h.Host
	path := ""
	if withPath {
		path = strings.ToLower(h.Path)
	}
	kws := append([]string(nil), b.Keywords...)
	for _, n := range b.Names {
		if ascii.Is(n) && len(n) >= 4 {
			kws = append(kws, strings.ToLower(n))
		}
	}
	for _, kw := range kws {
		kw = strings.ToLower(strings.ReplaceAll(kw, " ", ""))
		if len(kw) < 4 {
			continue
		}
		if strings.Contains(host, kw) || strings.Contains(path, kw) {
			return kw
		}
	}
	return ""
}

// FuzzBrandKeywords compares the per-message keyword and domain lists
// (brandKeywords and keywordIn, claimSet.domains and ownsLower) with the
// plain per-link computation (brandInURLPlain, ownsDomain), on made-up
// brands and on every brand of the list.
func FuzzBrandKeywords(f *testing.F) {
	f.Add("Micro Soft|office365|ms", "Microsoft|Office 365|マイクロソフト|MSFT", "microsoft.com|Office.com", "login.microsoft-support.example", "/Office365/Login", true)
	f.Add("", "Amazon|AMAZON PRIME|Amaz", "amazon.co.jp|amazon.com", "WWW.Amazon.co.jp", "/", false)
	f.Add("paypal", "PayPal", "paypal.com", "xn--pypal-4ve.com", "/PAYPAL", true)
	f.Add("kelvin", "\u212aelvin|İstanbul Bank", "\u212aelvin.example|İ.tr", "kelvin.example", "/İSTANBULBANK/\u212aELVIN", true)
	f.Add("", "", "|.|a.b", ".", "", false)
	f.Fuzz(func(t *testing.T, kws, names, doms, host, path string, withPath bool) {
		var bs []brands.Brand
		b := brands.Brand{Name: "X"}
		if kws != "" {
			b.Keywords = strings.Split(kws, "|")
		}
		if names != "" {
			b.Names = strings.Split(names, "|")
		}
		if doms != "" {
			b.Domains = strings.Split(doms, "|")
		}
		bs = append(bs, b)
		bs = append(bs, brands.All()...)
		h := &normalize.Link{Host: host, Path: path}
		lowPath := ""
		if withPath {
			lowPath = strings.ToLower(path)
		}
		cl := &claimSet{done: true, all: bs}
		lowHost := strings.ToLower(host)
		for i, b := range bs {
			if got, want := keywordIn(cl.keywords(i), host, lowPath), brandInURLPlain(b, h, withPath); got != want {
				t.Fatalf("%s %q %q %v: %q, plain %q", b.Name, host, path, withPath, got, want)
			}
			if got, want := ownsLower(cl.domains(i), lowHost), ownsDomain(b, host); got != want {
				t.Fatalf("%s %q owns %q: %v, plain %v", b.Name, b.Domains, host, got, want)
			}
		}
	})
}
