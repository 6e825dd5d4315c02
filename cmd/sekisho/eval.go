package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/mailsrc"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/tune"
	"golang.org/x/term"
)

// EvalCmd measures accuracy on labelled mail.
type EvalCmd struct {
	Ham       []string `help:"Directories (or files) of ham to score." required:"" type:"path"`
	Spam      []string `help:"Directories (or files) of spam to score." required:"" type:"path"`
	TrainHam  []string `name:"train-ham" help:"Train the classifier on this ham first (a fresh temporary store unless --keep-state)." type:"path"`
	TrainSpam []string `name:"train-spam" help:"Train the classifier on this spam first." type:"path"`
	Online    bool     `help:"Train one message at a time, as learn, autolearn and user feedback do, instead of one batch fit (shows what a store trained only that way does)."`
	KeepState bool     `name:"keep-state" help:"Use the configured data directory instead of a fresh temporary one."`
	JSON      bool     `help:"Print one JSON object with the figures."`
	Jobs      int      `short:"j" help:"Concurrent scans (default: number of CPUs)."`
	ShowFP    bool     `name:"show-errors" help:"List false positives and false negatives with their symbols."`
	Scores    string   `help:"Write every message's label, score, action and symbols (name=score) to this file, one tab-separated line each, highest score first." type:"path"`
}

// EvalJSON is the --json object. Field names are a contract.
type EvalJSON struct {
	Ham            int                       `json:"ham"`
	Spam           int                       `json:"spam"`
	TP             int                       `json:"tp"`
	FP             int                       `json:"fp"`
	TN             int                       `json:"tn"`
	FN             int                       `json:"fn"`
	FPRate         float64                   `json:"fp_rate"`
	FNRate         float64                   `json:"fn_rate"`
	Precision      float64                   `json:"precision"`
	Recall         float64                   `json:"recall"`
	F1             float64                   `json:"f1"`
	AUC            float64                   `json:"auc"`
	RecallAtFP0    float64                   `json:"recall_at_fp0"`
	RecallAtFP001  float64                   `json:"recall_at_fp001"`
	MsgsPerSec     float64                   `json:"msgs_per_sec"`
	CPUMsPerMsg    float64                   `json:"cpu_ms_per_msg"`
	Errors         int                       `json:"errors"`
	Trained        int                       `json:"trained,omitempty"`
	TrainPerSec    float64                   `json:"train_msgs_per_sec,omitempty"`
	ActionCounts   map[string]map[string]int `json:"actions"`
	Categories     map[string]map[string]int `json:"categories"`
	TopHamSymbols  []SymbolCount             `json:"ham_symbols"`
	TopSpamSymbols []SymbolCount             `json:"spam_symbols"`
	FalsePositives []string                  `json:"false_positives,omitempty"`
	FalseNegatives []string                  `json:"false_negatives,omitempty"`
}

// SymbolCount is how often a symbol fired.
type SymbolCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type scored struct {
	name    string
	spam    bool
	score   float64
	flagged bool
	action  string
	cat     string
	symbols []string
	detail  []string // name=score
}

// Run implements the command.
func (c EvalCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	if (len(c.TrainHam) > 0) != (len(c.TrainSpam) > 0) {
		return fmt.Errorf("eval: give both --train-ham and --train-spam, or neither")
	}
	if !c.KeepState {
		dir, err := os.MkdirTemp("", "sekisho-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.General.DataDir = dir
		offlineState(cfg)
	}
	eng, err := g.Engine(cfg)
	if err != nil {
		return err
	}
	defer eng.Close()
	tty := term.IsTerminal(int(os.Stderr.Fd())) && !c.JSON
	jobs := c.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	res := EvalJSON{}
	if len(c.TrainHam) > 0 {
		n, rate, err := trainDirs(eng, c.TrainHam, c.TrainSpam, tty, c.Online)
		if err != nil {
			return err
		}
		res.Trained, res.TrainPerSec = n, rate
	}

	total := mailsrc.Count(c.Ham) + mailsrc.Count(c.Spam)
	var bar *progressbar.ProgressBar
	if tty {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("scanning"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish())
	}
	type job struct {
		it   mailsrc.Item
		spam bool
	}
	jobsCh := make(chan job, jobs*2)
	var mu sync.Mutex
	var all []scored
	errs := 0
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	start := time.Now()
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobsCh {
				r := eng.Scan(context.Background(), j.it.Raw, pipeline.Envelope{Frontend: pipeline.FrontendEval})
				s := scored{name: j.it.Name, spam: j.spam, score: r.Verdict.Score, flagged: r.Verdict.Action != pipeline.ActionAccept,
					action: string(r.Verdict.Action), cat: string(r.Verdict.Category)}
				for _, sy := range r.Verdict.Symbols {
					s.symbols = append(s.symbols, sy.Name)
					s.detail = append(s.detail, fmt.Sprintf("%s=%.2f", sy.Name, sy.Score))
				}
				mu.Lock()
				all = append(all, s)
				mu.Unlock()
				if bar != nil {
					_ = bar.Add(1)
				}
			}
		}()
	}
	feed := func(paths []string, spam bool) error {
		return mailsrc.Walk(paths, func(it mailsrc.Item) error {
			if it.Err != nil {
				mu.Lock()
				errs++
				mu.Unlock()
				fmt.Fprintf(os.Stderr, "sekisho: %s: %v\n", it.Name, it.Err)
				return nil
			}
			jobsCh <- job{it: it, spam: spam}
			return nil
		})
	}
	ferr := feed(c.Ham, false)
	if ferr == nil {
		ferr = feed(c.Spam, true)
	}
	close(jobsCh)
	wg.Wait()
	if ferr != nil {
		return ferr
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	if bar != nil {
		_ = bar.Finish()
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	computeMetrics(&res, all)
	res.Errors = errs
	if n := len(all); n > 0 {
		res.MsgsPerSec = round(float64(n)/elapsed.Seconds(), 1)
		res.CPUMsPerMsg = round(float64(cpu.Microseconds())/1000/float64(n), 3)
	}
	if c.Scores != "" {
		if err := writeScores(c.Scores, all); err != nil {
			return err
		}
	}
	if c.JSON {
		if !c.ShowFP {
			res.FalsePositives, res.FalseNegatives = nil, nil
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printEval(&res, c.ShowFP, all)
	return nil
}

// trainDirs trains the engine's learners on labelled directories,
// interleaving ham and spam so the store sees both from the start.
func trainDirs(eng *engine.Engine, ham, spam []string, tty, online bool) (int, float64, error) {
	type item struct {
		raw  []byte
		spam bool
	}
	var items []item
	var hamItems, spamItems []item
	_ = mailsrc.Walk(ham, func(it mailsrc.Item) error {
		if it.Err == nil {
			hamItems = append(hamItems, item{it.Raw, false})
		}
		return nil
	})
	_ = mailsrc.Walk(spam, func(it mailsrc.Item) error {
		if it.Err == nil {
			spamItems = append(spamItems, item{it.Raw, true})
		}
		return nil
	})
	for i, j := 0, 0; i < len(hamItems) || j < len(spamItems); {
		// Keep the ratio even while interleaving.
		if j >= len(spamItems) || i < len(hamItems) && float64(i)/float64(len(hamItems)+1) <= float64(j)/float64(len(spamItems)+1) {
			items = append(items, hamItems[i])
			i++
		} else {
			items = append(items, spamItems[j])
			j++
		}
	}
	if online {
		// Mail learned one at a time arrives mixed, not in directory order
		// (a fixed seed keeps runs comparable).
		rand.New(rand.NewSource(1)).Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	}
	var bar *progressbar.ProgressBar
	if tty {
		bar = progressbar.NewOptions(len(items), progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish())
	}
	start := time.Now()
	cl, err := classifier(eng)
	if err != nil {
		return 0, 0, err
	}
	if !online {
		cl.BeginBatch()
	}
	for _, it := range items {
		if err := eng.Learn(context.Background(), it.raw, it.spam); err != nil {
			return 0, 0, err
		}
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if !online {
		if _, err := cl.EndBatch(context.Background()); err != nil {
			return 0, 0, err
		}
	}
	return len(items), round(float64(len(items))/time.Since(start).Seconds(), 1), nil
}

// writeScores lists every scored message, highest score first, so an
// administrator can see where ham and spam meet before moving a threshold.
func writeScores(path string, all []scored) error {
	sorted := append([]scored(nil), all...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].score > sorted[j].score })
	var b strings.Builder
	b.WriteString("# label\tscore\taction\tmessage\tsymbols\n")
	for _, s := range sorted {
		label := "ham"
		if s.spam {
			label = "spam"
		}
		fmt.Fprintf(&b, "%s\t%.3f\t%s\t%s\t%s\n", label, s.score, s.action, s.name, strings.Join(s.detail, " "))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func computeMetrics(res *EvalJSON, all []scored) {
	res.ActionCounts = map[string]map[string]int{"ham": {}, "spam": {}}
	res.Categories = map[string]map[string]int{"ham": {}, "spam": {}}
	hamSym, spamSym := map[string]int{}, map[string]int{}
	var hamScores, spamScores []float64
	for _, s := range all {
		label := "ham"
		if s.spam {
			label = "spam"
			res.Spam++
			spamScores = append(spamScores, s.score)
			if s.flagged {
				res.TP++
			} else {
				res.FN++
				res.FalseNegatives = append(res.FalseNegatives, s.name)
			}
			for _, n := range s.symbols {
				spamSym[n]++
			}
		} else {
			res.Ham++
			hamScores = append(hamScores, s.score)
			if s.flagged {
				res.FP++
				res.FalsePositives = append(res.FalsePositives, s.name)
			} else {
				res.TN++
			}
			for _, n := range s.symbols {
				hamSym[n]++
			}
		}
		res.ActionCounts[label][s.action]++
		res.Categories[label][s.cat]++
	}
	res.FPRate = ratio(res.FP, res.Ham)
	res.FNRate = ratio(res.FN, res.Spam)
	res.Precision = ratio(res.TP, res.TP+res.FP)
	res.Recall = ratio(res.TP, res.Spam)
	if res.Precision+res.Recall > 0 {
		res.F1 = round(2*res.Precision*res.Recall/(res.Precision+res.Recall), 4)
	}
	res.AUC = round(tune.AUC(hamScores, spamScores), 5)
	r0, _ := tune.RecallAtFP(hamScores, spamScores, 0)
	res.RecallAtFP0 = round(r0, 4)
	r001, _ := tune.RecallAtFP(hamScores, spamScores, int(math.Floor(0.001*float64(len(hamScores)))))
	res.RecallAtFP001 = round(r001, 4)
	res.TopHamSymbols = topCounts(hamSym, 40)
	res.TopSpamSymbols = topCounts(spamSym, 40)
}

func topCounts(m map[string]int, n int) []SymbolCount {
	out := make([]SymbolCount, 0, len(m))
	for k, v := range m {
		out = append(out, SymbolCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round(float64(a)/float64(b), 5)
}

func round(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func printEval(r *EvalJSON, show bool, all []scored) {
	fmt.Printf("messages       ham %d, spam %d (unreadable %d)\n", r.Ham, r.Spam, r.Errors)
	if r.Trained > 0 {
		fmt.Printf("trained on     %d messages (%.1f msg/s)\n", r.Trained, r.TrainPerSec)
	}
	fmt.Printf("confusion      TP %d  FP %d  TN %d  FN %d   (flagged = action is not accept)\n", r.TP, r.FP, r.TN, r.FN)
	fmt.Printf("false pos.     %.3f %% of ham\n", r.FPRate*100)
	fmt.Printf("false neg.     %.3f %% of spam\n", r.FNRate*100)
	fmt.Printf("precision      %.4f\nrecall         %.4f\nF1             %.4f\n", r.Precision, r.Recall, r.F1)
	fmt.Printf("ROC AUC        %.5f\n", r.AUC)
	fmt.Printf("recall @ 0 FP  %.2f %%\nrecall @0.1%%FP %.2f %%\n", r.RecallAtFP0*100, r.RecallAtFP001*100)
	fmt.Printf("throughput     %.1f msg/s, %.3f ms CPU per message\n", r.MsgsPerSec, r.CPUMsPerMsg)
	fmt.Printf("actions        ham %v  spam %v\n", r.ActionCounts["ham"], r.ActionCounts["spam"])
	fmt.Printf("categories     ham %v  spam %v\n", r.Categories["ham"], r.Categories["spam"])
	fmt.Printf("symbols on ham (top):")
	for i, s := range r.TopHamSymbols {
		if i >= 15 {
			break
		}
		fmt.Printf(" %s=%d", s.Name, s.Count)
	}
	fmt.Println()
	if show {
		for _, s := range all {
			if s.flagged != s.spam {
				kind := "FP"
				if s.spam {
					kind = "FN"
				}
				fmt.Printf("%s %6.2f %s %v\n", kind, s.score, s.name, s.symbols)
			}
		}
	}
}
