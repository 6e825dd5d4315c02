// Package freeport hands out loopback TCP ports for servers a process
// starts itself (the tests' peers, `sekisho bench`'s daemons).
//
// A port from bind(0) comes from the kernel's ephemeral range, which is
// also where every outgoing connection's local port comes from: closed
// again and handed to a server started a moment later, it can meanwhile
// be taken by another process's connect or bind ("address already in
// use"). Ports below that range, from 20000 up, are only taken by
// servers that ask for them by number.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

var (
	mu    sync.Mutex
	given = map[int]bool{}
)

// Get returns a loopback TCP port that was free a moment ago and that
// this process has not handed out before: a random port below the
// ephemeral range when the range leaves at least 1,000 ports from 20000,
// else one from bind(0).
func Get() (int, error) {
	lo, hi := quietRange()
	for i := 0; i < 2000; i++ {
		var port int
		if hi > lo && i < 1000 {
			port = lo + rand.IntN(hi-lo)
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				continue // in use by a service or another process
			}
			l.Close()
		} else {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return 0, fmt.Errorf("freeport: %w", err)
			}
			port = l.Addr().(*net.TCPAddr).Port
			l.Close()
		}
		mu.Lock()
		taken := given[port]
		given[port] = true
		mu.Unlock()
		if !taken {
			return port, nil
		}
	}
	return 0, fmt.Errorf("freeport: no free port found")
}

// quietRange returns [lo, hi): ports from 20000 up to the start of the
// ephemeral range, or an empty range when the range cannot be read or
// leaves fewer than 1,000 ports below it.
func quietRange() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0
	}
	start, err := strconv.Atoi(f[0])
	if err != nil || start-20000 < 1000 {
		return 0, 0
	}
	return 20000, start
}
