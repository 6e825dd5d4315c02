package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReloadUnderLoad: scans over the Rspamd protocol never stop while
// the configuration is changed and reloaded 10 times; no request fails or
// is lost, each reload is applied, and the counters (/stat, what rspamc
// stat shows, and /metrics) agree with the number of requests.
func TestReloadUnderLoad(t *testing.T) {
	sek := startSekisho(t, freePort(t), "")
	base, err := os.ReadFile(sek.cfg)
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	var sent, failed atomic.Int64
	var failures sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				msg := spamMsg(fmt.Sprintf("reload-%d-%d", w, i))
				if i%2 == 0 {
					msg = hamMsg(fmt.Sprintf("reload-%d-%d", w, i))
				}
				code, body := httpPost(t, sek.p.rspamd, "/checkv2", msg)
				sent.Add(1)
				var r map[string]any
				if code != 200 || json.Unmarshal([]byte(body), &r) != nil || r["action"] == nil {
					failed.Add(1)
					failures.Store(fmt.Sprintf("%d-%d", w, i), fmt.Sprintf("%d %s", code, body))
				}
			}
		}(w)
	}
	reloaded := func() int { return strings.Count(sek.Log(), "reloaded: configuration") }
	for i := 1; i <= 10; i++ {
		// A real change each time: a weight moves.
		text := strings.Replace(string(base), "HDR_MISSING_DATE = 4.0", fmt.Sprintf("HDR_MISSING_DATE = %.2f", 4.0+float64(i)/100), 1)
		if err := os.WriteFile(sek.cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sekishoBin(t), "--config", sek.cfg, "reload").CombinedOutput()
		if err != nil {
			t.Fatalf("reload %d: %v\n%s", i, err, out)
		}
		for deadline := time.Now().Add(startTimeout); reloaded() < i; {
			if time.Now().After(deadline) {
				t.Fatalf("reload %d not applied:\n%s", i, sek.Log())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Some scans after the last reload, then stop.
	for n := sent.Load(); sent.Load() < n+int64(workers)*2; {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	total := sent.Load()
	if failed.Load() > 0 {
		failures.Range(func(k, v any) bool { t.Errorf("request %v: %v", k, v); return true })
		t.Fatalf("%d of %d requests failed during reloads", failed.Load(), total)
	}
	if strings.Contains(sek.Log(), "reload refused") {
		t.Fatalf("a reload was refused:\n%s", sek.Log())
	}
	// The last weight is in force.
	_, body := httpPost(t, sek.p.rspamd, "/checkv2", spamMsg("reload-final"))
	total++
	if !strings.Contains(body, `"HDR_MISSING_DATE"`) || !strings.Contains(body, "4.1") {
		t.Errorf("new weight not applied: %s", body)
	}
	t.Logf("%d scans over the Rspamd protocol during 10 reloads, none failed", total)

	// Counters: /stat (rspamc stat) and /metrics count every request once.
	_, st := httpGet(t, sek.p.console, "/stat")
	var stat struct {
		Scanned   int64            `json:"scanned"`
		Actions   map[string]int64 `json:"actions"`
		SpamCount int64            `json:"spam_count"`
		HamCount  int64            `json:"ham_count"`
	}
	if err := json.Unmarshal([]byte(st), &stat); err != nil {
		t.Fatal(err)
	}
	var sumActions int64
	for _, v := range stat.Actions {
		sumActions += v
	}
	if stat.Scanned != total || sumActions != total || stat.SpamCount+stat.HamCount != total {
		t.Errorf("/stat: scanned %d, actions sum %d, spam+ham %d; sent %d\n%s", stat.Scanned, sumActions, stat.SpamCount+stat.HamCount, total, st)
	}
	// What an administrator reads with rspamc stat (when installed).
	if _, err := exec.LookPath("rspamc"); err == nil {
		out, err := exec.Command("rspamc", "-h", fmt.Sprintf("127.0.0.1:%d", sek.p.console), "stat").CombinedOutput()
		if err != nil || !strings.Contains(string(out), fmt.Sprintf("Messages scanned: %d\n", total)) {
			t.Errorf("rspamc stat (%v), want %d scanned:\n%s", err, total, out)
		}
	}
	_, metrics := httpGet(t, sek.p.console, "/metrics")
	if m := sumMetric(metrics, "sekisho_scans_total"); m != total {
		t.Errorf("sekisho_scans_total = %d, sent %d", m, total)
	}
}

// sumMetric adds up every sample of a counter in Prometheus text output.
func sumMetric(text, name string) int64 {
	var sum float64
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, name+"{") && !strings.HasPrefix(l, name+" ") {
			continue
		}
		f := strings.Fields(l)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		sum += v
	}
	return int64(sum)
}
