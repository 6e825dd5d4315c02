package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/sekisho/sekisho/internal/freeport"
)

// BenchCmd runs the Rspamd-protocol front end of a `sekisho serve` child
// against a corpus and reports the daemon's CPU per message (from
// /proc/PID/stat), messages per second and peak RSS (VmHWM). With --rspamd
// it starts Rspamd too (trained on the same messages, network modules
// off, its Bayes in a redis-server of its own) and alternates the two.
type BenchCmd struct {
	Ham       []string `help:"Directories of legitimate test mail." type:"path" required:""`
	Spam      []string `help:"Directories of spam test mail." type:"path" required:""`
	TrainHam  []string `name:"train-ham" help:"Directories of ham to train both classifiers on first." type:"path"`
	TrainSpam []string `name:"train-spam" help:"Directories of spam to train both classifiers on first." type:"path"`
	Clients   int      `help:"Concurrent clients." default:"2"`
	Rounds    int      `help:"Rounds (alternated when --rspamd)." default:"3"`
	Limit     int      `help:"Scan at most this many messages per round (0: all)."`
	Rspamd    bool     `help:"Also run Rspamd (rspamd and redis-server on PATH) and print the CPU ratio."`
	NoHistory bool     `name:"no-history" help:"Turn the scan history off in sekisho."`
	Keep      bool     `help:"Keep the work directory (configurations, logs)."`
	Binary    string   `help:"sekisho binary to train and run as the daemon (default: this one), to compare builds." type:"path"`
	Milter    bool     `help:"Also send the corpus through sekisho's milter front end each round (as Postfix would: one connection per message) and print the latency percentiles."`
}

// benchRound is one pass of one daemon over the corpus.
type benchRound struct {
	name    string
	msgs    int
	errs    int
	wall    time.Duration
	cpuMS   float64 // daemon CPU (all its processes), user + system
	storeMS float64 // CPU of the daemon's own store (Rspamd's Redis), user + system
	peakRSS int64   // bytes, VmHWM summed over the daemon's processes
}

func (r benchRound) cpuPerMsg() float64 { return r.cpuMS / float64(max(r.msgs, 1)) }

func (r benchRound) storePerMsg() float64 { return r.storeMS / float64(max(r.msgs, 1)) }

func (r benchRound) String() string {
	s := fmt.Sprintf("%-8s %5d msgs %4d errors %7.2fs %8.1f msgs/s %7.3f CPU ms/msg %6.1f MB peak RSS",
		r.name, r.msgs, r.errs, r.wall.Seconds(), float64(r.msgs)/r.wall.Seconds(), r.cpuPerMsg(), float64(r.peakRSS)/(1<<20))
	if r.storeMS > 0 {
		s += fmt.Sprintf("  (+ its Redis %.3f CPU ms/msg)", r.storePerMsg())
	}
	return s
}

// Run implements the command.
func (c BenchCmd) Run(g *Globals) error {
	if c.Clients < 1 || c.Rounds < 1 {
		return errors.New("bench: --clients and --rounds must be at least 1")
	}
	msgs, err := readCorpus(append(append([]string(nil), c.Ham...), c.Spam...))
	if err != nil {
		return err
	}
	if c.Limit > 0 && len(msgs) > c.Limit {
		// Evenly spaced, so that ham and spam keep their shares.
		sample := make([][]byte, c.Limit)
		for i := range sample {
			sample[i] = msgs[i*len(msgs)/c.Limit]
		}
		msgs = sample
	}
	var train [2][][]byte // ham, spam
	if train[0], err = readCorpus(c.TrainHam); err != nil {
		return err
	}
	if train[1], err = readCorpus(c.TrainSpam); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "sekisho-bench-")
	if err != nil {
		return err
	}
	if c.Keep {
		fmt.Println("work directory:", work)
	} else {
		defer os.RemoveAll(work)
	}
	// Interrupted, it still stops the daemons it started.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	// Both daemons ask a resolver on loopback that knows no name, so no
	// lookup leaves the machine and none waits for a timeout.
	dnsAddr, stopDNS, err := startNXDNS()
	if err != nil {
		return err
	}
	defer stopDNS()

	sek, err := c.startSekisho(ctx, g, work, dnsAddr, train)
	if err != nil {
		return err
	}
	defer sek.stop()
	daemons := []*benchDaemon{sek}
	if c.Rspamd {
		// A free port may be taken by another process before Rspamd
		// binds it: try again with others.
		var rs *benchDaemon
		for try := 0; ; try++ {
			rs, err = c.startRspamd(ctx, filepath.Join(work, "rspamd"+strconv.Itoa(try)), dnsAddr, train)
			if err == nil || try == 2 || ctx.Err() != nil {
				break
			}
			fmt.Fprintln(os.Stderr, err, "(trying again)")
		}
		if err != nil {
			return err
		}
		defer rs.stop()
		daemons = append(daemons, rs)
	}
	// Warm up (caches, Rspamd's Lua), then wait until neither daemon
	// works in the background (Rspamd's hs_helper compiling regexes).
	for _, d := range daemons {
		if _, err := d.round(ctx, msgs[:min(len(msgs), 100)], c.Clients); err != nil {
			return err
		}
		if d.milter != "" {
			if _, err := d.milterRound(ctx, d.milter, msgs[:min(len(msgs), 100)], c.Clients); err != nil {
				return err
			}
		}
		d.settle(ctx, 5*time.Minute)
	}
	fmt.Printf("corpus: %d messages, %d clients, %d rounds, GOMAXPROCS %d\n", len(msgs), c.Clients, c.Rounds, runtime.GOMAXPROCS(0))
	results := map[string][]benchRound{}
	var milterRounds []milterRound
	for i := 0; i < c.Rounds; i++ {
		// Alternate which daemon goes first, so neither always runs on
		// the busier part of a shared machine.
		order := daemons
		if i%2 == 1 && len(daemons) == 2 {
			order = []*benchDaemon{daemons[1], daemons[0]}
		}
		for _, d := range order {
			r, err := d.round(ctx, msgs, c.Clients)
			if err != nil {
				return err
			}
			results[d.name] = append(results[d.name], r)
			fmt.Printf("round %d  %s\n", i+1, r)
			if d.milter != "" {
				mr, err := d.milterRound(ctx, d.milter, msgs, c.Clients)
				if err != nil {
					return err
				}
				milterRounds = append(milterRounds, mr)
				fmt.Printf("round %d  %s\n", i+1, mr)
			}
		}
	}
	fmt.Println("median per daemon:")
	med := map[string]float64{}
	medStore := map[string]float64{}
	for _, d := range daemons {
		rs := results[d.name]
		sort.Slice(rs, func(i, j int) bool { return rs[i].cpuPerMsg() < rs[j].cpuPerMsg() })
		m := rs[len(rs)/2]
		med[d.name] = m.cpuPerMsg()
		medStore[d.name] = m.storePerMsg()
		fmt.Printf("         %s\n", m)
	}
	if len(milterRounds) > 0 {
		sort.Slice(milterRounds, func(i, j int) bool { return milterRounds[i].pct(0.99) < milterRounds[j].pct(0.99) })
		fmt.Printf("         %s\n", milterRounds[len(milterRounds)/2])
	}
	if c.Rspamd && med["rspamd"] > 0 {
		fmt.Printf("CPU per message, sekisho / rspamd: %.3f\n", med["sekisho"]/med["rspamd"])
		// Rspamd keeps its Bayes in Redis (its only backend); sekisho's
		// classifier works inside the daemon and is counted above.
		if st := medStore["rspamd"]; st > 0 {
			fmt.Printf("CPU per message, sekisho / (rspamd + its Redis): %.3f\n", med["sekisho"]/(med["rspamd"]+st))
		}
	}
	return nil
}

// readCorpus reads every regular file under the directories.
func readCorpus(dirs []string) ([][]byte, error) {
	var out [][]byte
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	return out, nil
}

// benchDaemon is a started daemon.
type benchDaemon struct {
	name   string
	url    string // base URL of the Rspamd-protocol scanner
	milter string // address of the milter front end (sekisho with --milter)
	pid    int    // main process; its children count too
	// store is a process the daemon alone uses as its storage (Rspamd's
	// redis-server for its Bayes), 0 when none: its CPU is shown apart,
	// not in the daemon's.
	store int
	stop  func()
}

// settle waits until the daemon uses under 20 ms of CPU in a second.
func (d *benchDaemon) settle(ctx context.Context, limit time.Duration) {
	deadline := time.Now().Add(limit)
	prev, _ := procTreeCPU(d.pid)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(time.Second)
		cur, err := procTreeCPU(d.pid)
		if err != nil || cur-prev < 20 {
			return
		}
		prev = cur
	}
}

// round scans msgs with clients concurrent /checkv2 requests.
func (d *benchDaemon) round(ctx context.Context, msgs [][]byte, clients int) (benchRound, error) {
	r := benchRound{name: d.name, msgs: len(msgs)}
	// One connection per message, as rspamc makes (Rspamd's worker does
	// not serve a second request on a connection).
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer hc.CloseIdleConnections()
	cpu0, err := procTreeCPU(d.pid)
	if err != nil {
		return r, err
	}
	store0 := d.storeCPU()
	start := time.Now()
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) || ctx.Err() != nil {
					return
				}
				if err := postMessage(ctx, hc, d.url+"/checkv2", msgs[i]); err != nil {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	r.wall = time.Since(start)
	cpu1, err := procTreeCPU(d.pid)
	if err != nil {
		return r, err
	}
	r.cpuMS = cpu1 - cpu0
	r.storeMS = d.storeCPU() - store0
	r.errs = int(errs.Load())
	r.peakRSS = procTreeHWM(d.pid)
	return r, nil
}

// storeCPU is the CPU ms its store process has used (0 without one).
func (d *benchDaemon) storeCPU() float64 {
	if d.store == 0 {
		return 0
	}
	ms, _ := procTreeCPU(d.store)
	return ms
}

func postMessage(ctx context.Context, hc *http.Client, url string, msg []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(msg))
	if err != nil {
		return err
	}
	// What rspamc sends for a local file.
	req.Header.Set("Ip", "192.0.2.10")
	req.Header.Set("Helo", "client.example")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAlreadyReported {
		return fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	return nil
}

// startSekisho trains a classifier in a fresh data directory and starts
// `sekisho serve` with only the Rspamd front end.
func (c BenchCmd) startSekisho(ctx context.Context, g *Globals, work, dnsAddr string, train [2][][]byte) (*benchDaemon, error) {
	dir := filepath.Join(work, "sekisho")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	milterPort := 0
	if c.Milter {
		if milterPort, err = freePort(); err != nil {
			return nil, err
		}
	}
	cfgPath := filepath.Join(dir, "sekisho.toml")
	cfg := fmt.Sprintf(`[general]
data_dir = %q
log_level = "error"

[auth]
dns_servers = [%q]
dns_timeout = "500ms"

[quarantine]
history = %t

[serve.milter]
enabled = %t
listen = "127.0.0.1:%d"
[serve.smtp]
enabled = false
[serve.spamd]
enabled = false
[serve.console]
enabled = false
[serve.rspamd]
enabled = true
listen = "127.0.0.1:%d"
`, dir, dnsAddr, !c.NoHistory, c.Milter, milterPort, port)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	self := c.Binary
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	if len(train[0])+len(train[1]) > 0 {
		args := []string{"--config", cfgPath, "train"}
		for _, d := range c.TrainHam {
			args = append(args, "--ham", d)
		}
		for _, d := range c.TrainSpam {
			args = append(args, "--spam", d)
		}
		cmd := exec.CommandContext(ctx, self, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("bench: sekisho train: %w\n%s", err, out)
		}
	}
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "--config", cfgPath, "serve")
	cmd.Stdout, cmd.Stderr = logf, logf
	ch, err := startChild(cmd)
	if err != nil {
		logf.Close()
		return nil, err
	}
	d := &benchDaemon{name: "sekisho", url: fmt.Sprintf("http://127.0.0.1:%d", port), pid: cmd.Process.Pid,
		stop: func() { ch.stop(); logf.Close() }}
	if err := waitPing(ctx, ch, d.url+"/ping", 60*time.Second); err != nil {
		d.stop()
		return nil, fmt.Errorf("bench: sekisho serve (log %s): %w", logf.Name(), err)
	}
	if c.Milter {
		d.milter = fmt.Sprintf("127.0.0.1:%d", milterPort)
	}
	return d, nil
}

// rspamdNetworkModules are the Rspamd modules that ask the network (DNS
// lists, hash storages, external scanners) or keep state outside the
// message: off, as sekisho's equivalents are by default.
var rspamdNetworkModules = []string{"rbl", "fuzzy_check", "dcc", "asn", "spamassassin", "url_reputation", "neural",
	"reputation", "ratelimit", "greylist", "mx_check", "metadata_exporter", "clickhouse", "elastic", "external_services",
	"antivirus", "replies", "emails", "surbl", "history_redis", "p0f", "maillist_redis"}

// startRspamd starts a redis-server for Rspamd's Bayes and Rspamd with
// the packaged configuration plus overrides in the work directory, then
// trains it through its controller.
func (c BenchCmd) startRspamd(ctx context.Context, dir, dnsAddr string, train [2][][]byte) (*benchDaemon, error) {
	for _, d := range []string{"local.d", "override.d", "db", "run", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	var ports [3]int // normal worker, controller, redis
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	redisCmd := exec.Command("redis-server", "--port", strconv.Itoa(ports[2]), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", filepath.Join(dir, "db"))
	redisCmd.Stdout, redisCmd.Stderr = io.Discard, io.Discard
	redisCh, err := startChild(redisCmd)
	if err != nil {
		return nil, fmt.Errorf("bench: redis-server for rspamd: %w", err)
	}
	files := map[string]string{
		"override.d/worker-normal.inc":     fmt.Sprintf("bind_socket = \"127.0.0.1:%d\";\ncount = %d;\n", ports[0], runtime.NumCPU()),
		"override.d/worker-controller.inc": fmt.Sprintf("bind_socket = \"127.0.0.1:%d\";\nsecure_ip = \"127.0.0.1\";\n", ports[1]),
		"override.d/worker-proxy.inc":      "enabled = false;\n",
		"override.d/worker-fuzzy.inc":      "enabled = false;\n",
		"override.d/options.inc":           fmt.Sprintf("dns {\n  nameserver = [\"%s\"];\n  timeout = 0.5s;\n  retransmits = 1;\n}\n", dnsAddr),
		"override.d/logging.inc":           "level = \"error\";\n",
		"local.d/redis.conf":               fmt.Sprintf("servers = \"127.0.0.1:%d\";\n", ports[2]),
		"local.d/classifier-bayes.conf":    fmt.Sprintf("backend = \"redis\";\nservers = \"127.0.0.1:%d\";\nautolearn = false;\n", ports[2]),
	}
	for _, m := range rspamdNetworkModules {
		files["override.d/"+m+".conf"] = "enabled = false;\n"
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	args := []string{"-f", "-c", "/etc/rspamd/rspamd.conf",
		"--var=LOCAL_CONFDIR=" + dir, "--var=DBDIR=" + filepath.Join(dir, "db"),
		"--var=RUNDIR=" + filepath.Join(dir, "run"), "--var=LOGDIR=" + filepath.Join(dir, "log")}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root", "-g", "root", "-i")
	}
	logf, err := os.Create(filepath.Join(dir, "log", "stdout.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("rspamd", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	ch, err := startChild(cmd)
	if err != nil {
		redisCh.stop()
		logf.Close()
		return nil, fmt.Errorf("bench: rspamd: %w", err)
	}
	d := &benchDaemon{name: "rspamd", url: fmt.Sprintf("http://127.0.0.1:%d", ports[0]), pid: cmd.Process.Pid,
		store: redisCmd.Process.Pid,
		stop:  func() { ch.stop(); redisCh.stop(); logf.Close() }}
	// Rspamd compiles its regular expressions (Hyperscan) at start: minutes
	// on a busy machine.
	if err := waitPing(ctx, ch, d.url+"/ping", 10*time.Minute); err != nil {
		d.stop()
		return nil, fmt.Errorf("bench: rspamd (logs in %s): %w", filepath.Join(dir, "log"), err)
	}
	// Train through the controller, as rspamc learn_spam/learn_ham does.
	ctl := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	failed := 0
	for i, set := range train {
		path := "/learnham"
		if i == 1 {
			path = "/learnspam"
		}
		for _, m := range set {
			if err := postMessage(ctx, hc, ctl+path, m); err != nil {
				failed++
			}
		}
	}
	if n := len(train[0]) + len(train[1]); n > 0 {
		fmt.Printf("rspamd: learned %d of %d training messages\n", n-failed, n)
	}
	return d, nil
}

// child is a started process and what tells when it ended.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startChild(cmd *exec.Cmd) (*child, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.done) }()
	return c, nil
}

// stop asks the child to stop, then kills it.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// waitPing waits until url answers 200, the child ends, or limit passes.
func waitPing(ctx context.Context, c *child, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-c.done:
			return errors.New("the daemon ended")
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer at %s after %s", url, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort is a port for a daemon the bench starts: below the kernel's
// ephemeral range (freeport), where no outgoing connection takes it
// between the check and the daemon's bind.
func freePort() (int, error) { return freeport.Get() }

// startNXDNS serves NXDOMAIN for every question on loopback (UDP and TCP).
func startNXDNS() (string, func(), error) {
	// The TCP port of the UDP port's number may be taken: try others.
	var pc net.PacketConn
	var l net.Listener
	var err error
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			return "", nil, err
		}
		if l, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		return "", nil, err
	}
	addr := pc.LocalAddr().String()
	h := mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		if len(r.Question) == 0 {
			m.SetRcodeFormatError(r)
		} else {
			m.SetRcode(r, mdns.RcodeNameError)
		}
		// Rspamd's resolver drops a reply without the OPT record its
		// question carried, then waits for its timeout.
		if r.IsEdns0() != nil {
			m.SetEdns0(4096, false)
		}
		m.Authoritative = true
		_ = w.WriteMsg(m)
	})
	// Every question gets an answer (the default filter drops some of
	// Rspamd's, which then wait for their timeout).
	accept := func(mdns.Header) mdns.MsgAcceptAction { return mdns.MsgAccept }
	us := &mdns.Server{PacketConn: pc, Handler: h, MsgAcceptFunc: accept}
	ts := &mdns.Server{Listener: l, Handler: h, MsgAcceptFunc: accept}
	go func() { _ = us.ActivateAndServe() }()
	go func() { _ = ts.ActivateAndServe() }()
	return addr, func() { _ = us.Shutdown(); _ = ts.Shutdown() }, nil
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

// procTree returns pid and its descendants.
func procTree(pid int) []int {
	parent := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := procStatFields(p)
		if err != nil || len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		parent[p] = pp
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		for p, pp := range parent {
			if pp == out[i] {
				out = append(out, p)
			}
		}
	}
	return out
}

// procStatFields returns the fields of /proc/PID/stat after the command
// name: [0] state, [1] ppid, ... [11] utime, [12] stime.
func procStatFields(pid int) ([]string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("bench: /proc/%d/stat: unexpected format", pid)
	}
	return strings.Fields(string(b[i+1:])), nil
}

// procTreeCPU is the user and system CPU, in milliseconds, of pid and its
// descendants (children that exited and were waited for count in the
// parent's cutime and cstime, which are included).
func procTreeCPU(pid int) (float64, error) {
	var ticks int64
	for _, p := range procTree(pid) {
		f, err := procStatFields(p)
		if err != nil {
			if p == pid {
				return 0, fmt.Errorf("bench: daemon %d: %w", pid, err)
			}
			continue
		}
		if len(f) < 15 {
			continue
		}
		for _, k := range []int{11, 12, 13, 14} {
			n, _ := strconv.ParseInt(f[k], 10, 64)
			ticks += n
		}
	}
	return float64(ticks) * 1000 / clockTicks, nil
}

// procTreeHWM is the sum of VmHWM (peak resident set) over pid and its
// descendants, in bytes.
func procTreeHWM(pid int) int64 {
	var total int64
	for _, p := range procTree(pid) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/status")
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				f := strings.Fields(v)
				if len(f) > 0 {
					n, _ := strconv.ParseInt(f[0], 10, 64)
					total += n << 10
				}
			}
		}
	}
	return total
}
