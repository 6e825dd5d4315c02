package mail

import (
	netmail "net/mail"
	"testing"
	"time"
)

var dateSeeds = []string{
	"Wed, 6 Feb 2002 22:11:15 GMT", "Tue, 3 Dec 2002 19:31:09 GMT", "Thu, 31 Jul 2002 08:50:48 PDT", "Wed, 14 Aug 2002 11:42:15 BST",
	"Tue, 30 Jul 2002    15:50:18 GMT", "Sat, 31 Feb 2002 10:00:00 GMT", "Mon, 1 Jan 2002 10:00 GMT", "Mon, 1 Jan 2002 10:00:00 UT",
	"Mon, 1 Jan 2002 10:00:00 GMT+1", "Mon, 1 Jan 2002 10:00:00 UTC", "Mon, 1 Jan 2002 10:00:00 ChST", "Fri, 1 Jan 2002 10:00:00 EST (x)",
	"Tue, 1 Jan 2002 10:00:00 T", "Tue, 1 Jan 2002 T0:00:00 GMT", "mon, 1 jan 2002 10:00:00 gmt", "Mon, 1 Jan 02 10:00:00 GMT",
	"Tue,  6 Aug 2002 05:56:29 -0400 (EDT)",
	"Tue, 23 Jul 2002 21:36:01 -0500 (CDT)\t(envelope-from cpunks@hq.pro-ns.net)",
	"Tue, 23 Jul 2002 21:36:01 -0500(CDT)", "Tue, 23 Jul 2002 21:36:01 -0500 (CDT) x", "Tue, 23 Jul 2002 21:36:01 -0500 (C(D)T)",
	"Thu,    01 Aug 2002 05:16:06 -0700",
	"Wed, 31 Jul 2002 00:01:20    +0100",
	"Wed, 21 Aug 2002    11:22:32 -0400  (EDT)",
	"Wed,  21  Aug  2002  11:22  -0400 ",
	"Wed, 21 Aug  2002 11:22:32 -0400\t(EDT)",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Tue, 02 Jan 2006 15:04:05 +0900 (JST)",
	"2 Jan 2006 15:04 -0000",
	"Thu, 29 Feb 2024 23:59:59 +0000 (GMT)",
	"Fri, 29 Feb 2023 10:00:00 +0000",
	"Sat, 31 Apr 2020 10:00:00 +0100",
	"Sun, 1 Jan 0000 00:00:00 +2400",
	"Mon, 2 Jan 2006 15:04:60 -0700",
	"Mon, 2 Jan 2006 24:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 GMT",
	"Mon, 2 Jan 2006 15:04:05 -0700 (a (nested) comment)",
	"Mon, 2 Jan 2006 15:04:05 -0700 garbage",
	"Mon,  2 Jan 2006 15:04:05 -0700",
	" Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -0700\r\n (PDT)",
	"mon, 2 jan 2006 15:04:05 -0700",
	"Xyz, 2 Jan 2006 15:04:05 -0700",
	"Mon, 123 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 20061 15:04:05 -0700",
	"Wed, 17 Sep 2002 12:34:56 +0530",
	"",
}

func sameDate(t *testing.T, s string) {
	t.Helper()
	want, werr := netmail.ParseDate(s)
	got, gerr := ParseDate(s)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%q: err %v, net/mail %v", s, gerr, werr)
	}
	if !got.Equal(want) || got.Location().String() != want.Location().String() {
		t.Fatalf("%q: %v, net/mail %v", s, got, want)
	}
	gn, go_ := got.Zone()
	wn, wo := want.Zone()
	if gn != wn || go_ != wo {
		t.Fatalf("%q: zone %s %d, net/mail %s %d", s, gn, go_, wn, wo)
	}
}

func TestParseDate(t *testing.T) {
	fast := 0
	for _, s := range dateSeeds {
		sameDate(t, s)
		if _, ok := fastDate(s); ok {
			fast++
		}
	}
	if fast < 5 {
		t.Errorf("only %d seeds on the fast path", fast)
	}
	// Local zone with the same offset: time.Parse's choice.
	saved := time.Local
	defer func() { time.Local = saved }()
	time.Local = time.FixedZone("JST", 9*3600)
	for _, s := range dateSeeds {
		sameDate(t, s)
	}
	if d, _ := ParseDate("Mon, 2 Jan 2006 15:04:05 +0900"); d.Location() != time.Local {
		t.Errorf("location %v", d.Location())
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range dateSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameDate(t, s)
	})
}

func BenchmarkParseDate(b *testing.B) {
	for _, c := range []struct {
		name string
		fn   func(string) (time.Time, error)
	}{{"fast", ParseDate}, {"netmail", netmail.ParseDate}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.fn("Tue, 17 Sep 2002 12:34:56 -0700 (PDT)")
			}
		})
	}
}
