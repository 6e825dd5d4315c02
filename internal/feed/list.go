package feed

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ListOptions say how to read a plain list or CSV.
type ListOptions struct {
	// Kind forces the kind of every entry ("" guesses each: address or
	// CIDR, hash by length, URL, e-mail address, domain).
	Kind string
	// Column is the CSV column: a 1-based number or a header name.
	Column string
}

// ParseList reads one indicator a line; "#" and ";" start comments,
// blank lines are skipped, and a line's first field (up to a space or
// tab) is the indicator (hosts files: "0.0.0.0 evil.example" gives the
// second field).
func ParseList(b []byte, o ListOptions) (*Batch, error) {
	out := &Batch{}
	seen := map[Term]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexAny(line, "#;"); i >= 0 && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		v := f[0]
		if len(f) > 1 && (v == "0.0.0.0" || v == "127.0.0.1" || v == "::") {
			v = f[1]
		}
		addEntry(out, seen, v, o.Kind)
		if len(out.Indicators) >= MaxIndicators {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return out, nil
}

func addEntry(out *Batch, seen map[Term]bool, v, kind string) {
	var t Term
	if kind != "" {
		if n := Normalize(kind, v); n != "" {
			t = Term{kind, n}
		}
	} else {
		t = Guess(v)
	}
	if t.Kind == "" {
		out.Skipped++
		return
	}
	if seen[t] {
		return
	}
	seen[t] = true
	out.Indicators = append(out.Indicators, Indicator{Ref: t.Kind + ":" + t.Value, Terms: []Term{t}})
}

// ParseCSV reads the chosen column of a CSV document. Lines starting with
// "#" are comments, except that the last comment line before the data is
// taken as a header when Column is a name and the first data row does not
// carry it (abuse.ch writes its header as "# id,dateadded,url,...").
func ParseCSV(b []byte, o ListOptions) (*Batch, error) {
	col, byName := -1, false
	if n, err := strconv.Atoi(strings.TrimSpace(o.Column)); err == nil && n >= 1 {
		col = n - 1
	} else if strings.TrimSpace(o.Column) != "" {
		byName = true
	} else {
		col = 0
	}
	want := strings.ToLower(strings.TrimSpace(o.Column))
	var lastComment string
	var data bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			lastComment = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		data.WriteString(line)
		data.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	findCol := func(rec []string) int {
		for i, h := range rec {
			if strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`)) == want {
				return i
			}
		}
		return -1
	}
	if byName && lastComment != "" {
		r := csv.NewReader(strings.NewReader(lastComment))
		r.LazyQuotes = true
		if rec, err := r.Read(); err == nil {
			col = findCol(rec)
		}
	}
	r := csv.NewReader(&data)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	out := &Batch{}
	seen := map[Term]bool{}
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Skipped++
			continue
		}
		if first {
			first = false
			if byName {
				if c := findCol(rec); c >= 0 {
					col = c
					continue
				}
			}
			if col < 0 {
				return nil, fmt.Errorf("%w: no CSV column %q", ErrFormat, o.Column)
			}
		}
		if col >= len(rec) {
			out.Skipped++
			continue
		}
		addEntry(out, seen, rec[col], o.Kind)
		if len(out.Indicators) >= MaxIndicators {
			break
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("%w: no CSV column %q", ErrFormat, o.Column)
	}
	return out, nil
}
