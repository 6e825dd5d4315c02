package feed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/feed/feedtest"
	"github.com/sekisho/sekisho/internal/mail"
)

func TestParseSTIX(t *testing.T) {
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := feedtest.Bundle(
		feedtest.Indicator{Name: "url", Pattern: `[url:value = 'https://evil.example/login']`},
		feedtest.Indicator{Name: "revoked", Pattern: `[domain-name:value = 'revoked.example']`, Revoked: true},
		feedtest.Indicator{ID: "indicator--00000000-0000-4000-8000-000000000001", Name: "v1", Pattern: `[domain-name:value = 'old.example']`, Modified: old},
		feedtest.Indicator{ID: "indicator--00000000-0000-4000-8000-000000000001", Name: "v2", Pattern: `[domain-name:value = 'new.example']`, Modified: old.Add(time.Hour)},
		feedtest.Indicator{Name: "until", Pattern: `[ipv4-addr:value = '203.0.113.9']`, ValidUntil: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		feedtest.Indicator{Name: "bad", Pattern: `[url:value = `},
		feedtest.Indicator{Name: "unmatchable", Pattern: `[process:name = 'x.exe']`},
	)
	bt, err := ParseSTIX(b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range bt.Indicators {
		got = append(got, fmt.Sprintf("%s:%s=%s", in.Name, in.Terms[0].Kind, in.Terms[0].Value))
	}
	want := []string{"url:url=https://evil.example/login", "v2:domain=new.example", "until:ip=203.0.113.9"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if len(bt.Revoked) != 1 || bt.Skipped != 2 {
		t.Errorf("revoked %v skipped %d", bt.Revoked, bt.Skipped)
	}
	if bt.Indicators[2].ValidUntil != time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("valid_until %d", bt.Indicators[2].ValidUntil)
	}
	if _, err := ParseSTIX([]byte(`{"type":"report"}`)); err == nil {
		t.Error("non-bundle accepted")
	}
	if _, err := ParseSTIX([]byte(`{`)); err == nil {
		t.Error("bad JSON accepted")
	}
}

func terms(b *Batch) []string {
	var out []string
	for _, in := range b.Indicators {
		out = append(out, in.Terms[0].Kind+"="+in.Terms[0].Value)
	}
	return out
}

func TestParseList(t *testing.T) {
	b, err := ParseList([]byte("# comment\n\nEvil.Example\n198.51.100.0/24 ; a range\n0.0.0.0 hosts.example\nhttp://evil.example/x#f\ndrop@evil.example\n"+
		"d41d8cd98f00b204e9800998ecf8427e\nevil.example\nnot a domain!\n"), ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "[domain=evil.example ip=198.51.100.0/24 domain=hosts.example url=http://evil.example/x email=drop@evil.example md5=d41d8cd98f00b204e9800998ecf8427e]"
	if got := fmt.Sprint(terms(b)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if b.Skipped != 1 {
		t.Errorf("skipped %d", b.Skipped)
	}
	b, _ = ParseList([]byte("1.2.3.4\nevil.example\n"), ListOptions{Kind: KindIP})
	if got := fmt.Sprint(terms(b)); got != "[ip=1.2.3.4]" || b.Skipped != 1 {
		t.Errorf("forced kind: %s skipped %d", got, b.Skipped)
	}
}

func TestParseCSV(t *testing.T) {
	doc := "################\n# URLhaus\n# id,dateadded,url,url_status\n\"1\",\"2026-12-01\",\"http://evil.example/a.exe\",\"online\"\n\"2\",\"2026-12-01\",\"http://bad.example/b\",\"offline\"\n"
	b, err := ParseCSV([]byte(doc), ListOptions{Column: "url"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(terms(b)); got != "[url=http://evil.example/a.exe url=http://bad.example/b]" {
		t.Errorf("header in comment: %s", got)
	}
	b, err = ParseCSV([]byte("sha256,name\n"+strings.Repeat("ab", 32)+",x\n"), ListOptions{Column: "SHA256"})
	if err != nil || fmt.Sprint(terms(b)) != "[sha256="+strings.Repeat("ab", 32)+"]" {
		t.Errorf("header row: %v %v", terms(b), err)
	}
	b, err = ParseCSV([]byte("a,evil.example\nb,198.51.100.7\nc\n"), ListOptions{Column: "2"})
	if err != nil || fmt.Sprint(terms(b)) != "[domain=evil.example ip=198.51.100.7]" || b.Skipped != 1 {
		t.Errorf("numbered column: %v %v skipped %d", terms(b), err, b.Skipped)
	}
	if _, err := ParseCSV([]byte("a,b\n1,2\n"), ListOptions{Column: "nosuch"}); err == nil {
		t.Error("missing column accepted")
	}
}

func FuzzParseList(f *testing.F) {
	f.Add([]byte("# c\nevil.example\n198.51.100.0/24\nhttp://x.example/a\na@b.example\n"), "")
	f.Add([]byte("0.0.0.0 hosts.example\n::1\n"), "ip")
	f.Add([]byte("# id,url\n1,http://evil.example/\n\"2\",\"a\"b\"\n"), "url")
	f.Add([]byte("x,y\n\"unterminated\n"), "2")
	f.Fuzz(func(t *testing.T, b []byte, col string) {
		for _, bt := range []func() (*Batch, error){
			func() (*Batch, error) { return ParseList(b, ListOptions{}) },
			func() (*Batch, error) { return ParseCSV(b, ListOptions{Column: col}) },
		} {
			out, err := bt()
			if err != nil {
				continue
			}
			for _, in := range out.Indicators {
				if len(in.Terms) != 1 || Normalize(in.Terms[0].Kind, in.Terms[0].Value) != in.Terms[0].Value {
					t.Fatalf("not normalised: %+v", in)
				}
			}
		}
	})
}

func TestMatcher(t *testing.T) {
	m := NewMatcher(map[string][]Indicator{
		"a": {
			{Ref: "d", Terms: []Term{{KindDomain, "evil.example"}}},
			{Ref: "u", Terms: []Term{{KindURL, "https://host.example/login"}}},
			{Ref: "net", Terms: []Term{{KindIP, "198.51.100.0/24"}}},
			{Ref: "v6", Terms: []Term{{KindIP, "2001:db8::/32"}}},
			{Ref: "both", Terms: []Term{{KindDomain, "pair.example"}, {KindEmail, "x@pair.example"}}},
			{Ref: "future", Terms: []Term{{KindDomain, "later.example"}}, ValidFrom: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Unix()},
		},
		"b": {{Ref: "e", Terms: []Term{{KindEmail, "drop@mailbox.example"}}}},
	})
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	check := func(obs []Observable, want ...string) {
		t.Helper()
		var got []string
		for _, h := range m.Match(obs, now) {
			got = append(got, h.Feed+"/"+h.Ref)
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: got %v want %v", obs, got, want)
		}
	}
	check([]Observable{{KindDomain, "login.sub.evil.example", "link"}}, "a/d")
	check([]Observable{{KindDomain, "notevil.example", "link"}})
	check([]Observable{{KindURL, "https://host.example/login/", "link"}}, "a/u")
	check([]Observable{{KindIP, "198.51.100.77", "client"}, {KindIP, "2001:db8:1::5", "received"}}, "a/net", "a/v6")
	check([]Observable{{KindIP, "198.51.101.1", "client"}})
	check([]Observable{{KindDomain, "pair.example", "from domain"}})
	check([]Observable{{KindDomain, "pair.example", "from domain"}, {KindEmail, "x@pair.example", "from"}}, "a/both")
	check([]Observable{{KindDomain, "later.example", "link"}})
	check([]Observable{{KindEmail, "drop@mailbox.example", "reply-to"}}, "b/e")
}

func TestObservables(t *testing.T) {
	raw := "Received: from x (x [203.0.113.5]) by mx.example; Mon, 1 Dec 2026 00:00:00 +0000\r\n" +
		"From: A <A@Sender.Example>\r\nReply-To: drop@mailbox.example\r\nTo: b@example.jp\r\nSubject: s\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" +
		"see https://Login.Evil.Example/a and mailto:m@x.example\r\n--b\r\nContent-Type: application/octet-stream\r\n" +
		"Content-Disposition: attachment; filename=a.bin\r\n\r\nhello\r\n--b--\r\n"
	obs := Observables(Source{Msg: mail.Parse([]byte(raw), mail.Limits{}), MailFrom: "bounce@sender.example", ClientIP: netip.MustParseAddr("198.51.100.1")})
	var got []string
	for _, o := range obs {
		got = append(got, o.Kind+"="+o.Value)
	}
	s := strings.Join(got, " ")
	for _, want := range []string{"ip=198.51.100.1", "email=bounce@sender.example", "email=a@sender.example", "domain=sender.example",
		"email=drop@mailbox.example", "ip=203.0.113.5", "url=https://login.evil.example/a", "domain=login.evil.example", "email=m@x.example",
		"md5=5d41402abc4b2a76b9719d911017c592", "sha1=aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
		"sha256=2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"} {
		if !strings.Contains(" "+s+" ", " "+want+" ") {
			t.Errorf("missing %s in %s", want, s)
		}
	}
}

func TestStoreApplyExpire(t *testing.T) {
	ctx := context.Background()
	st, err := OpenStore(ctx, filepath.Join(t.TempDir(), "feeds.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	one := func(ref, kind, v string, until int64) Indicator {
		return Indicator{Ref: ref, Terms: []Term{{kind, v}}, ValidUntil: until}
	}
	added, err := st.Apply(ctx, "l", &Batch{Indicators: []Indicator{one("a", KindDomain, "a.example", 0), one("b", KindDomain, "b.example", 0)}}, true, now)
	if err != nil || len(added) != 2 {
		t.Fatalf("first: %d %v", len(added), err)
	}
	v1, _ := st.Version(ctx)
	added, _ = st.Apply(ctx, "l", &Batch{Indicators: []Indicator{one("b", KindDomain, "b.example", 0), one("c", KindDomain, "c.example", 0)}}, true, now)
	if len(added) != 1 || added[0].Ref != "c" {
		t.Fatalf("full replace: %+v", added)
	}
	if v2, _ := st.Version(ctx); v2 == v1 {
		t.Error("version not bumped")
	}
	// Incremental: an object replaced, one revoked.
	st.Apply(ctx, "t", &Batch{Objects: []string{"indicator--1", "indicator--2"}, Indicators: []Indicator{
		one("indicator--1#0", KindIP, "192.0.2.1", 0), one("indicator--2#0", KindIP, "192.0.2.2", now.Add(-time.Minute).Unix())}}, false, now)
	added, _ = st.Apply(ctx, "t", &Batch{Objects: []string{"indicator--1", "indicator--3"}, Revoked: []string{"indicator--1"},
		Indicators: []Indicator{one("indicator--3#0", KindIP, "192.0.2.3", 0)}}, false, now)
	if len(added) != 1 {
		t.Errorf("incremental added %+v", added)
	}
	if n, _ := st.Expire(ctx, "t", 0, now); n != 1 {
		t.Errorf("expired %d", n)
	}
	var got []string
	st.Each(ctx, now, func(r Row) { got = append(got, r.Feed+":"+r.Value) })
	sort.Strings(got)
	if fmt.Sprint(got) != "[l:b.example l:c.example t:192.0.2.3]" {
		t.Errorf("stored %v", got)
	}
	if n, _ := st.Expire(ctx, "l", time.Hour, now.Add(2*time.Hour)); n != 2 {
		t.Errorf("max_age expired %d", n)
	}
	if err := st.SaveState(ctx, "t", `{"c":"x"}`, now, nil); err != nil {
		t.Fatal(err)
	}
	st.SaveState(ctx, "t", "", now, fmt.Errorf("boom"))
	sts, _ := st.States(ctx)
	if s := sts["t"]; s.Cursor != `{"c":"x"}` || s.Errors != 1 || s.Updates != 2 || s.LastError != "boom" || s.Count != 1 {
		t.Errorf("state %+v", s)
	}
	if err := st.Forget(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	if sts, _ := st.States(ctx); len(sts) != 0 {
		t.Errorf("after Forget: %+v", sts)
	}
}

// TestTAXIIPoll: discovery → API root → collections → objects with
// next paging and basic auth; a second poll asks only for what was added
// after the saved cursor; revocation removes an indicator.
func TestTAXIIPoll(t *testing.T) {
	ctx := context.Background()
	srv := feedtest.StartTAXII(t)
	srv.User, srv.Pass = "u", "p"
	srv.Add(
		feedtest.Indicator{Name: "1", Pattern: `[domain-name:value = 'one.example']`},
		feedtest.Indicator{Name: "2", Pattern: `[domain-name:value = 'two.example']`},
		feedtest.Indicator{Name: "3", Pattern: `[domain-name:value = 'three.example']`},
	)
	st, err := OpenStore(ctx, filepath.Join(t.TempDir(), "feeds.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := config.Feed{Name: "tx", Type: "taxii", URL: srv.URL, Auth: "basic u:p"}
	r := Update(ctx, st, &Fetcher{}, f)
	if r.Err != nil || len(r.Added) != 3 {
		t.Fatalf("first poll: %d new, %v", len(r.Added), r.Err)
	}
	pages := 0
	for _, q := range srv.Requests() {
		if strings.Contains(q, "/objects/") {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("pages %d, want 2 (page size 2): %v", pages, srv.Requests())
	}
	srv.Add(feedtest.Indicator{Name: "4", Pattern: `[domain-name:value = 'four.example']`},
		feedtest.Indicator{Name: "1", Pattern: `[domain-name:value = 'one.example']`, Revoked: true, Modified: time.Now()})
	r = Update(ctx, st, &Fetcher{}, f)
	if r.Err != nil || len(r.Added) != 1 || r.Added[0].Terms[0].Value != "four.example" {
		t.Fatalf("second poll: %+v %v", r.Added, r.Err)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if !strings.Contains(last, "added_after=") {
		t.Errorf("second poll without added_after: %s", last)
	}
	var got []string
	st.Each(ctx, time.Now(), func(r Row) { got = append(got, r.Value) })
	sort.Strings(got)
	if fmt.Sprint(got) != "[four.example three.example two.example]" {
		t.Errorf("stored %v", got)
	}
	// Wrong credentials: an error, the indicators stay.
	r = Update(ctx, st, &Fetcher{}, config.Feed{Name: "tx", Type: "taxii", URL: srv.URL, Auth: "basic u:wrong"})
	if r.Err == nil {
		t.Error("bad auth accepted")
	}
	srv.User, srv.Token = "", "tok"
	if r := Update(ctx, st, &Fetcher{}, config.Feed{Name: "tx2", Type: "taxii", URL: srv.URL, Auth: "bearer tok"}); r.Err != nil || len(r.Added) != 3 {
		t.Errorf("bearer: %d %v", len(r.Added), r.Err)
	}
}

// TestFetchDocument: a STIX bundle and a list over HTTP with bearer
// auth (refused without it), and from a file.
func TestFetchDocument(t *testing.T) {
	ctx := context.Background()
	mux := http.NewServeMux()
	mux.HandleFunc("/bundle.json", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0k" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Write(feedtest.Bundle(feedtest.Indicator{Name: "x", Pattern: `[url:value = 'https://evil.example/a']`}))
	})
	mux.HandleFunc("/list.txt", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("evil.example\n")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, err := OpenStore(ctx, filepath.Join(t.TempDir(), "feeds.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if r := Update(ctx, st, &Fetcher{}, config.Feed{Name: "b", Type: "stix", URL: srv.URL + "/bundle.json", Auth: "bearer t0k"}); r.Err != nil || len(r.Added) != 1 {
		t.Errorf("bundle: %+v", r)
	}
	if r := Update(ctx, st, &Fetcher{}, config.Feed{Name: "b", Type: "stix", URL: srv.URL + "/bundle.json"}); !errors.Is(r.Err, ErrAuth) {
		t.Errorf("no auth: %v", r.Err)
	}
	if r := Update(ctx, st, &Fetcher{}, config.Feed{Name: "l", Type: "list", URL: srv.URL + "/list.txt"}); r.Err != nil || len(r.Added) != 1 {
		t.Errorf("list: %+v", r)
	}
	p := filepath.Join(t.TempDir(), "l.txt")
	os.WriteFile(p, []byte("203.0.113.0/24\n"), 0o644)
	if r := Update(ctx, st, &Fetcher{}, config.Feed{Name: "f", Type: "list", Path: p}); r.Err != nil || len(r.Added) != 1 {
		t.Errorf("file: %+v", r)
	}
	sts, _ := st.States(ctx)
	if sts["b"].Errors != 1 || sts["b"].Count != 1 {
		t.Errorf("state after a failed update: %+v", sts["b"])
	}
}
