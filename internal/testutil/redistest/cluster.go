package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sekisho/sekisho/internal/testutil"
)

// Cluster is a Redis Cluster on loopback started for a test.
type Cluster struct {
	// Addrs are every node's host:port (masters and replicas): the seeds
	// to configure.
	Addrs []string

	mu    sync.Mutex
	procs map[string]*exec.Cmd
}

// StartCluster runs masters × (1 + replicas) redis-server processes in
// cluster mode on free loopback ports, joins them with
// `redis-cli --cluster create`, and waits until every node reports
// cluster_state:ok. Node timeout is 1 s, so a killed master's replica
// takes over within a few seconds. Without redis-server and redis-cli the
// test is skipped (fails with SEKISHO_REQUIRE_PEERS=1). The processes stop
// with the test.
func StartCluster(t testing.TB, masters, replicas int) *Cluster {
	t.Helper()
	bin := testutil.LookPeer(t, "redis-server")
	cli := testutil.LookPeer(t, "redis-cli")
	c := &Cluster{procs: map[string]*exec.Cmd{}}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, p := range c.procs {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
	})
	n := masters * (1 + replicas)
	for i := 0; i < n; i++ {
		var lastErr error
		ok := false
		for attempt := 0; attempt < 5 && !ok; attempt++ {
			port := testutil.FreePort(t)
			// The cluster bus gets its own free port (by default it is
			// port+10000, which may fall in the kernel's ephemeral range).
			bus := testutil.FreePort(t)
			dir := t.TempDir()
			cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
				"--dir", dir, "--daemonize", "no", "--protected-mode", "yes", "--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf", "--cluster-port", strconv.Itoa(bus), "--cluster-node-timeout", "1000",
				// Replicas sync at once (not after the default 5 s), and any
				// replica may take over: the test kills masters early.
				"--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			if err := waitPing(addr, 10*time.Second); err != nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				lastErr = err
				continue
			}
			c.mu.Lock()
			c.procs[addr] = cmd
			c.mu.Unlock()
			c.Addrs = append(c.Addrs, addr)
			ok = true
		}
		if !ok {
			t.Fatalf("redis-server (cluster node) did not start: %v", lastErr)
		}
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitOK(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	return c
}

// URL is a cluster URL for [redis] url with cluster = true.
func (c *Cluster) URL() string {
	u := "redis://" + c.Addrs[0]
	for i, a := range c.Addrs[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + a
	}
	return u
}

// WaitOK waits until every live node reports cluster_state:ok and a
// client can write to every master.
func (c *Cluster) WaitOK(d time.Duration) error {
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		if last = c.state(); last == "" {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("redis cluster not ready: %s", last)
}

func (c *Cluster) state() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, a := range c.live() {
		r := redis.NewClient(&redis.Options{Addr: a, MaxRetries: -1})
		info, err := r.ClusterInfo(ctx).Result()
		var repl string
		if err == nil {
			repl, err = r.Info(ctx, "replication").Result()
		}
		r.Close()
		if err != nil {
			return a + ": " + err.Error()
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return a + ": not ok"
		}
		if strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up") {
			return a + ": replica not in sync"
		}
	}
	return ""
}

func (c *Cluster) live() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, a := range c.Addrs {
		if _, ok := c.procs[a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// Masters returns the live masters' addresses as the cluster sees them.
func (c *Cluster) Masters(t testing.TB) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, a := range c.live() {
		r := redis.NewClient(&redis.Options{Addr: a})
		nodes, err := r.ClusterNodes(ctx).Result()
		r.Close()
		if err != nil {
			continue
		}
		var out []string
		for _, line := range strings.Split(nodes, "\n") {
			f := strings.Fields(line)
			if len(f) < 3 || !strings.Contains(f[2], "master") || strings.Contains(f[2], "fail") {
				continue
			}
			addr := f[1]
			if i := strings.IndexByte(addr, '@'); i >= 0 {
				addr = addr[:i]
			}
			out = append(out, addr)
		}
		return out
	}
	t.Fatal("no redis cluster node answers")
	return nil
}

// Kill stops one node at once (SIGKILL), as a crash would.
func (c *Cluster) Kill(t testing.TB, addr string) {
	t.Helper()
	c.mu.Lock()
	p := c.procs[addr]
	delete(c.procs, addr)
	c.mu.Unlock()
	if p == nil {
		t.Fatalf("no redis node %s", addr)
	}
	_ = p.Process.Kill()
	_ = p.Wait()
}

// CPU is the user and system CPU time the live nodes have used (Linux
// /proc; 0 elsewhere).
func (c *Cluster) CPU() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum time.Duration
	for _, p := range c.procs {
		sum += testutil.ProcessCPU(p.Process.Pid)
	}
	return sum
}
