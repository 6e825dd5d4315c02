package spf

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// Term is one directive or modifier of a record (§4.6.1).
type Term struct {
	Qualifier byte   // '+', '-', '~', '?' for directives; 0 for modifiers
	Mechanism string // "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"; "" for modifiers
	Modifier  string // "redirect", "exp" or an unknown modifier name
	Value     string // domain-spec, address/prefix, or modifier value
}

// Record is a parsed SPF record.
type Record struct {
	Terms []Term
}

// Record syntax errors.
var (
	ErrNotSPF      = errors.New("spf: not an SPF record")
	ErrSyntax      = errors.New("spf: record syntax error")
	ErrTooLong     = errors.New("spf: record too long")
	ErrDupModifier = errors.New("spf: redirect or exp given twice")
)

// ParseRecord parses and checks the syntax of an SPF record (§4.5,
// §4.6.1, §12). Evaluation is Check's job; this is for diagnostics.
func ParseRecord(txt string) (*Record, error) {
	if len(txt) > 4096 {
		return nil, ErrTooLong
	}
	fields := strings.Fields(txt)
	if len(fields) == 0 || !strings.EqualFold(fields[0], "v=spf1") {
		return nil, ErrNotSPF
	}
	rec := &Record{}
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		if len(rec.Terms) >= 256 {
			return nil, ErrTooLong
		}
		// Modifier: name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
		if i := strings.IndexByte(f, '='); i > 0 && isModName(f[:i]) && !strings.ContainsAny(f[:i], ":/") {
			name := strings.ToLower(f[:i])
			if (name == "redirect" || name == "exp") && seen[name] {
				return nil, ErrDupModifier
			}
			seen[name] = true
			if !validMacroString(f[i+1:]) || ((name == "redirect" || name == "exp") && f[i+1:] == "") {
				return nil, ErrSyntax
			}
			rec.Terms = append(rec.Terms, Term{Modifier: name, Value: f[i+1:]})
			continue
		}
		t := Term{Qualifier: '+'}
		if strings.ContainsRune("+-~?", rune(f[0])) {
			t.Qualifier = f[0]
			f = f[1:]
		}
		name, val := f, ""
		if i := strings.IndexAny(f, ":/"); i >= 0 {
			name, val = f[:i], f[i:]
		}
		t.Mechanism = strings.ToLower(name)
		switch t.Mechanism {
		case "all":
			if val != "" {
				return nil, ErrSyntax
			}
		case "include", "exists":
			if !strings.HasPrefix(val, ":") || len(val) < 2 || !validMacroString(val[1:]) {
				return nil, ErrSyntax
			}
			t.Value = val[1:]
		case "a", "mx":
			dom, cidr := val, ""
			if i := strings.IndexByte(val, '/'); i >= 0 {
				dom, cidr = val[:i], val[i:]
			}
			if dom != "" && (!strings.HasPrefix(dom, ":") || len(dom) < 2 || !validMacroString(dom[1:])) {
				return nil, ErrSyntax
			}
			if cidr != "" && !validDualCIDR(cidr) {
				return nil, ErrSyntax
			}
			t.Value = strings.TrimPrefix(val, ":")
		case "ptr":
			if val != "" && (!strings.HasPrefix(val, ":") || !validMacroString(val[1:])) {
				return nil, ErrSyntax
			}
			t.Value = strings.TrimPrefix(val, ":")
		case "ip4", "ip6":
			if !strings.HasPrefix(val, ":") {
				return nil, ErrSyntax
			}
			addr, bits, hasBits := strings.Cut(val[1:], "/")
			a, err := netip.ParseAddr(addr)
			if err != nil || (t.Mechanism == "ip4") != a.Is4() {
				return nil, ErrSyntax
			}
			if hasBits {
				n, err := strconv.Atoi(bits)
				if err != nil || n < 0 || n > a.BitLen() || bits != strconv.Itoa(n) {
					return nil, ErrSyntax
				}
			}
			t.Value = val[1:]
		default:
			return nil, ErrSyntax
		}
		rec.Terms = append(rec.Terms, t)
	}
	return rec, nil
}

// Permissive reports whether the record lets the whole Internet pass
// ("+all" or a bare "all" reached), a sign of a record written to make
// forged mail pass.
func (r *Record) Permissive() bool {
	for _, t := range r.Terms {
		if t.Mechanism == "all" {
			return t.Qualifier == '+'
		}
	}
	return false
}

func isModName(s string) bool {
	for i, c := range []byte(s) {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha {
			return false
		}
		if !alpha && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return s != ""
}

// validMacroString checks §7.1: macro-expand = "%{" letter transformers
// *delimiter "}" / "%%" / "%_" / "%-"; other chars visible ASCII.
func validMacroString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e {
			return false
		}
		if c != '%' {
			continue
		}
		if i+1 >= len(s) {
			return false
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 3 {
				return false
			}
			body := strings.ToLower(s[i+2 : i+end])
			if !strings.ContainsRune("slodiphcrtv", rune(body[0])) {
				return false
			}
			rest := body[1:]
			j := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if j < len(rest) && rest[j] == 'r' {
				j++
			}
			for ; j < len(rest); j++ {
				if !strings.ContainsRune(".-+,/_=", rune(rest[j])) {
					return false
				}
			}
			i += end
		default:
			return false
		}
	}
	return true
}

func validDualCIDR(s string) bool {
	// "/n" , "//m" or "/n//m"
	v4, v6, has6 := strings.Cut(s, "//")
	check := func(x string, max int) bool {
		n, err := strconv.Atoi(x)
		return err == nil && n >= 0 && n <= max && x == strconv.Itoa(n)
	}
	if v4 != "" {
		if !strings.HasPrefix(v4, "/") || !check(v4[1:], 32) {
			return false
		}
	}
	if has6 && !check(v6, 128) {
		return false
	}
	return v4 != "" || has6
}
