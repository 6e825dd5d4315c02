// Package dkim verifies DomainKeys Identified Mail signatures (RFC 6376)
// through sekisho's resolver, and holds the pieces ARC (RFC 8617) shares
// with DKIM: the tag-list parser (§3.2), header and body canonicalization
// (§3.4), the key record parser (§3.6.1) and header field selection
// (§5.4.2).
//
// Signature verification itself is done by github.com/emersion/go-msgauth/dkim;
// this package feeds it keys through sekisho's resolver, classifies its
// outcome (pass, fail, neutral, temperror, permerror) and tells a broken
// body hash apart from a broken header signature.
package dkim

import (
	"errors"
	"strings"
)

// Tag is one tag=value pair of a tag list, value with whitespace kept.
type Tag struct {
	Name  string
	Value string
}

// Tags is a parsed tag list, in written order.
type Tags []Tag

// Get returns the value of a tag and whether it is present.
func (t Tags) Get(name string) (string, bool) {
	for _, x := range t {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// Value returns the tag's value with folding whitespace removed (FWS is
// allowed anywhere in base64 and most values).
func (t Tags) Value(name string) string {
	v, _ := t.Get(name)
	return StripWSP(v)
}

// Errors of ParseTags.
var (
	ErrTagSyntax    = errors.New("dkim: malformed tag list")
	ErrTagDuplicate = errors.New("dkim: duplicate tag")
)

// MaxTags bounds a tag list.
const MaxTags = 64

// ParseTags parses a tag list (RFC 6376 §3.2):
//
//	tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//	tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//	tag-name  =  ALPHA *ALNUMPUNC
//
// A duplicate tag name is an error (the signature is then permerror).
func ParseTags(s string) (Tags, error) {
	var out Tags
	for _, spec := range strings.Split(s, ";") {
		if strings.TrimFunc(spec, isWSP) == "" {
			continue // empty spec: allowed only at the end, tolerated everywhere
		}
		name, val, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, ErrTagSyntax
		}
		name = strings.TrimFunc(name, isWSP)
		if !validTagName(name) {
			return nil, ErrTagSyntax
		}
		val = strings.TrimFunc(val, isWSP)
		for _, c := range []byte(val) {
			// tval = %x21-3A / %x3C-7E, plus FWS between tvals
			if (c < 0x21 || c > 0x7e) && !isWSPByte(c) {
				return nil, ErrTagSyntax
			}
		}
		for _, x := range out {
			if x.Name == name {
				return nil, ErrTagDuplicate
			}
		}
		if len(out) >= MaxTags {
			return nil, ErrTagSyntax
		}
		out = append(out, Tag{Name: name, Value: val})
	}
	return out, nil
}

func validTagName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, c := range []byte(s) {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha {
			return false
		}
		if !alpha && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

func isWSP(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

func isWSPByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// StripWSP removes all whitespace (FWS) from s.
func StripWSP(s string) string {
	if strings.IndexAny(s, " \t\r\n") < 0 {
		return s
	}
	var b strings.Builder
	for _, c := range []byte(s) {
		if !isWSPByte(c) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// SplitList splits a colon-separated list (h=) into trimmed items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ":") {
		p = StripWSP(p)
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// RemoveB returns a signature header value with the b= tag's value
// emptied (RFC 6376 §3.7: the signature is computed over its own header
// with "b=" empty), keeping everything else byte for byte.
func RemoveB(v string) string {
	pos := 0
	for pos <= len(v) {
		end := strings.IndexByte(v[pos:], ';')
		if end < 0 {
			end = len(v)
		} else {
			end += pos
		}
		spec := v[pos:end]
		name, _, ok := strings.Cut(spec, "=")
		if ok && strings.TrimFunc(name, isWSP) == "b" {
			eq := pos + strings.IndexByte(spec, '=')
			return v[:eq+1] + v[end:]
		}
		pos = end + 1
	}
	return v
}
