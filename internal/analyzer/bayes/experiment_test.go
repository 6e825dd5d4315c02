package bayes

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/sekisho/sekisho/internal/analyzer/bayes/store"
	"github.com/sekisho/sekisho/internal/analyzer/bayes/tokenize"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/mailsrc"
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
				out[i] = expMsg{name: raws[i].Name, spam: spam, keys: tk.Hashes()}
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

func evalSplit(t testing.TB, train, test []expMsg, p Params) (ham, spam []float64) {
	dir := t.TempDir()
	st, _ := store.OpenFile(filepath.Join(dir, "b.db"))
	ctx := context.Background()
	for i, m := range train {
		var d store.Digest
		d[0], d[1], d[2] = byte(i), byte(i>>8), byte(i>>16)
		st.Learn(ctx, "", d, m.keys, m.spam)
	}
	tot, _ := st.Totals(ctx, "")
	for _, m := range test {
		counts := make([]store.Counts, len(m.keys))
		st.Lookup(ctx, "", m.keys, counts)
		d := combine(counts, tot, p)
		if m.spam {
			spam = append(spam, d.Margin)
		} else {
			ham = append(ham, d.Margin)
		}
	}
	return
}

func report(t testing.TB, label string, ham, spam []float64) {
	a := aucOf(append([]float64(nil), ham...), spam)
	fmt.Printf("%-40s auc=%.5f r@0=%.3f r@0.1%%=%.3f", label, a, recallAt(ham, spam, 0), recallAt(ham, spam, len(ham)/1000))
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

func TestExperiment(t *testing.T) {
	corp := os.Getenv("SEKISHO_BAYES_EXP")
	if corp == "" {
		t.Skip("set SEKISHO_BAYES_EXP=/tmp/corpus")
	}
	opt := tokenize.Options{}
	trH := loadTok(t, corp+"/train/ham", false, opt)
	trS := loadTok(t, corp+"/train/spam", true, opt)
	teH := loadTok(t, corp+"/test/ham", false, opt)
	teS := loadTok(t, corp+"/test/spam", true, opt)
	train := append(append([]expMsg{}, trH...), trS...)
	test := append(append([]expMsg{}, teH...), teS...)
	params := []Params{DefaultParams}
	for _, s := range []float64{0.1, 0.5, 1} {
		for _, md := range []float64{0.1, 0.25, 0.4} {
			for _, mx := range []int{50, 150, 500} {
				params = append(params, Params{Strength: s, Prior: 0.5, MinDev: md, MaxFeatures: mx})
			}
		}
	}
	if os.Getenv("EXP_QUICK") != "" {
		params = params[:1]
	}
	for _, p := range params {
		// 5-fold CV on train
		var ch, cs []float64
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
		report(t, fmt.Sprintf("cv s=%g md=%g max=%d", p.Strength, p.MinDev, p.MaxFeatures), ch, cs)
		if os.Getenv("EXP_TEST") != "" {
			h, s := evalSplit(t, train, test, p)
			report(t, "  test", h, s)
		}
	}
	_ = math.Abs
}

func lrSplit(train, test []expMsg, lr float64, epochs int, thick float64) (ham, spam []float64) {
	w := map[uint64]float64{}
	bias := 0.0
	for e := 0; e < epochs; e++ {
		for it := 0; it < len(train); it++ {
			m := train[it]
			z := bias
			for _, k := range m.keys {
				z += w[k]
			}
			z /= 1
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if m.spam {
				y = 1
			}
			g := (y - p) * lr / math.Sqrt(float64(len(m.keys))+1)
			for _, k := range m.keys {
				w[k] += g
			}
			bias += g
			if thick > 0 && (2*y-1)*z < thick && m.name != "again" {
				m.name = "again"
				rep := 0
				for rep < 8 {
					z = bias
					for _, k := range m.keys {
						z += w[k]
					}
					if (2*y-1)*z >= thick {
						break
					}
					p = 1 / (1 + math.Exp(-z))
					g = (y - p) * lr / math.Sqrt(float64(len(m.keys))+1)
					for _, k := range m.keys {
						w[k] += g
					}
					bias += g
					rep++
				}
			}
		}
	}
	for _, m := range test {
		z := bias
		for _, k := range m.keys {
			z += w[k]
		}
		if m.spam {
			spam = append(spam, z)
		} else {
			ham = append(ham, z)
		}
	}
	return
}

func TestExperimentLR(t *testing.T) {
	corp := os.Getenv("SEKISHO_BAYES_EXP")
	if corp == "" {
		t.Skip("set SEKISHO_BAYES_EXP=/tmp/corpus")
	}
	opt := tokenize.Options{}
	trH := loadTok(t, corp+"/train/ham", false, opt)
	trS := loadTok(t, corp+"/train/spam", true, opt)
	teH := loadTok(t, corp+"/test/ham", false, opt)
	teS := loadTok(t, corp+"/test/spam", true, opt)
	// interleave like eval
	var train []expMsg
	for i, j := 0, 0; i < len(trH) || j < len(trS); {
		if j >= len(trS) || i < len(trH) && float64(i)/float64(len(trH)+1) <= float64(j)/float64(len(trS)+1) {
			train = append(train, trH[i])
			i++
		} else {
			train = append(train, trS[j])
			j++
		}
	}
	test := append(append([]expMsg{}, teH...), teS...)
	hc, sc := evalSplit(t, train, test, DefaultParams)
	for _, lr := range []float64{1, 3} {
		for _, thick := range []float64{2, 4, 8} {
			h, s := lrSplit(train, test, lr, 1, thick)
			report(t, fmt.Sprintf("lr=%g thick=%g", lr, thick), h, s)
			var h2, s2 []float64
			for i := range h {
				h2 = append(h2, h[i]+hc[i]/10)
			}
			for i := range s {
				s2 = append(s2, s[i]+sc[i]/10)
			}
			report(t, "  +chi/10", h2, s2)
		}
	}
}
