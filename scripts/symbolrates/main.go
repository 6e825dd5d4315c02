// Command symbolrates prints a Markdown table of how often each symbol
// fires on labelled sets of messages, from `sekisho scan --json` output:
//
//	sekisho scan --json dev-phish/ > phish.jsonl
//	sekisho scan --json sa-ham/ > saham.jsonl
//	go run ./scripts/symbolrates phish=phish.jsonl "SA ham"=saham.jsonl
//
// Each argument is NAME=FILE; the first set orders the rows. Symbols that
// fire on none of the sets are left out.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/policy"

	_ "github.com/sekisho/sekisho/internal/engine" // registers every symbol
)

type set struct {
	name  string
	n     int
	count map[string]int
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: symbolrates NAME=FILE.jsonl ...")
		os.Exit(2)
	}
	var sets []*set
	for _, a := range os.Args[1:] {
		name, file, ok := strings.Cut(a, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "symbolrates: %q is not NAME=FILE\n", a)
			os.Exit(2)
		}
		s, err := load(name, file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "symbolrates:", err)
			os.Exit(1)
		}
		sets = append(sets, s)
	}
	names := map[string]bool{}
	for _, s := range sets {
		for k := range s.count {
			names[k] = true
		}
	}
	var rows []string
	for k := range names {
		rows = append(rows, k)
	}
	first := sets[0]
	sort.Slice(rows, func(i, j int) bool {
		if first.count[rows[i]] != first.count[rows[j]] {
			return first.count[rows[i]] > first.count[rows[j]]
		}
		return rows[i] < rows[j]
	})
	fitted, err := policy.FittedWeights()
	if err != nil {
		fmt.Fprintln(os.Stderr, "symbolrates:", err)
		os.Exit(1)
	}
	fmt.Print("| symbol | default weight | shipped weight |")
	for _, s := range sets {
		fmt.Printf(" %s (%d) |", s.name, s.n)
	}
	fmt.Print("\n|---|---|---|")
	for range sets {
		fmt.Print("---|")
	}
	fmt.Println()
	for _, r := range rows {
		w, sw := "?", "?"
		if d, ok := pipeline.Lookup(r); ok {
			w, sw = fmt.Sprintf("%g", d.Weight), fmt.Sprintf("%g", d.Weight)
		}
		if f, ok := fitted[r]; ok {
			sw = fmt.Sprintf("%g", f)
		}
		fmt.Printf("| %s | %s | %s |", r, w, sw)
		for _, s := range sets {
			c := s.count[r]
			if c == 0 {
				fmt.Print(" · |")
				continue
			}
			fmt.Printf(" %.1f %% (%d) |", 100*float64(c)/float64(max(s.n, 1)), c)
		}
		fmt.Println()
	}
}

func load(name, file string) (*set, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &set{name: name, count: map[string]int{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var v struct {
			Symbols []struct {
				Name string `json:"name"`
			} `json:"symbols"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		s.n++
		seen := map[string]bool{}
		for _, y := range v.Symbols {
			if !seen[y.Name] {
				seen[y.Name] = true
				s.count[y.Name]++
			}
		}
	}
	return s, sc.Err()
}
