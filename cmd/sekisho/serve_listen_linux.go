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
//
// clientFirst: the protocol's client speaks first (HTTP, milter, spamd;
// not SMTP, whose server greets first). Such a listener defers accepting
// a connection until its first bytes have arrived (TCP_DEFER_ACCEPT, 1
// second): rspamc and Postfix send theirs at once, and the connection's
// first read then finds them, where it found nothing yet — a read that
// fails with EAGAIN, the goroutine parked and woken again through the
// poller, once per message. A client that sends nothing is accepted all
// the same after about a second (the kernel resends its SYN-ACK, and the
// client's answer completes the connection), and then handled as before
// (the front end's first-read time-out, its per-client bound).
// TestListenDeferAccept.
func listenTCP(addr string, clientFirst bool) (net.Listener, error) {
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
				if clientFirst {
					serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT, 1)
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
