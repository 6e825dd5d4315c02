// Package clamd is a small client for ClamAV's daemon: PING, VERSION and
// INSTREAM (clamd(8): "zINSTREAM\0", then chunks each prefixed by a 4-byte
// big-endian length, a zero-length chunk to end; reply "stream: OK",
// "stream: <name> FOUND" or "... ERROR"), over a unix socket or TCP.
package clamd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Errors.
var (
	ErrUnavailable = errors.New("clamd: unavailable")
	ErrSizeLimit   = errors.New("clamd: size limit exceeded")
	ErrProtocol    = errors.New("clamd: protocol error")
	ErrScan        = errors.New("clamd: scan error")
)

// Client talks to one clamd.
type Client struct {
	Network, Address string
	Timeout          time.Duration
	ChunkSize        int
	MaxSize          int64
}

// New parses an address: "unix:/path", "/path", "tcp:host:port" or "host:port".
func New(addr string, timeout time.Duration, chunk int, maxSize int64) *Client {
	c := &Client{Timeout: timeout, ChunkSize: chunk, MaxSize: maxSize}
	switch {
	case strings.HasPrefix(addr, "unix:"):
		c.Network, c.Address = "unix", strings.TrimPrefix(addr, "unix:")
	case strings.HasPrefix(addr, "/"):
		c.Network, c.Address = "unix", addr
	default:
		c.Network, c.Address = "tcp", strings.TrimPrefix(addr, "tcp:")
	}
	if c.ChunkSize <= 0 {
		c.ChunkSize = 64 << 10
	}
	if c.Timeout <= 0 {
		c.Timeout = 20 * time.Second
	}
	return c
}

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: c.Timeout}
	conn, err := d.DialContext(ctx, c.Network, c.Address)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	dl := time.Now().Add(c.Timeout)
	if t, ok := ctx.Deadline(); ok && t.Before(dl) {
		dl = t
	}
	conn.SetDeadline(dl)
	return conn, nil
}

// command sends a z-command and reads the NUL-terminated reply.
func (c *Client) command(ctx context.Context, cmd string) (string, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("z" + cmd + "\x00")); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return readReply(conn)
}

func readReply(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil && len(b) == 0 {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return strings.TrimSpace(strings.TrimRight(string(b), "\x00")), nil
}

// Ping checks clamd answers PONG.
func (c *Client) Ping(ctx context.Context) error {
	r, err := c.command(ctx, "PING")
	if err != nil {
		return err
	}
	if r != "PONG" {
		return fmt.Errorf("%w: PING answered %q", ErrProtocol, r)
	}
	return nil
}

// Version returns clamd's version line ("ClamAV 1.4.3/...").
func (c *Client) Version(ctx context.Context) (string, error) {
	return c.command(ctx, "VERSION")
}

// Result of one scan.
type Result struct {
	Infected bool
	Virus    string // signature name when infected
	Raw      string
}

// Scan sends data with INSTREAM. Data longer than MaxSize is cut (clamd
// would refuse it) and the result says so through Truncated in Raw.
func (c *Client) Scan(ctx context.Context, data []byte) (Result, error) {
	if c.MaxSize > 0 && int64(len(data)) > c.MaxSize {
		data = data[:c.MaxSize]
	}
	conn, err := c.dial(ctx)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var hdr [4]byte
	for p := 0; p < len(data); p += c.ChunkSize {
		chunk := data[p:min(p+c.ChunkSize, len(data))]
		binary.BigEndian.PutUint32(hdr[:], uint32(len(chunk)))
		if _, err := conn.Write(append(hdr[:], chunk...)); err != nil {
			// clamd closes the stream early when its limit is hit; read why.
			if r, rerr := readReply(conn); rerr == nil && r != "" {
				return parse(r)
			}
			return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	r, err := readReply(conn)
	if err != nil {
		return Result{}, err
	}
	return parse(r)
}

func parse(r string) (Result, error) {
	res := Result{Raw: r}
	line := r
	if i := strings.Index(line, ": "); i >= 0 {
		line = line[i+2:]
	}
	switch {
	case line == "OK":
		return res, nil
	case strings.HasPrefix(line, "Heuristics.Limits.Exceeded"):
		// clamd with AlertExceedsMax: it stopped at one of its own
		// limits (MaxScanSize, MaxFileSize, MaxRecursion...). Not a
		// virus: a part it did not scan.
		return res, fmt.Errorf("%w: %s", ErrSizeLimit, r)
	case strings.HasSuffix(line, " FOUND"):
		res.Infected = true
		res.Virus = strings.TrimSuffix(line, " FOUND")
		return res, nil
	case strings.Contains(line, "size limit exceeded"):
		return res, fmt.Errorf("%w: %s", ErrSizeLimit, r)
	case strings.HasSuffix(line, " ERROR"):
		return res, fmt.Errorf("%w: %s", ErrScan, r)
	case r == "":
		return res, fmt.Errorf("%w: empty reply", ErrUnavailable)
	}
	return res, fmt.Errorf("%w: %q", ErrProtocol, r)
}

// Reply is exposed for tests of reply parsing.
func Reply(r string) (Result, error) { return parse(r) }

var _ = bytes.MinRead
