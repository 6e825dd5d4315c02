package smtpout

import (
	"errors"
	"strings"
)

// ErrBadPath: an address that is not an RFC 5321 path. Envelope strings
// reach the release from milter, Rspamd and API clients; one such as
// "a@x> NOTIFY=NEVER" would otherwise carry ESMTP parameters into the
// RCPT command (issue 14).
var ErrBadPath = errors.New("smtpout: not an RFC 5321 mailbox")

// ParsePath checks an envelope address as an RFC 5321 §4.1.2 Mailbox
// (one pair of angle brackets and surrounding space are accepted and
// removed) and returns it without brackets. The local part is a
// Dot-string or a Quoted-string ("john, x"@corp.example stays one
// recipient); the domain is a host name (UTF-8 labels allowed, RFC 6531)
// or an address literal. Nothing else passes: no spaces outside quotes,
// no "<", ">", control characters, source routes or parameters. An empty
// string is the null path (allowed only for the sender: the caller
// decides).
func ParsePath(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = s[1 : len(s)-1]
	}
	if s == "" {
		return "", nil
	}
	if len(s) > 254 {
		return "", ErrBadPath
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", ErrBadPath
	}
	local, domain := s[:at], s[at+1:]
	if !validLocal(local) || !validDomain(domain) {
		return "", ErrBadPath
	}
	return s, nil
}

func validLocal(l string) bool {
	if len(l) > 64 {
		return false
	}
	if l[0] == '"' {
		if len(l) < 2 || l[len(l)-1] != '"' {
			return false
		}
		q := l[1 : len(l)-1]
		for i := 0; i < len(q); i++ {
			c := q[i]
			switch {
			case c == '\\':
				// quoted-pairSMTP: %d92 %d32-126
				if i+1 >= len(q) || q[i+1] < 32 || q[i+1] > 126 || q[i+1] == '<' || q[i+1] == '>' {
					return false
				}
				i++
			case c == '"', c == '<', c == '>':
				// "<" and ">" are legal inside quotes, but some MTAs
				// mis-split such paths: refused, conservatively.
				return false
			case c >= 32 && c <= 126, c >= 0x80:
			default:
				return false
			}
		}
		return true
	}
	for _, atom := range strings.Split(l, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !atext(atom[i]) {
				return false
			}
		}
	}
	return true
}

// atext: RFC 5322 atext, plus UTF-8 bytes (RFC 6531 SMTPUTF8).
func atext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func validDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	if d[0] == '[' {
		if d[len(d)-1] != ']' || len(d) < 3 {
			return false
		}
		for i := 1; i < len(d)-1; i++ {
			c := d[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':' || c == 'I' || c == 'P' || c == 'v') {
				return false
			}
		}
		return true
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80) {
				return false
			}
		}
	}
	return true
}
