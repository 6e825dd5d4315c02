package feed

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParsePattern(t *testing.T) {
	check := func(p string, want string) {
		t.Helper()
		d, err := ParsePattern(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return
		}
		var parts []string
		for _, c := range d {
			var ts []string
			for _, x := range c {
				n := ""
				if x.Not {
					n = "NOT "
				}
				ts = append(ts, x.Path+" "+n+x.Op+" "+x.Value)
			}
			parts = append(parts, strings.Join(ts, " & "))
		}
		if got := strings.Join(parts, " | "); got != want {
			t.Errorf("%s:\n got %s\nwant %s", p, got, want)
		}
	}
	check(`[url:value = 'http://evil.example/a']`, `url:value = http://evil.example/a`)
	check(`[domain-name:value = 'evil.example' OR domain-name:value = 'bad.example']`, `domain-name:value = evil.example | domain-name:value = bad.example`)
	check(`[file:hashes.'SHA-256' = 'aa' AND file:name = 'x.exe']`, `file:hashes.sha-256 = aa & file:name = x.exe`)
	check(`[file:hashes.MD5 = 'aa'] OR [ipv4-addr:value ISSUBSET '198.51.100.0/24']`, `file:hashes.md5 = aa | ipv4-addr:value ISSUBSET 198.51.100.0/24`)
	check(`([a:b = 'x'] AND [c:d = 'y']) WITHIN 300 SECONDS`, `a:b = x & c:d = y`)
	check(`[a:b = 'x' AND (c:d = 'y' OR e:f = 'z')]`, `a:b = x & c:d = y | a:b = x & e:f = z`)
	check(`[a:b IN ('x', 'y')]`, `a:b = x | a:b = y`)
	check(`[a:b NOT = 'it']`, `a:b NOT = it`)
	check(`[email-message:from_ref.value = 'a\'b@x.example'] REPEATS 2 TIMES`, `email-message:from_ref.value = a'b@x.example`)
	check(`[a:b = 'x'] FOLLOWEDBY [c:d = 'y'] START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'`, `a:b = x & c:d = y`)
	check(`[network-traffic:dst_ref.value = '203.0.113.1' AND network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' LIKE 'x%']`,
		`network-traffic:dst_ref.value = 203.0.113.1 & network-traffic:extensions.http-request-ext.request_header.user-agent LIKE x%`)
	check(`[a:values[*] = 'x' AND a:list[0].y != 3]`, `a:values[*] = x & a:list[0].y != 3`)

	for _, bad := range []string{``, `[`, `[a:b = ]`, `[a:b 'x']`, `[a = 'x']`, `[a:b = 'x'`, `[a:b = 'x'] AND`, `a:b = 'x'`, `[a:b = 'x]`, `[a:b ! 'x']`} {
		if _, err := ParsePattern(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	// Expansion is bounded.
	var b strings.Builder
	for i := 0; i < 10; i++ {
		if i > 0 {
			b.WriteString(" AND ")
		}
		fmt.Fprintf(&b, "[a:b = 'x%d' OR a:b = 'y%d']", i, i)
	}
	if _, err := ParsePattern(b.String()); !errors.Is(err, ErrPatternTooLarge) {
		t.Errorf("2^10 conjunctions: %v", err)
	}
	if _, err := ParsePattern(strings.Repeat("(", 100) + "[a:b = 'x']" + strings.Repeat(")", 100)); !errors.Is(err, ErrPatternTooLarge) {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestPatternIndicators(t *testing.T) {
	check := func(p string, skipped int, want ...string) {
		t.Helper()
		terms, sk, err := PatternIndicators(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var got []string
		for _, ts := range terms {
			var s []string
			for _, x := range ts {
				s = append(s, x.Kind+"="+x.Value)
			}
			got = append(got, strings.Join(s, "&"))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || sk != skipped {
			t.Errorf("%s: got %v skipped %d, want %v skipped %d", p, got, sk, want, skipped)
		}
	}
	check(`[url:value = 'HTTP://Evil.Example:80/a?b=1#frag']`, 0, "url=http://evil.example/a?b=1")
	check(`[domain-name:value = 'Evil.Example.']`, 0, "domain=evil.example")
	check(`[domain-name:value = 'テスト.example']`, 0, "domain=xn--zckzah.example")
	check(`[ipv4-addr:value = '198.51.100.0/24'] OR [ipv6-addr:value = '2001:db8::1']`, 0, "ip=198.51.100.0/24", "ip=2001:db8::1")
	check(`[email-addr:value = 'Drop@Evil.Example']`, 0, "email=drop@evil.example")
	check(`[file:hashes.'SHA-1' = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' OR file:hashes.MD5 = '0123456789abcdef0123456789abcdef']`, 0,
		"sha1=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "md5=0123456789abcdef0123456789abcdef")
	check(`[file:hashes.MD5 = 'short']`, 1)
	check(`[file:hashes.MD5 = '0123456789abcdef0123456789abcdef' AND file:name = 'a.exe']`, 1)
	check(`[domain-name:value = 'a.example' AND url:value = 'https://a.example/x']`, 0, "domain=a.example&url=https://a.example/x")
	check(`[domain-name:value != 'a.example']`, 1)
	check(`[domain-name:value LIKE '%.example']`, 1)
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		`[url:value = 'http://evil.example/a']`,
		`[file:hashes.'SHA-256' = 'aa' AND file:name = 'x.exe'] OR [ipv4-addr:value ISSUBSET '198.51.100.0/24']`,
		`([a:b = 'x'] AND [c:d = 'y']) WITHIN 300 SECONDS`,
		`[a:b IN ('x', 'y')] FOLLOWEDBY [c:d NOT MATCHES '^a'] START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'`,
		`[a:values[*].x = h'00ff' AND EXISTS a:b]`, `[a:b = 'x\'y\\']`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParsePattern(s)
		if err != nil {
			return
		}
		if len(d) == 0 || len(d) > maxDNF {
			t.Fatalf("%d conjunctions", len(d))
		}
		for _, c := range d {
			if len(c) == 0 || len(c) > maxConjTerms {
				t.Fatalf("conjunction of %d", len(c))
			}
		}
		PatternIndicators(s)
	})
}

func FuzzParseSTIX(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","pattern":"[url:value = 'http://x.example/']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"more":true,"next":"2","objects":[{"type":"indicator","id":"indicator--2","revoked":true},{"type":"identity","id":"identity--1"}]}`))
	f.Add([]byte(`{"objects":[{"type":"indicator","id":"a","modified":"2026-01-01T00:00:00Z","pattern":"[ipv4-addr:value ISSUBSET '10.0.0.0/8'] OR [file:hashes.MD5 = '00000000000000000000000000000000']"},{"type":"indicator","id":"a","modified":"2025-01-01T00:00:00Z","pattern":"["}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		bt, err := ParseSTIX(b)
		if err != nil {
			return
		}
		for _, in := range bt.Indicators {
			if len(in.Terms) == 0 || len(in.Terms) > maxConjTerms {
				t.Fatalf("indicator with %d terms", len(in.Terms))
			}
			for _, x := range in.Terms {
				if Normalize(x.Kind, x.Value) != x.Value {
					t.Fatalf("not normalised: %+v", x)
				}
			}
		}
	})
}
