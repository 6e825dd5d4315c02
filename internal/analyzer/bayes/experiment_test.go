package bayes

// The tuning harness behind DefaultParams: 5-fold cross-validation on the
// training half of the corpus (EXP_CV=1), a grid (EXP_GRID=1), and the
// test half (EXP_TEST=1, for reporting only).

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/mailsrc"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
)

type expMsg struct {
	name string
	spam bool
	keys []uint64
}

func loadTok(t testing.TB, dir string, spam bool, opt tokenize.Options) []expMsg {
	var raws []mailsrc.Item
	_ = mailsrc.Walk([]string{dir}, func(it mailsrc.Item) error {
		if it.Err == nil {
			raws = append(raws, it)
		}
		return nil
	})
	out := make([]expMsg, len(raws))
	var wg sync.WaitGroup
	ch := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				m := mail.Parse(raws[i].Raw, mail.Limits{})
				tk := tokenize.Message(m, nil, opt)
				keys := tk.Hashes()
				for _, sy := range expSyms[raws[i].Name] {
					keys = append(keys, xxhash.Sum64String("sym:"+sy))
				}
				out[i] = expMsg{name: raws[i].Name, spam: spam, keys: keys}
			}
		}()
	}
	for i := range raws {
		ch <- i
	}
	close(ch)
	wg.Wait()
	return out
}

// expSyms maps a message path to the symbols an untrained scan gave it
// (EXP_SYMS: files written by sekisho eval --scores).
var expSyms = map[string][]string{}

func loadSyms(paths string) {
	skip := map[string]bool{"FROM_FIRST_CONTACT": true, "FROM_UNKNOWN_THREAD": true}
	for _, p := range strings.Split(paths, ",") {
		b, err := os.ReadFile(p)
		if err != nil {
			panic(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, "\t")
			if len(f) < 5 || strings.HasPrefix(line, "#") {
				continue
			}
			for _, s := range strings.Fields(f[4]) {
				n, _, _ := strings.Cut(s, "=")
				if !skip[n] && !strings.HasPrefix(n, "BAYES") {
					expSyms[f[3]] = append(expSyms[f[3]], n)
				}
			}
		}
	}
}

func aucOf(ham, spam []float64) float64 {
	var u float64
	sort.Float64s(ham)
	for _, s := range spam {
		lo := sort.SearchFloat64s(ham, s)
		hi := sort.Search(len(ham), func(i int) bool { return ham[i] > s })
		u += float64(lo) + float64(hi-lo)/2
	}
	return u / float64(len(ham)*len(spam))
}

func recallAt(ham, spam []float64, k int) float64 {
	h := append([]float64(nil), ham...)
	sort.Sort(sort.Reverse(sort.Float64Slice(h)))
	thr := h[k]
	n := 0
	for _, s := range spam {
		if s > thr {
			n++
		}
	}
	return float64(n) / float64(len(spam))
}

func evalSplit(t testing.TB, train, test []expMsg, p Params) (ham, spam []Decision) {
	dir := t.TempDir()
	st, _ := bayesstore.OpenFile(filepath.Join(dir, "b.db"))
	ctx := context.Background()
	c := NewClassifier(st, Options{Params: &p})
	if os.Getenv("EXP_ONLINE") == "" {
		c.BeginBatch()
	} else {
		// Mail arrives mixed, not sorted by directory.
		train = append([]expMsg(nil), train...)
		rand.New(rand.NewSource(1)).Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
	}
	for i, m := range train {
		var d bayesstore.Digest
		d[0], d[1], d[2] = byte(i), byte(i>>8), byte(i>>16)
		c.LearnKeys(ctx, "", d, m.keys, m.spam)
	}
	if _, err := c.EndBatch(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range test {
		d, _ := c.ScoreKeys(ctx, "", m.keys)
		if m.spam {
			spam = append(spam, d)
		} else {
			ham = append(ham, d)
		}
	}
	return
}

func margins(ds []Decision, mix float64) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Linear + mix*d.Chi
		if math.IsInf(mix, 1) {
			out[i] = d.Chi
		}
	}
	return out
}

func interleave(h, s []expMsg) []expMsg {
	var train []expMsg
	for i, j := 0, 0; i < len(h) || j < len(s); {
		if j >= len(s) || i < len(h) && float64(i)/float64(len(h)+1) <= float64(j)/float64(len(s)+1) {
			train = append(train, h[i])
			i++
		} else {
			train = append(train, s[j])
			j++
		}
	}
	return train
}

func report(t testing.TB, label string, ham, spam []float64) {
	a := aucOf(append([]float64(nil), ham...), spam)
	fmt.Printf("%-40s auc=%.5f r@0=%.3f r@0.1%%=%.3f med=%.2f/%.2f", label, a, recallAt(ham, spam, 0), recallAt(ham, spam, len(ham)/1000), medianSide(spam, 1), medianSide(ham, -1))
	for _, thr := range []float64{0, 2, 5, 10} {
		fp, tp := 0, 0
		for _, h := range ham {
			if h > thr {
				fp++
			}
		}
		for _, s := range spam {
			if s > thr {
				tp++
			}
		}
		fmt.Printf(" [>%g fp=%d rec=%.3f]", thr, fp, float64(tp)/float64(len(spam)))
	}
	fmt.Println()
}

// medianSide is the median of y·m over the correctly classified.
func medianSide(ms []float64, y float64) float64 {
	var v []float64
	for _, m := range ms {
		if y*m > 0 {
			v = append(v, y*m)
		}
	}
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func TestExperiment(t *testing.T) {
	corp := os.Getenv("SEKISHO_BAYES_EXP")
	if corp == "" {
		t.Skip("set SEKISHO_BAYES_EXP=/tmp/corpus")
	}
	if p := os.Getenv("EXP_SYMS"); p != "" {
		loadSyms(p)
	}
	cg, _ := strconv.Atoi(os.Getenv("EXP_CG"))
	opt := tokenize.Options{CharGrams: cg}
	trH := loadTok(t, corp+"/train/ham", false, opt)
	trS := loadTok(t, corp+"/train/spam", true, opt)
	teH := loadTok(t, corp+"/test/ham", false, opt)
	teS := loadTok(t, corp+"/test/spam", true, opt)
	train := interleave(trH, trS)
	test := append(append([]expMsg{}, teH...), teS...)
	params := []Params{DefaultParams}
	if os.Getenv("EXP_GRID") != "" {
		for _, l := range []float64{1e-5, 3e-5, 1e-4} {
			for _, a := range []float64{0.1, 0.5} {
				p := DefaultParams
				p.Lambda, p.Alpha = l, a
				params = append(params, p)
			}
		}
	}
	mixes := []float64{0, 0.01, 0.02, 0.05, math.Inf(1)}
	for _, p := range params {
		var ch, cs []Decision
		if os.Getenv("EXP_CV") != "" {
			for f := 0; f < 5; f++ {
				var a, b []expMsg
				for i, m := range train {
					if i%5 == f {
						b = append(b, m)
					} else {
						a = append(a, m)
					}
				}
				h, s := evalSplit(t, a, b, p)
				ch, cs = append(ch, h...), append(cs, s...)
			}
			for _, mx := range mixes {
				report(t, fmt.Sprintf("cv l=%g a=%g mix=%g", p.Lambda, p.Alpha, mx), margins(ch, mx), margins(cs, mx))
			}
		}
		if os.Getenv("EXP_TEST") != "" {
			h, s := evalSplit(t, train, test, p)
			for _, mx := range mixes {
				report(t, fmt.Sprintf("test l=%g a=%g mix=%g", p.Lambda, p.Alpha, mx), margins(h, mx), margins(s, mx))
			}
			if os.Getenv("EXP_DUMP") != "" {
				dump(teH, teS, margins(h, p.ChiMix), margins(s, p.ChiMix))
			}
		}
	}
}

// dump prints the test ham above the third-highest ham margin's cut and
// the spam below it (the errors at the ≤2 FP operating point).
func dump(teH, teS []expMsg, h, s []float64) {
	hs := append([]float64(nil), h...)
	sort.Sort(sort.Reverse(sort.Float64Slice(hs)))
	thr := hs[2]
	for i, m := range teH {
		if h[i] >= hs[5] {
			fmt.Printf("HAM  %8.3f %s\n", h[i], m.name)
		}
	}
	for i, m := range teS {
		if s[i] <= thr {
			fmt.Printf("SPAM %8.3f %s\n", s[i], m.name)
		}
	}
}
