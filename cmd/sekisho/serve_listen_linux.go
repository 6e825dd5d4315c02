package main

import (
	"context"
	"net"
	"syscall"
)

// listenTCP listens like net.Listen, with the TCP keep-alive Go sets on
// every accepted connection (SO_KEEPALIVE; idle 15 s, interval 15 s, 9
// probes: net's defaults) set once on the listening socket instead:
// Linux copies a listener's socket options to the connections it
// accepts, so each accepted connection (one per message with rspamc and
// Postfix) saves four setsockopt calls. TestListenKeepAlive checks that
// accepted connections end up with the same options as net.Listen's.
func listenTCP(addr string) (net.Listener, error) {
	lc := net.ListenConfig{
		KeepAlive: -1, // not per accepted connection: inherited
		Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				for _, o := range [...]struct{ level, opt, v int }{
					{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1},
					{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, 15},
					{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, 15},
					{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, 9},
				} {
					if serr = syscall.SetsockoptInt(int(fd), o.level, o.opt, o.v); serr != nil {
						return
					}
				}
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
	return lc.Listen(context.Background(), "tcp", addr)
}
