package mail

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randDate builds a date from parts, the named-zone forms among them.
func randDate(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	clean := r.IntN(2) == 0 // mostly well-formed: the named-zone fast path
	// pickv picks among the first nv (valid) choices when clean.
	pickv := func(nv int, xs ...string) string {
		if clean && r.IntN(8) > 0 {
			return xs[r.IntN(nv)]
		}
		return xs[r.IntN(len(xs))]
	}
	sp := func() string {
		if clean && r.IntN(8) > 0 {
			return " "
		}
		return pick(" ", " ", " ", "  ", "\t", " \t", "\r\n ", "")
	}
	var b strings.Builder
	if !clean {
		b.WriteString(pick("", "", " ", "\t", "(c) "))
	}
	switch k := r.IntN(6); {
	case clean && k > 0:
		b.WriteString(pick("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "sun", "Xyz") + ", ")
	case k == 0:
	case k == 1:
		b.WriteString(pick("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "mon", "THU", "Xyz", "Th", "T"))
	default:
		b.WriteString(pick("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "mon", "THU", "Xyz", "Tue"))
		b.WriteString(pick(",", ",", ",", "", ";"))
		b.WriteString(sp())
	}
	b.WriteString(pickv(6, "1", "2", "01", "6", "29", "30", "31", "0", "123", "9", "T"))
	b.WriteString(sp())
	b.WriteString(pickv(6, "Jan", "Feb", "Mar", "Nov", "Dec", "jan", "FEB", "Foo", "Oct"))
	b.WriteString(sp())
	b.WriteString(pickv(6, "2002", "02", "2024", "2023", "99", "1999", "0000", "20061", "2"))
	b.WriteString(sp())
	b.WriteString(pickv(3, "10", "00", "23", "24", "9", "T0"))
	b.WriteString(":")
	b.WriteString(pickv(2, "00", "59", "60", "5"))
	if r.IntN(3) > 0 {
		b.WriteString(":" + pickv(3, "00", "15", "59", "60", "5", ""))
	}
	b.WriteString(sp())
	b.WriteString(pick("GMT", "UTC", "UT", "EST", "EDT", "PST", "PDT", "JST", "CET", "CEST", "MET", "MEST", "BST", "GMT+1", "GMT-5",
		"GMT+10", "ChST", "T", "Z", "gmt", "X", "ABCDEF", "+0100", "-0700", "+01", "WIB", "MSK", "NZDT", "IST", "MDT", "UTC+2", "GMT+", "A1"))
	if r.IntN(3) == 0 && (!clean || r.IntN(3) == 0) {
		b.WriteString(pick(" (PDT)", "(x)", " (a (b) c)", " (unclosed", " junk", "  ", "\t", " )", " (T)", " (MDT) x", "T", " T", "\r\n", "\r", "x", " 1", " (\\))"))
	}
	s := b.String()
	if !clean && r.IntN(20) == 0 && len(s) > 0 {
		i := r.IntN(len(s))
		s = s[:i] + pick("T", "-", "+", ",", " ", "\xff", "é", "(", ")") + s[i:]
	}
	return s
}

// TestParseDateParts holds ParseDate to net/mail.ParseDate over dates
// built from parts, under several local zones (an abbreviation of the
// local zone takes its offset in time.Parse).
func TestParseDateParts(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 20000
	}
	saved := time.Local
	defer func() { time.Local = saved }()
	locs := []*time.Location{time.UTC, time.FixedZone("JST", 9*3600), time.FixedZone("EST", -5*3600)}
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Europe/London", "Asia/Tokyo"} {
		if l, err := time.LoadLocation(name); err == nil {
			locs = append(locs, l)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, l := range locs {
		time.Local = l
		for range n / len(locs) {
			sameDate(t, randDate(r))
		}
	}
}
