// Package ascii holds the ASCII case-folding comparisons the hot paths
// use instead of strings.ToLower copies: only the ASCII letters of s are
// folded, so callers use them where s is known to be ASCII or where a
// non-ASCII byte cannot match (the other side is lower-case ASCII).
package ascii

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
// bytes, non-ASCII ones included, as they are).
func AppendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// Is reports whether every byte of s is ASCII (below 0x80), eight bytes
// at a time.
func Is(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
