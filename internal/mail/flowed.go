package mail

import "strings"

// unflow undoes format=flowed (RFC 3676): a line that ends in a space
// is a soft break and joins the next line of the same quote depth; with
// delsp=yes that space was added by the sender (Thunderbird does this for
// Japanese, which has no spaces) and is removed. Space-stuffing is undone;
// the signature separator "-- " stays a line of its own. Linear in s.
func unflow(s string, delsp bool) string {
	var out strings.Builder
	out.Grow(len(s))
	var para strings.Builder
	depth := -1
	flush := func() {
		if depth < 0 {
			return
		}
		if depth > 0 {
			out.WriteString(strings.Repeat(">", depth))
			out.WriteByte(' ')
		}
		out.WriteString(para.String())
		out.WriteByte('\n')
		para.Reset()
		depth = -1
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if i == len(lines)-1 && l == "" {
			break // the text's final line end
		}
		l = strings.TrimSuffix(l, "\r")
		d := 0
		for d < len(l) && l[d] == '>' {
			d++
		}
		c := l[d:]
		c = strings.TrimPrefix(c, " ") // space-stuffing (§4.4), or the quote's space
		if depth >= 0 && d != depth {
			flush()
		}
		if c == "-- " {
			flush()
			depth = d
			para.WriteString(c)
			flush()
			continue
		}
		soft := strings.HasSuffix(c, " ")
		if soft && delsp {
			c = c[:len(c)-1]
		}
		para.WriteString(c)
		depth = d
		if !soft {
			flush()
		}
	}
	flush()
	return out.String()
}
