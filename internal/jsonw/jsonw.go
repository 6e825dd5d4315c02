// Package jsonw writes JSON values without reflection, byte for byte as
// encoding/json does (Marshal and Encoder with their defaults): strings
// with HTML characters, U+2028 and U+2029 escaped and invalid UTF-8 as
// U+FFFD, numbers in its float format. The daemon's hot replies and
// stored rows use it (the Rspamd reply, the quarantine's JSON columns);
// each user tests its encoder against encoding/json.
package jsonw

import (
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Word masks for specialBytes: 0x01 and 0x80 in every byte of a uint64.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialBytes returns a mask whose lowest set bit is the high bit of the
// first (lowest) byte of w (a little-endian load of the string) that is
// not jsonSafe: a control character (< 0x20), a byte with its high bit
// set (non-ASCII: a rune to decode), '"', '\\', '<', '>' or '&'; 0 when
// all eight are. Each test is the classic SWAR "has a zero byte"
// (x-0x01..)&^x&0x80..: a borrow can flag a byte only above a byte that
// is itself flagged, so the lowest flag is exact.
func specialBytes(w uint64) uint64 {
	low := (w - 0x20*lsb) &^ w // a byte < 0x20 (or >= 0xa0, caught by w below)
	// '<' (0x3c) and '>' (0x3e) differ only in bit 1, '"' (0x22) and '&'
	// (0x26) only in bit 2: one zero test covers each pair.
	angle := (w ^ 0x3c*lsb) &^ (0x02 * lsb)
	quoteAmp := (w ^ 0x22*lsb) &^ (0x04 * lsb)
	bslash := w ^ 0x5c*lsb
	zero := (angle - lsb) &^ angle
	zero |= (quoteAmp - lsb) &^ quoteAmp
	zero |= (bslash - lsb) &^ bslash
	return (low | w | zero) & msb
}

// load64 loads the eight bytes of s (len(s) >= 8) little-endian; the
// compiler merges the byte loads into one.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// loadTail loads the last len(s)-i (1 to 7) bytes of s little-endian;
// the missing bytes read as 'a', which needs no escaping.
func loadTail(s string, i int) uint64 {
	rem := uint(len(s) - i)
	pad := uint64(0x61*lsb) << (8 * rem)
	if len(s) >= 8 {
		// The word ending at the end of s, its first bytes shifted out.
		return load64(s[len(s)-8:])>>(8*(8-rem)) | pad
	}
	var w uint64
	for j := range rem {
		w |= uint64(s[i+int(j)]) << (8 * j)
	}
	return w | pad
}

// validRuneLen returns the length of the valid two- or three-byte
// sequence at s[i] (s[i] >= 0x80), or 0 for anything else: U+2028 and
// U+2029 (escaped), four-byte sequences and invalid bytes are left to
// utf8.DecodeRuneInString. Most non-ASCII text (Latin, Cyrillic, CJK)
// is decoded here without its call.
func validRuneLen(s string, i int) int {
	c := s[i]
	switch {
	case c >= 0xc2 && c <= 0xdf:
		if i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			return 2
		}
	case c >= 0xe0 && c <= 0xef:
		if i+2 >= len(s) || s[i+2]&0xc0 != 0x80 {
			return 0
		}
		c1 := s[i+1]
		lo, hi := byte(0x80), byte(0xbf)
		switch c {
		case 0xe0:
			lo = 0xa0 // no overlong forms
		case 0xed:
			hi = 0x9f // no surrogates
		case 0xe2:
			if c1 == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				return 0 // U+2028, U+2029
			}
		}
		if c1 >= lo && c1 <= hi {
			return 3
		}
	}
	return 0
}

// appendEscape appends the escaped form of c, an ASCII byte that is not
// jsonSafe.
func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// AppendString appends s as a JSON string, as encoding/json does. Runs of
// plain ASCII are skipped eight bytes at a time and appended with one copy.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		var m uint64
		if i+8 <= len(s) {
			m = specialBytes(load64(s[i : i+8]))
		} else {
			m = specialBytes(loadTail(s, i))
		}
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) >> 3
		if i >= len(s) {
			break
		}
		// s[i] is a byte to escape, or starts a rune to decode.
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			b = appendEscape(b, c)
			i++
			start = i
			continue
		}
		// A run of non-ASCII runes (a word of text in another script):
		// decoded one after the other, without going back to the words.
		for i < len(s) && s[i] >= utf8.RuneSelf {
			// Inline: the common valid two- and three-byte sequences.
			if c := s[i]; c >= 0xc2 && c <= 0xdf {
				if i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
					i += 2
					continue
				}
			} else if c >= 0xe1 && c <= 0xec && c != 0xe2 || c == 0xee || c == 0xef {
				if i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 {
					i += 3
					continue
				}
			} else if n := validRuneLen(s, i); n > 0 {
				i += n
				continue
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				start = i + n
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
				start = i + n
			}
			i += n
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendFloat appends f as encoding/json writes a float64; false for
// NaN and infinities, which it refuses.
func AppendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// A one-digit negative exponent without its zero: e-07 → e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// SortedKeys appends m's keys to buf in the order encoding/json writes a
// map with string keys (sorted as strings, before escaping) and returns
// it. Pass a stack array's slice as buf to keep small maps off the heap.
func SortedKeys[V any](m map[string]V, buf []string) []string {
	for k := range m {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

// AppendStrings appends ss as encoding/json writes a []string ("null"
// for nil).
func AppendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, s)
	}
	return append(b, ']')
}

// AppendStringMap appends m as encoding/json writes a map[string]string
// (keys sorted, "null" for nil).
func AppendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var arr [16]string
	b = append(b, '{')
	for i, k := range SortedKeys(m, arr[:0]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k)
		b = append(b, ':')
		b = AppendString(b, m[k])
	}
	return append(b, '}')
}
