package mail

import (
	"bytes"
	"strconv"
	"strings"
)

// lineEnds looks at how the message's lines end, in one pass over the raw
// bytes:
//
//   - only bare LF: mail stored in a file (mbox, Maildir) or handed over by
//     a local program; informational (AnomalyBareLF);
//   - CRLF and bare LF or bare CR mixed: a sending tool that builds its
//     own lines, or a message pieced together (AnomalyMixedEOL);
//   - a line holding a lone dot followed by an SMTP envelope (MAIL FROM,
//     RCPT TO, DATA): an SMTP smuggling attempt (CVE-2023-51764, -51765,
//     -51766). The dot line usually ends, or follows a line that ends, in
//     bare LF or CR; a relay that reads it as the end of the data sees a
//     second, forged message. A receiver that does not (like the one that
//     handed this to sekisho) keeps it inside the first message's body,
//     where it is found here (AnomalySMTPSmuggling), with or without the
//     odd line ends (an MTA may have normalised them already).
func (p *parser) lineEnds(raw []byte) {
	crlf, lf, cr := countEOL(raw)
	switch {
	case crlf == 0 && lf > 0 && cr == 0:
		p.anomaly(AnomalyBareLF, "")
	case crlf > 0 && lf+cr > 0 || lf > 0 && cr > 0:
		p.anomaly(AnomalyMixedEOL, "CRLF "+strconv.Itoa(crlf)+", LF "+strconv.Itoa(lf)+", CR "+strconv.Itoa(cr))
	}
	if off, odd, ok := smuggledDot(raw); ok {
		detail := "at byte " + strconv.Itoa(off)
		if odd {
			detail += ", dot line with bare LF or CR"
		}
		p.anomaly(AnomalySMTPSmuggling, detail)
	}
}

// countEOL counts the CRLF, bare LF and bare CR line ends of raw ("\r\n"
// cannot overlap itself: the bare ones are the rest of the LFs and CRs).
func countEOL(raw []byte) (crlf, lf, cr int) {
	lf = bytes.Count(raw, []byte{'\n'})
	cr = bytes.Count(raw, []byte{'\r'})
	if lf > 0 && cr > 0 {
		crlf = bytes.Count(raw, []byte("\r\n"))
	}
	return crlf, lf - crlf, cr - crlf
}

// smuggledDot finds a lone-dot line followed by an SMTP envelope; odd
// tells whether the dot line's ends on either side were other than CRLF.
func smuggledDot(raw []byte) (off int, odd, ok bool) {
	// Candidates are dots after a line end ("\n." and "\r."), in order.
	nextLF, nextCR := -2, -2 // nextLineDot's pair searches, kept across calls
	for i := 0; i < len(raw); {
		d := nextLineDot(raw, i+1, &nextLF, &nextCR)
		if d < 0 {
			return 0, false, false
		}
		i = d + 1
		// Alone on its line: a line end before and after.
		if d == 0 || raw[d-1] != '\n' && raw[d-1] != '\r' {
			continue
		}
		if d+1 >= len(raw) || raw[d+1] != '\n' && raw[d+1] != '\r' {
			continue
		}
		crlfBefore := d >= 2 && raw[d-2] == '\r' && raw[d-1] == '\n'
		crlfAfter := d+2 < len(raw) && raw[d+1] == '\r' && raw[d+2] == '\n'
		odd = !crlfBefore || !crlfAfter
		next := d + 2
		if crlfAfter {
			next = d + 3
		}
		if smtpEnvelopeFollows(raw[next:min(len(raw), next+2048)]) {
			return d, odd, true
		}
	}
	return 0, false, false
}

// nextLineDot is the index of the first dot at or after from (>= 1)
// that follows a line end ("\n." or "\r."), or -1. It looks at the dots:
// most lines do not start with one, and a search for "\n." stops at
// every line. Where dots are dense (a row of them) and few follow a line
// end, it searches for the two pairs instead. *nextLF and *nextCR keep
// those searches' results across calls (-2 before the first, -1 none
// left): a search for the pair that comes later, or never, would
// otherwise run on to the end of raw on every call (quadratic).
func nextLineDot(raw []byte, from int, nextLF, nextCR *int) int {
	j := from
	for fails := 0; j < len(raw); fails++ {
		if fails > 8+(j-from)>>4 {
			if *nextLF != -1 && *nextLF < j-1 {
				*nextLF = indexFrom(raw, j-1, "\n.")
			}
			if *nextCR != -1 && *nextCR < j-1 {
				*nextCR = indexFrom(raw, j-1, "\r.")
			}
			a, b := *nextLF, *nextCR
			switch {
			case a < 0 && b < 0:
				return -1
			case b < 0 || a >= 0 && a < b:
				return a + 1
			}
			return b + 1
		}
		k := bytes.IndexByte(raw[j:], '.')
		if k < 0 {
			return -1
		}
		d := j + k
		if c := raw[d-1]; c == '\n' || c == '\r' {
			return d
		}
		j = d + 1
	}
	return -1
}

// indexFrom is the index of sep in raw at or after i, or -1.
func indexFrom(raw []byte, i int, sep string) int {
	if k := bytes.Index(raw[i:], []byte(sep)); k >= 0 {
		return i + k
	}
	return -1
}

// smtpEnvelopeFollows reports whether the lines start with MAIL FROM
// (after blank lines, or RSET, HELO or EHLO), then RCPT TO lines, then
// DATA: the shape of a smuggled transaction, not of prose about SMTP.
func smtpEnvelopeFollows(b []byte) bool {
	state := 0 // 0: before MAIL, 1: after MAIL, 2: after RCPT
	for n := 0; n < 24 && len(b) > 0; n++ {
		var line []byte
		if k := bytes.IndexAny(b, "\r\n"); k >= 0 {
			line, b = b[:k], b[k+1:]
		} else {
			line, b = b, nil
		}
		u := string(bytes.ToUpper(bytes.TrimSpace(line)))
		switch {
		case u == "":
			continue
		case state == 0 && (u == "RSET" || strings.HasPrefix(u, "HELO ") || strings.HasPrefix(u, "EHLO ")):
		case state == 0 && strings.HasPrefix(u, "MAIL FROM:"):
			state = 1
		case state >= 1 && strings.HasPrefix(u, "RCPT TO:"):
			state = 2
		case state == 2 && (u == "DATA" || strings.HasPrefix(u, "BDAT ")):
			return true
		default:
			return false
		}
	}
	return false
}
