// Package ascii holds the ASCII case-folding comparisons the hot paths
// use instead of strings.ToLower copies: only the ASCII letters of s are
// folded, so callers use them where s is known to be ASCII or where a
// non-ASCII byte cannot match (the other side is lower-case ASCII).
package ascii

import "encoding/binary"

// HasPrefixLower reports whether s, its ASCII letters lower-cased, begins
// with prefix (lower-case).
func HasPrefixLower(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// EqualLower reports whether s, its ASCII letters lower-cased, is lw
// (lower-case).
func EqualLower(s, lw string) bool {
	return len(s) == len(lw) && HasPrefixLower(s, lw)
}

// AppendLower appends s to b with its ASCII letters lower-cased (other
// bytes, non-ASCII ones included, as they are). s is copied whole, then
// lower-cased in place eight bytes at a time: a byte's high bit marks it
// an upper-case letter when its low seven bits are at least 'A' and at
// most 'Z' and its own high bit is clear (the additions cannot carry into
// the next byte), and moved to 0x20 it lower-cases the letter. The byte
// loop appending one byte at a time cost 7-8 instructions a byte.
func AppendLower(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	t := b[n:]
	for len(t) >= 8 {
		w := binary.LittleEndian.Uint64(t)
		x := w & 0x7F7F7F7F7F7F7F7F
		if up := (x + 0x3F3F3F3F3F3F3F3F) &^ (x + 0x2525252525252525) &^ w & 0x8080808080808080; up != 0 {
			binary.LittleEndian.PutUint64(t, w|up>>2)
		}
		t = t[8:]
	}
	for i, c := range t {
		if 'A' <= c && c <= 'Z' {
			t[i] = c + 'a' - 'A'
		}
	}
	return b
}

// Is reports whether every byte of s is ASCII (below 0x80), sixteen
// then eight bytes at a time. The loops reslice s rather than index it
// at an offset so the compiler proves every index in range: the earlier
// s[i+k] form kept eight bounds checks per word (callgrind: ~30
// instructions per 8 bytes, where this is ~10 per 16).
func Is(s string) bool {
	for len(s) >= 16 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		v := uint64(s[8]) | uint64(s[9])<<8 | uint64(s[10])<<16 | uint64(s[11])<<24 |
			uint64(s[12])<<32 | uint64(s[13])<<40 | uint64(s[14])<<48 | uint64(s[15])<<56
		if (w|v)&0x8080808080808080 != 0 {
			return false
		}
		s = s[16:]
	}
	if len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
