package received

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
)

// sameHop compares two hops field by field, and the date of the first
// (Hop.Date) with the reference's (dateRef) by instant, zone name and
// offset (time.FixedZone builds a new *Location each call).
func sameHop(t *testing.T, in string, got, want Hop) {
	t.Helper()
	if got != want {
		t.Fatalf("Parse(%q)\n got  %+v\n want %+v", in, got, want)
	}
	gd, wd := got.Date(), dateRef(in)
	gn, go_ := gd.Zone()
	wn, wo := wd.Zone()
	if !gd.Equal(wd) || gn != wn || go_ != wo || gd.IsZero() != wd.IsZero() {
		t.Fatalf("Parse(%q) date %v, want %v", in, gd, wd)
	}
}

var diffSeeds = []string{
	"from a (b [1.2.3.4]) by c with ESMTP id d for <e@f>; Tue, 13 May 2025 09:12:44 +0900",
	"from [IPv6:::1] (helo=x) by y",
	"from ((((( by", "(", ")", "from unknown (HELO", "from x ([1.2.3.4",
	"FROM Mail.Example.COM (HELO Foo) (may BE Forged) BY Mx WITH esmtp ID <x> FOR <a@b>; Fri,    2 Aug 2002 09:55:04 +0100",
	"from x by y; Wed, 28 Aug 2002 15:25:57 -0400     (EDT)",
	"from x by y; Wed, 28 Aug 2002     15:27:27 -0400 (EDT)",
	"from x by y; Tue,  8 Oct 2002 09:00:50     -0400 (EDT)",
	"from x by y; 21 Aug 2002    16:57:21 UT",
	"from x by y; Mon, 1 Jan 2002 -   0700",
	"from x by y; Mon,  1 Jan 2002 10:00   -0700  (a)  (b)",
	"from İd x by y", "from x (EHLO=y [10.0.0.1]) by z", "from x (İhelo y)",
	"from x (rdns.example. [192.0.2.1]:25, helo=<a>) by b",
	"from 1.2.3.4%eth0 by x", "from [::ffff:1.2.3.4] by x",
}

func FuzzParseRef(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameHop(t, s, Parse(s), parseRef(s))
	})
}

func TestParseRefSeeds(t *testing.T) {
	for _, s := range diffSeeds {
		sameHop(t, s, Parse(s), parseRef(s))
	}
}

// TestParseRefCorpus compares the two over every Received field of the
// corpus (SEKISHO_CORPUS).
func TestParseRefCorpus(t *testing.T) {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		t.Skip("SEKISHO_CORPUS not set")
	}
	n := 0
	for _, d := range []string{"train/ham", "train/spam", "test/ham", "test/spam"} {
		fs, _ := os.ReadDir(filepath.Join(dir, d))
		for _, f := range fs {
			b, err := os.ReadFile(filepath.Join(dir, d, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			m := mail.Parse(b, mail.Limits{})
			for _, v := range m.Headers.Values("Received") {
				sameHop(t, v, Parse(v), parseRef(v))
				n++
				if i := strings.LastIndexByte(v, ';'); i >= 0 {
					s := strings.TrimSpace(v[i+1:])
					sameHop(t, "x;"+s, Parse("x;"+s), parseRef("x;"+s))
				}
			}
		}
	}
	t.Logf("%d fields", n)
}

// FuzzParseDate holds parseDate (spaces squeezed) to mail.ParseDate of
// the date as written.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Fri,    2 Aug 2002 09:55:04 +0100", "Wed, 28 Aug 2002 15:25:57 -0400     (EDT)",
		"Tue,  8 Oct 2002 09:00:50     -0400 (EDT)", "21 Aug 2002    16:57:21 UT",
		"Mon,  1 Jan 2002 10:00   -0700  (a)  (b)", "22 Aug 02  15:01:52 +0000",
		"Thu, 1  Aug 2002 12:09:00    -0700", "Mon, 1 Jan 2002 -   0700",
		"Mon,  1 Jan 2002 10:00:00 -0700 ( x  y )", "1  Jan  2002  10:00  +0000",
		"Mon,  1 Jan 2002 10:00:00 PST   -0800",
		"Mon, 22 Jul 2002 20:52:27 -0500 (CDT)\t(envelope-from cpunks@ssz.com)", "Thu, 18 Jul 2002 15:04:22 -0400 EST",
		"Wed, 31 Jul 2002    11:05:44 +0100 for multiple recipients", "Mon, 1 Jan 2002 10:00:00 +0000 (a (b) c)",
		"Mon, 1 Jan 2002 10:00:00 +0000 (a\\)", "Mon, 1 Jan 2002 10:00:00 +0000 (a\\", "Mon, 1 Jan 2002 10:00:00 +0000 (x) (y",
		"Mon, 1 Jan 2002 10:00:00 +0000\r\n (x)", "Mon, 1 Jan 2002 10:00:00 +0000\r(x)", "Mon, 1 Jan 2002 10:00:00 +00001",
		"Mon, 1 Jan 2002 10:00:00 +0000)", "Fri, 06 Sep 2002 13:41:46 GMT", "Mon, 1 Jan 2002 10:00:00 +0000 \t (x)\t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDate(s)
		want, err := mail.ParseDate(s)
		if ok != (err == nil) {
			t.Fatalf("parseDate(%q) ok %v, mail.ParseDate error %v", s, ok, err)
		}
		gn, go_ := got.Zone()
		wn, wo := want.Zone()
		if !got.Equal(want) || gn != wn || go_ != wo {
			t.Fatalf("parseDate(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzKeyword holds keyword and containsLower to the plain computations.
func FuzzKeyword(f *testing.F) {
	for _, s := range []string{"by", "BY", "Id", "VIA", "For", "FROM", "wItH", "from ", "fro", "İd", "(May Be Forged)", "may be forge", "MAY BE FORGED"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := keyword(s), keywordSlow(s); len(s) >= 2 && got != want {
			t.Fatalf("keyword(%q) = %q, want %q", s, got, want)
		}
		if got, want := containsLower(s, "may be forged"), strings.Contains(strings.ToLower(s), "may be forged"); got != want {
			t.Fatalf("containsLower(%q) = %v, want %v", s, got, want)
		}
	})
}
