package listen

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// BoundBodies puts the request bodies of h under the bytes-in-flight bound
// b (issue 14: the console's form posts were outside it) and a per-request
// max: a body declared larger than max is refused with 413 before any of
// it is read, and one that does not fit in b with 503 (Retry-After); a
// body of unknown length is read in reserved steps and refused as soon as
// it passes max. The body is read here, within its reservation, and h gets
// it from memory; the bytes are released when h returns. Requests with no
// body pass untouched.
func BoundBodies(h http.Handler, max int64, b *Bytes) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			h.ServeHTTP(w, r)
			return
		}
		var res Reservation
		defer res.Release()
		body, err := ReadBody(r.Body, r.ContentLength, max, b, &res)
		switch {
		case errors.Is(err, ErrTooBig):
			refuse(w, http.StatusRequestEntityTooLarge, "request too big\n")
			return
		case errors.Is(err, ErrBusy):
			w.Header().Set("Retry-After", "5")
			refuse(w, http.StatusServiceUnavailable, "busy, try again later\n")
			return
		case err != nil:
			refuse(w, http.StatusBadRequest, "cannot read request\n")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		h.ServeHTTP(w, r)
	})
}

// refuse answers and closes the connection, so the server does not read
// the rest of a refused body.
func refuse(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, msg)
}

// Hosts are the names an HTTP front end answers to (issue 14: DNS
// rebinding). A page from another site whose name the attacker points at
// 127.0.0.1 talks to the console as the same origin, so Origin checks
// pass; its requests still carry the attacker's name in Host, which is
// what Allowed refuses.
//
// Allowed: an empty Host (HTTP/1.0), any IP literal (an address cannot
// be rebound), "localhost" and names under ".localhost" (RFC 6761 §6.3:
// resolved to loopback by the client itself), and the names given
// (case-insensitive, port and trailing dot ignored; "*.example.jp" allows
// the names under example.jp, "*" allows every name).
type Hosts struct {
	any      bool
	names    map[string]bool
	suffixes []string
}

// NewHosts returns the set of the names given; empty entries and IP
// literals (always allowed) are skipped, "host:port" entries are
// accepted for the host.
func NewHosts(names ...string) *Hosts {
	h := &Hosts{names: map[string]bool{}}
	for _, n := range names {
		n = normHost(n)
		switch {
		case n == "":
		case n == "*":
			h.any = true
		case strings.HasPrefix(n, "*."):
			h.suffixes = append(h.suffixes, n[1:])
		default:
			h.names[n] = true
		}
	}
	return h
}

// normHost lowercases host, drops a port, brackets and a trailing dot.
func normHost(host string) string {
	host = strings.TrimSpace(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// Allowed reports whether a request's Host header names this server.
func (h *Hosts) Allowed(host string) bool {
	if h == nil || h.any || host == "" {
		return true
	}
	n := normHost(host)
	if _, err := netip.ParseAddr(n); err == nil {
		return true
	}
	if n == "localhost" || strings.HasSuffix(n, ".localhost") || h.names[n] {
		return true
	}
	for _, s := range h.suffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// CheckHost refuses requests whose Host header is not in hosts with 421
// Misdirected Request, before anything else reads them.
func CheckHost(next http.Handler, hosts *Hosts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hosts.Allowed(r.Host) {
			refuse(w, http.StatusMisdirectedRequest, "unknown host name: add it to [web] allowed_hosts\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}
