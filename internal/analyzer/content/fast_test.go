package content

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// naiveScan is litIndex.scan by substring search: the first maxPositions
// offsets of every literal, and the sets one of whose literals occurs.
func naiveScan(x *litIndex, text string) (map[int][]int32, []uint64) {
	pos := map[int][]int32{}
	sets := make([]uint64, (x.nsets+63)/64)
	for id, l := range x.lits {
		for at := 0; at < len(text) && len(pos[id]) < maxPositions; {
			j := strings.Index(text[at:], l)
			if j < 0 {
				break
			}
			pos[id] = append(pos[id], int32(at+j))
			at += j + 1
		}
		if len(pos[id]) > 0 {
			for _, sid := range x.litSets[id] {
				sets[sid>>6] |= 1 << (sid & 63)
			}
		}
	}
	return pos, sets
}

func checkScan(t *testing.T, x *litIndex, r *scanResult, text string) {
	t.Helper()
	want, wantSets := naiveScan(x, text)
	for id := range x.lits {
		if got := r.positions(id); !slices.Equal(got, want[id]) {
			t.Fatalf("%q in %q: positions %v, want %v", x.lits[id], text, got, want[id])
		}
	}
	if !slices.Equal(r.sets, wantSets) {
		t.Fatalf("%q: sets differ", text)
	}
}

// FuzzLitIndexNaive: the literal index (its filters and tables, and a
// result's reused buffers) finds exactly the first occurrences a
// substring search finds, for the shipped rules' literals and short
// ones of any script.
func FuzzLitIndexNaive(f *testing.F) {
	for _, s := range []string{"the sum of us$10,500,000.00", "容量不足です 万 億", "e re is ist you【】", "verify your account within 24 hours",
		"xxxxxxxxxxxxxxxxxxxxxxxxx", "ab", "a", "", "the the the the the the the the the the"} {
		f.Add(s, "click here to verify")
	}
	a := shippedAnalyzer(f)
	x := a.lits
	small := newLitIndex()
	for _, l := range []string{"ab", "abc", "abd", "xy", "xyz0", "xyz01234", "xyz0123456789", "gewinn", "üb", "容量", "容量不足", "po", "€5", "aaaaaaaa", "aaaa"} {
		small.addSet([]int{small.add(l)})
	}
	f.Fuzz(func(t *testing.T, s1, s2 string) {
		if len(s1)+len(s2) > 4000 {
			return
		}
		for _, ix := range []*litIndex{x, small} {
			var r scanResult
			ix.scanInto(&r, s1)
			checkScan(t, ix, &r, s1)
			ix.release(&r)
			ix.scanInto(&r, s2) // the buffers of the first scan, reused
			checkScan(t, ix, &r, s2)
			ix.release(&r)
		}
	})
}

// evaluateRef is Evaluate as it was before the pooled state: a new view
// and a map of the rules evaluated so far.
func evaluateRef(a *Analyzer, fieldsText map[string]string, symbols func(string) bool) []Hit {
	if symbols == nil {
		symbols = func(string) bool { return false }
	}
	v := newView(fieldsText, symbols, a.lits, a.fieldNames)
	fired := map[string]bool{}
	var hits []Hit
	for _, r := range a.rules {
		var ev []string
		ok := false
		if r.meta != nil {
			ok = r.meta.eval(func(n string) bool {
				if f, isRule := fired[n]; isRule {
					return f
				}
				return symbols(n)
			})
		} else {
			ok, ev = r.match(v)
		}
		fired[r.Name] = ok
		if ok {
			hits = append(hits, Hit{Rule: r, Evidence: ev})
		}
	}
	return hits
}

// FuzzEvaluatePooled: Evaluate with its reused state gives the hits and
// evidence of a fresh evaluation, message after message.
func FuzzEvaluatePooled(f *testing.F) {
	for _, s := range []string{"the sum of US$10,500,000.00 (ten million dollars)", "1,050 万ドルの送金指示", "Re: lunch",
		"36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN and 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "verify your account within 24 hours"} {
		f.Add(s, s, "I recorded you via webcam, pay in bitcoin")
	}
	a := shippedAnalyzer(f)
	syms := func(n string) bool { return n == "URL_SHORTENER" || n == "FROM_FREEMAIL" }
	f.Fuzz(func(t *testing.T, subject, body, other string) {
		if len(subject)+len(body)+len(other) > 3000 {
			return
		}
		for _, fields := range []map[string]string{
			{"subject": subject, "body": body, "from_name": other, "urls": other},
			{"subject": other, "body": subject + "\n" + body, "headers": body},
			{"subject": subject, "body": other},
		} {
			got := a.Evaluate(context.Background(), fields, syms)
			want := evaluateRef(a, fields, syms)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: pooled evaluation differs", fields)
			}
		}
	})
}

// FuzzWallets2: searching subject and body in turn finds the addresses
// of the joined text.
func FuzzWallets2(f *testing.F) {
	f.Add("36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed my eth wallet")
	f.Add("ethereum", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
	f.Add("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\xe3\x81", "\x81eth bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	f.Fuzz(func(t *testing.T, subject, body string) {
		b1, e1 := findWallets(norm1(subject + "\n" + body))
		b2, e2 := findWallets2(norm1(subject), norm1(body))
		if !slices.Equal(b1, b2) || !slices.Equal(e1, e2) {
			t.Fatalf("%q / %q: %v %v, joined %v %v", subject, body, b2, e2, b1, e1)
		}
	})
}

// findWalletsRef is findWallets as first written: every run of letters
// and digits, one by one.
func findWalletsRef(text string) (btc, eth []string) {
	ethWord := -1
	n := len(text)
	for i := 0; i < n; {
		if !isAlnum(text[i]) {
			i++
			continue
		}
		j := i
		for j < n && isAlnum(text[j]) {
			j++
		}
		w := text[i:j]
		i = j
		switch {
		case len(w) >= 26 && len(w) <= 35 && (w[0] == '1' || w[0] == '3'):
			if len(btc) < 5 && ValidBase58Check(w) {
				btc = append(btc, w)
			}
		case len(w) >= 14 && len(w) <= 90 && (w[:3] == "bc1" || w[:3] == "BC1"):
			if len(btc) < 5 && ValidBech32Address(w) {
				btc = append(btc, w)
			}
		case len(w) == 42 && w[0] == '0' && w[1] == 'x':
			ok, sum := ValidEIP55(w)
			if !ok {
				continue
			}
			if !sum {
				if ethWord < 0 {
					ethWord = 0
					if reETHWord.MatchString(text) {
						ethWord = 1
					}
				}
				if ethWord == 0 {
					continue
				}
			}
			if len(eth) < 5 {
				eth = append(eth, w)
			}
		}
	}
	return btc, eth
}

// FuzzWalletsSkip: the walk that jumps over short runs finds what the
// run-by-run walk finds.
func FuzzWalletsSkip(f *testing.F) {
	for _, s := range []string{"36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN", "x 36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN.", "send to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 now",
		"eth 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"aaaaaaaaaaaaa 36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN", "aaaaaaaaaaaaaa36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN", "ab 3 bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b1, e1 := findWalletsRef(s)
		b2, e2 := findWallets(s)
		if !slices.Equal(b1, b2) || !slices.Equal(e1, e2) {
			t.Fatalf("%q: %v %v, want %v %v", s, b2, e2, b1, e1)
		}
	})
}

// Concurrent evaluations share the analyzer's pooled states and scan
// tables: each gets the hits it gets alone (run with -race).
func TestEvaluateConcurrent(t *testing.T) {
	a := shippedAnalyzer(t)
	msgs := []map[string]string{
		{"subject": "Re: lunch", "body": "sounds good, see you at noon", "header:in-reply-to": "<a@b>"},
		{"subject": "URGENT: verify your account", "body": "Your mailbox has been suspended. Verify your account within 24 hours or it will be closed."},
		{"subject": "Business proposal", "body": "I am the next of kin of the late client; the sum of US$10,500,000.00 (ten million dollars) awaits transfer to your account."},
		{"subject": "アカウントが凍結されました", "body": "お客様のアカウントが凍結されました。48時間以内にご確認ください。"},
		{"subject": "pay now", "body": "I recorded you via webcam. Send 0.5 btc to 36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN within 48 hours."},
	}
	want := make([][]Hit, len(msgs))
	for i, m := range msgs {
		want[i] = evaluateRef(a, m, nil)
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for k := 0; k < 50; k++ {
				i := (g + k) % len(msgs)
				if got := a.Evaluate(context.Background(), msgs[i], nil); !reflect.DeepEqual(got, want[i]) {
					done <- fmt.Errorf("message %d: hits differ", i)
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
