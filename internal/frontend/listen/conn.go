package listen

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
)

// ConnServer accepts connections, at most Max at once (more wait in the
// backlog), runs Handle for each, and shuts down gracefully: it stops
// accepting, lets running handlers finish, and closes what is left when
// the shutdown deadline passes.
type ConnServer struct {
	Max    int
	Handle func(net.Conn)

	mu      sync.Mutex
	ln      net.Listener
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
	closing atomic.Bool
}

// Serve accepts on ln until Shutdown.
func (s *ConnServer) Serve(ln net.Listener) error {
	max := s.Max
	if max <= 0 {
		max = 200
	}
	sem := make(chan struct{}, max)
	s.mu.Lock()
	s.ln = ln
	s.conns = map[net.Conn]struct{}{}
	s.mu.Unlock()
	for {
		sem <- struct{}{}
		c, err := ln.Accept()
		if err != nil {
			<-sem
			if s.closing.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer func() {
				recover() // a handler bug must not stop the server
				c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				s.wg.Done()
				<-sem
			}()
			s.Handle(c)
		}()
	}
}

// Shutdown stops accepting and waits for handlers until ctx ends, then
// closes the remaining connections.
func (s *ConnServer) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// Abort closes c at once with a TCP reset (SO_LINGER 0), dropping what
// is still unsent. A front end uses it for a client it gives up on
// because that client does not read its replies: a plain close would
// queue the FIN behind replies the client never reads, and the socket,
// orphaned in FIN-WAIT-1, would sit there while the client keeps
// sending. Linux 6.18 drops the client's segments that pass the closed
// socket's window (TcpExtBeyondWindow) instead of answering them with a
// reset, so both ends then wait on zero-window probes and retransmission
// back-off for minutes.
func Abort(c net.Conn) error {
	if tc := tcpConn(c); tc != nil {
		tc.SetLinger(0)
	}
	return c.Close()
}

// tcpConn finds the TCP connection under the wrappers (TLS, limits).
func tcpConn(c net.Conn) *net.TCPConn {
	for range 8 {
		switch x := c.(type) {
		case *net.TCPConn:
			return x
		case interface{ NetConn() net.Conn }:
			c = x.NetConn()
		default:
			return nil
		}
	}
	return nil
}
