// Package spamd speaks SpamAssassin's spamd protocol (SPAMC/1.x requests,
// SPAMD/1.1 replies) so that spamc, Exim's `spam =` condition and
// amavis-style setups use sekisho unchanged. Methods: CHECK, SYMBOLS,
// REPORT, REPORT_IFSPAM, PROCESS, HEADERS, PING, TELL, SKIP. Request bodies
// may be zlib-compressed ("Compress: zlib"); the reply is then compressed
// too.
//
// "Spam: True ; score / threshold": the message is spam when sekisho's
// action is tag, quarantine or reject; the threshold is policy.tag_score.
// A verdict of tempfail (or no verdict in time, with fail_safe =
// "tempfail") answers EX_TEMPFAIL (75), which spamc turns into "deliver
// unchanged" unless run with -x.
package spamd

import (
	"github.com/sekisho/sekisho/internal/frontend/listen"

	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Exit codes spamd uses in error replies (sysexits.h).
const (
	ExOK          = 0
	ExUsage       = 64
	ExDataErr     = 65
	ExUnavailable = 69
	ExSoftware    = 70
	ExTempFail    = 75
	ExProtocol    = 76
	ExNoPerm      = 77
	ExTooBig      = 98
)

// Request is one parsed spamc request.
type Request struct {
	Method  string
	Version string
	Headers map[string]string // canonical lower-case names
	Body    []byte
}

// ProtoError carries an exit code for the error reply.
type ProtoError struct {
	Code int
	Msg  string
}

func (e *ProtoError) Error() string { return fmt.Sprintf("spamd: %d %s", e.Code, e.Msg) }

var methods = map[string]bool{"CHECK": true, "SYMBOLS": true, "REPORT": true, "REPORT_IFSPAM": true,
	"PROCESS": true, "HEADERS": true, "PING": true, "TELL": true, "SKIP": true}

const maxLine = 8192

func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		frag, isPrefix, err := r.ReadLine()
		if err != nil {
			return "", err
		}
		if b == nil && !isPrefix {
			// The whole line in the reader's buffer (the usual case):
			// one copy, not two.
			if len(frag) > maxLine {
				return "", &ProtoError{ExProtocol, "line too long"}
			}
			return string(frag), nil
		}
		b = append(b, frag...)
		if len(b) > maxLine {
			return "", &ProtoError{ExProtocol, "line too long"}
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// ReadRequest parses one request: the request line, the headers, and a
// body of Content-length bytes (at most limit, decompressed at most limit).
func ReadRequest(r *bufio.Reader, limit int64) (*Request, error) {
	return ReadRequestReserved(r, limit, nil)
}

// ReadRequestReserved is ReadRequest with the body's bytes reserved in
// [serve] max_bytes_in_flight (res, released by the caller) before it is
// read: EX_TEMPFAIL when full.
func ReadRequestReserved(r *bufio.Reader, limit int64, res *listen.Reservation) (*Request, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	method, ver, ok := strings.Cut(strings.TrimSpace(line), " ")
	if !ok || !strings.HasPrefix(ver, "SPAMC/") {
		if methods[strings.ToUpper(strings.TrimSpace(line))] {
			return nil, &ProtoError{ExProtocol, "missing protocol version"}
		}
		return nil, &ProtoError{ExProtocol, "bad request line"}
	}
	method = strings.ToUpper(method)
	if !methods[method] {
		return nil, &ProtoError{ExProtocol, "unknown method " + clip(method)}
	}
	req := &Request{Method: method, Version: strings.TrimPrefix(ver, "SPAMC/"), Headers: map[string]string{}}
	for n := 0; ; n++ {
		if n > 100 {
			return nil, &ProtoError{ExProtocol, "too many headers"}
		}
		l, err := readLine(r)
		if err != nil {
			if errors.Is(err, io.EOF) && method == "PING" {
				return req, nil
			}
			return nil, err
		}
		if l == "" {
			break
		}
		name, val, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, &ProtoError{ExProtocol, "bad header line"}
		}
		req.Headers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(val)
	}
	if method == "PING" || method == "SKIP" {
		return req, nil
	}
	cl, ok := req.Headers["content-length"]
	if !ok {
		return nil, &ProtoError{ExProtocol, "Content-length required"}
	}
	n, err := strconv.ParseInt(cl, 10, 64)
	if err != nil || n < 0 {
		return nil, &ProtoError{ExProtocol, "bad Content-length"}
	}
	if n > limit {
		return nil, &ProtoError{ExTooBig, fmt.Sprintf("message too big (limit %d bytes)", limit)}
	}
	if res != nil && !res.Reserve(listen.InFlight, n) {
		return nil, &ProtoError{ExTempFail, "busy, try again later"}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, &ProtoError{ExProtocol, "short body"}
	}
	if c := req.Headers["compress"]; c != "" {
		if !strings.EqualFold(c, "zlib") {
			return nil, &ProtoError{ExProtocol, "unsupported compression"}
		}
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, &ProtoError{ExDataErr, "bad zlib data"}
		}
		body, err = io.ReadAll(io.LimitReader(zr, limit+1))
		zr.Close()
		if err != nil {
			return nil, &ProtoError{ExDataErr, "bad zlib data"}
		}
		if int64(len(body)) > limit {
			return nil, &ProtoError{ExTooBig, fmt.Sprintf("message too big (limit %d bytes)", limit)}
		}
	}
	req.Body = body
	return req, nil
}

func clip(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// ErrorReply formats an error reply line.
func ErrorReply(code int, msg string) string {
	return fmt.Sprintf("SPAMD/1.0 %d %s\r\n", code, clip2(msg))
}

func clip2(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// Reply writes a success reply: extra headers, then body (compressed when
// compress is set). Content-length is sent when withBody.
func Reply(w io.Writer, headers []string, body []byte, withBody, compress bool) error {
	_, err := w.Write(appendReply(nil, headers, body, withBody, compress))
	return err
}

// appendReply appends the reply Reply writes to b (built in one buffer
// of its final size, not copied from a bytes.Buffer).
func appendReply(b []byte, headers []string, body []byte, withBody, compress bool) []byte {
	if withBody && compress {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(body)
		zw.Close()
		body = z.Bytes()
	}
	n := len("SPAMD/1.1 0 EX_OK\r\nCompress: zlib\r\nContent-length: 18446744073709551615\r\n\r\n") + len(body)
	for _, h := range headers {
		n += len(h) + 2
	}
	b = slices.Grow(b, n)
	b = append(b, "SPAMD/1.1 0 EX_OK\r\n"...)
	if withBody && compress {
		b = append(b, "Compress: zlib\r\n"...)
	}
	if withBody {
		b = append(b, "Content-length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	for _, h := range headers {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	if withBody {
		b = append(b, body...)
	}
	return b
}
