package mail

import (
	netmail "net/mail"
	"time"
)

// ParseDate is net/mail.ParseDate with a fast path for the usual form of
// the Date field and of the date after a Received field's ";":
//
//	[Mon, ]2 Jan 2006 15:04[:05] -0700[ (comment)]
//
// with English day and month names as written here, a four-digit year, a
// numeric zone, runs of spaces where the form has one space, and after
// the zone any spaces, tabs and simple comments (printable ASCII, no
// nesting or escapes). Anything else (obsolete zones, two-digit years,
// folding, tabs or leading spaces, out-of-range fields) goes to
// net/mail.ParseDate, so the result and the error are always the ones
// net/mail gives (FuzzParseDate holds the two to that).
func ParseDate(s string) (time.Time, error) {
	if t, ok := fastDate(s); ok {
		return t, nil
	}
	if namedZoneFirst(s) {
		// net/mail would reach this layout first: its result, without
		// the failed layouts before it (each an error value).
		if t, err := time.Parse(namedZoneLayout, s); err == nil {
			return t, nil
		}
	}
	return netmail.ParseDate(s)
}

// namedZoneLayout is the first of net/mail's layouts that can take
// "Wed, 6 Feb 2002 22:11:15 GMT" (a zone name: "-0700" before it in the
// list cannot).
const namedZoneLayout = "Mon, 2 Jan 2006 15:04:05 MST"

// namedZoneFirst reports whether net/mail.ParseDate(s) parses s whole
// (it takes nothing off) with its layouts in order, and every layout
// before namedZoneLayout fails: s opens with a day name and a comma (the
// layouts without one need a digit first), has no "+" or "-" (the
// "-0700" layouts need one) and no CR or LF, and net/mail's cut after an
// obsolete zone's "T" does not apply (no "T" four bytes or more before
// the end, one at the start aside).
func namedZoneFirst(s string) bool {
	if len(s) < 6 || s[3] != ',' || s[4] != ' ' || !('A' <= s[0] && s[0] <= 'Z' || 'a' <= s[0] && s[0] <= 'z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '+', '-', '\r', '\n':
			return false
		case 'T':
			if i > 0 && len(s) >= i+5 {
				return false
			}
		}
	}
	return true
}

var (
	dayNames   = [...]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// fastDate parses the form above, with runs of spaces wherever it has
// one (time.Parse takes a run of spaces for a layout's space); ok is
// false for anything else.
func fastDate(s string) (time.Time, bool) {
	if len(s) >= 5 && s[3] == ',' && s[4] == ' ' {
		known := false
		for _, d := range dayNames {
			if s[:3] == d {
				known = true
				break
			}
		}
		if !known {
			return time.Time{}, false
		}
		s = skipSpaces(s[5:])
	}
	// day: one or two digits
	day, s, ok := digits(s, 1, 2)
	if !ok || len(s) < 1 || s[0] != ' ' {
		return time.Time{}, false
	}
	s = skipSpaces(s)
	if len(s) < 4 || s[3] != ' ' {
		return time.Time{}, false
	}
	month := 0
	for i, m := range monthNames {
		if s[:3] == m {
			month = i + 1
			break
		}
	}
	if month == 0 {
		return time.Time{}, false
	}
	year, s, ok := digits(skipSpaces(s[3:]), 4, 4)
	if !ok || len(s) < 1 || s[0] != ' ' {
		return time.Time{}, false
	}
	s = skipSpaces(s)
	if len(s) < 5 || s[2] != ':' {
		return time.Time{}, false
	}
	hour, _, ok1 := digits(s[0:2], 2, 2)
	min, s, ok2 := digits(s[3:], 2, 2)
	if !ok1 || !ok2 || hour > 23 || min > 59 {
		return time.Time{}, false
	}
	sec := 0
	if len(s) >= 3 && s[0] == ':' {
		var ok bool
		sec, s, ok = digits(s[1:], 2, 2)
		if !ok || sec > 59 {
			return time.Time{}, false
		}
	}
	if len(s) < 1 || s[0] != ' ' {
		return time.Time{}, false
	}
	s = skipSpaces(s)
	if len(s) < 5 || (s[0] != '+' && s[0] != '-') {
		return time.Time{}, false
	}
	zh, _, ok1 := digits(s[1:3], 2, 2)
	zm, _, ok2 := digits(s[3:5], 2, 2)
	if !ok1 || !ok2 || zh > 23 || zm > 59 {
		return time.Time{}, false
	}
	if !plainComment(s[5:]) {
		return time.Time{}, false
	}
	if day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	off := (zh*60 + zm) * 60
	if s[0] == '-' {
		off = -off
	}
	// What time.Parse does with a numeric zone: the local zone if it has
	// that offset at that instant, else an unnamed fixed zone.
	t := time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC).Add(-time.Duration(off) * time.Second)
	lt := t.In(time.Local)
	if _, o := lt.Zone(); o == off {
		return lt, true
	}
	return t.In(time.FixedZone("", off)), true
}

// skipSpaces drops the spaces (only) at the start of s.
func skipSpaces(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
}

// plainComment: white space (spaces, tabs) and comments of printable
// ASCII (or tabs) without parentheses or backslash, in any order (what
// net/mail's skipCFWS skips after the zone), or nothing.
func plainComment(s string) bool {
	for {
		for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
			s = s[1:]
		}
		if s == "" {
			return true
		}
		if s[0] != '(' {
			return false
		}
		i := 1
		for i < len(s) && s[i] != ')' {
			c := s[i]
			if (c < 0x20 || c > 0x7e) && c != '\t' || c == '(' || c == '\\' {
				return false
			}
			i++
		}
		if i == len(s) {
			return false
		}
		s = s[i+1:]
	}
}

// digits reads between lo and hi ASCII digits.
func digits(s string, lo, hi int) (int, string, bool) {
	n, i := 0, 0
	for i < len(s) && i < hi && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i < lo || (i < len(s) && i == hi && s[i] >= '0' && s[i] <= '9') {
		return 0, s, false
	}
	return n, s[i:], true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
