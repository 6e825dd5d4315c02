package tokenize

import (
	"slices"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
)

// The URL and Received features before the allocation-free rewrite
// (issue 17), kept to prove the rewrite gives the same features.

func (b *builder) urlsRef(urls []mail.URL) {
	n := 0
	for _, u := range urls {
		if n >= 200 {
			break
		}
		n++
		host := strings.TrimSuffix(strings.ToLower(u.Host), ".")
		if host == "" {
			if u.Scheme != "" {
				b.addP("u:scheme:", u.Scheme)
			}
			continue
		}
		if isIP(host) {
			b.add("u:ip")
			host = collapseDigits(host)
		}
		labels := strings.Split(host, ".")
		if len(labels) > 8 {
			labels = labels[len(labels)-8:]
		}
		for i := 0; i+1 < len(labels) || i == 0; i++ {
			b.addP("u:", strings.Join(labels[i:], "."))
			if i+1 >= len(labels) {
				break
			}
		}
		if u.Hidden {
			b.add("u:hidden")
		}
		if u.Source != "" && u.Source != "text" && u.Source != "href" {
			b.addP("u:src:", u.Source)
		}
		path := u.Raw
		if i := strings.Index(path, "://"); i >= 0 {
			path = path[i+3:]
		}
		if i := strings.IndexAny(path, "/?#"); i >= 0 {
			path = path[i:]
		} else {
			path = ""
		}
		if len(path) > 256 {
			path = path[:256]
		}
		q := ""
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			q, path = path[i:], path[:i]
		}
		segs := strings.Split(strings.Trim(path, "/"), "/")
		for i, s := range segs {
			if i >= 2 || s == "" {
				break
			}
			b.addP("up:", shape(strings.ToLower(s)))
		}
		if q != "" {
			b.add("u:query")
		}
		if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
			b.addP("u:scheme:", u.Scheme)
		}
	}
}

func (b *builder) receivedRef(v string) {
	if len(v) > 512 {
		v = v[:512]
	}
	if j := strings.IndexByte(v, ';'); j >= 0 {
		v = v[:j]
	}
	f := strings.Fields(strings.ToLower(v))
	for k := 0; k < len(f) && k < 24; k++ {
		w := strings.Trim(f[k], "()[]<>,;")
		switch {
		case w == "with" && k+1 < len(f):
			b.add("h:rcv-with:" + strings.Trim(f[k+1], "()[]<>,;"))
		case strings.Count(w, ".") >= 1 && len(w) < 80:
			b.addP("h:rcv:", collapseDigits(w))
		}
	}
}

func shapeRef(s string) string {
	s = collapseDigits(s)
	if len([]rune(s)) > MaxTokenLen {
		return longToken(s)
	}
	return s
}

// featureTexts runs fn on a fresh builder and returns its features.
func featureTexts(fn func(b *builder)) []string {
	b := new(builder)
	b.seen.reset(0)
	fn(b)
	var out []string
	for _, f := range b.result().All() {
		out = append(out, f.Text)
	}
	return out
}

// FuzzURLsReference: the URL, Received and shape features agree with the
// reference.
func FuzzURLsReference(f *testing.F) {
	f.Add("a.b.c.d.e.f.g.h.i.j.example.COM.", "https://x/Path/Seg123/more?q", "from mx1.Example.com (mx1 [192.0.2.1]) by mx WITH esmtps id 12")
	f.Add("192.0.2.7", "http://192.0.2.7/a/b?c", "with\twith (with) a..b .")
	f.Add("..", "ftp://files/"+strings.Repeat("Ab1", 20)+"//x", "Ünï.cöde with ÀB.C x.Y\u00a0z.w\u0085q.r")
	f.Add("ÜBER.example", "mailto:x", "")
	f.Fuzz(func(t *testing.T, host, raw, rcv string) {
		for _, scheme := range []string{"", "https", "ftp"} {
			u := []mail.URL{{Host: host, Raw: raw, Scheme: scheme, Hidden: len(raw)%2 == 0, Source: "img"}}
			got := featureTexts(func(b *builder) { b.urls(u) })
			want := featureTexts(func(b *builder) { b.urlsRef(u) })
			if !slices.Equal(got, want) {
				t.Fatalf("urls(%q, %q): %q, want %q", host, raw, got, want)
			}
		}
		got := featureTexts(func(b *builder) { b.headers(&mail.Message{Headers: mail.Headers{{Name: "Received", Value: rcv}}}) })
		want := featureTexts(func(b *builder) {
			b.receivedRef(rcv)
		})
		got = slices.DeleteFunc(got, func(s string) bool { return !strings.HasPrefix(s, "h:rcv") })
		if !slices.Equal(got, want) {
			t.Fatalf("received(%q): %q, want %q", rcv, got, want)
		}
		b := new(builder)
		for _, s := range []string{host, raw, rcv} {
			if got, want := b.shape(b.lower(s)), shapeRef(strings.ToLower(s)); got != want {
				t.Fatalf("shape(%q) = %q, want %q", s, got, want)
			}
		}
	})
}
