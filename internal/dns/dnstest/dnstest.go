// Package dnstest runs a real DNS server (github.com/miekg/dns) on a free
// 127.0.0.1 UDP and TCP port serving test zones, for integration tests of
// SPF, DKIM, DMARC and ARC through sekisho's resolver. Names can be made
// to answer SERVFAIL or never answer (timeouts).
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// Server is a loopback DNS server.
type Server struct {
	Addr string // "127.0.0.1:port"

	mu       sync.Mutex
	rrs      map[string][]mdns.RR // key: lower fqdn
	servfail map[string]bool
	silent   map[string]bool
	queries  int

	udp, tcp *mdns.Server
}

// Start starts a server and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{rrs: map[string][]mdns.RR{}, servfail: map[string]bool{}, silent: map[string]bool{}}
	var lastErr error
	for attempt := 0; attempt < 20; attempt++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			lastErr = err
			continue
		}
		addr := pc.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		if err != nil {
			pc.Close()
			lastErr = err
			continue
		}
		s.Addr = addr
		h := mdns.HandlerFunc(s.serve)
		s.udp = &mdns.Server{PacketConn: pc, Handler: h}
		s.tcp = &mdns.Server{Listener: l, Handler: h}
		started := make(chan struct{}, 2)
		s.udp.NotifyStartedFunc = func() { started <- struct{}{} }
		s.tcp.NotifyStartedFunc = func() { started <- struct{}{} }
		go s.udp.ActivateAndServe()
		go s.tcp.ActivateAndServe()
		for i := 0; i < 2; i++ {
			select {
			case <-started:
			case <-time.After(5 * time.Second):
				t.Fatal("dnstest: server did not start")
			}
		}
		t.Cleanup(func() {
			s.udp.Shutdown()
			s.tcp.Shutdown()
		})
		return s
	}
	t.Fatalf("dnstest: no free port: %v", lastErr)
	return nil
}

// Add adds records in zone-file syntax, one per line
// ("example.com. 300 IN TXT \"v=spf1 -all\""). A TXT value longer than
// 255 bytes may be given in one quoted string: it is split.
func (s *Server) Add(t testing.TB, lines ...string) {
	t.Helper()
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		rr, err := mdns.NewRR(l)
		if err != nil {
			t.Fatalf("dnstest: %q: %v", l, err)
		}
		if txt, ok := rr.(*mdns.TXT); ok {
			var parts []string
			for _, p := range txt.Txt {
				for len(p) > 255 {
					parts = append(parts, p[:255])
					p = p[255:]
				}
				parts = append(parts, p)
			}
			txt.Txt = parts
		}
		k := strings.ToLower(rr.Header().Name)
		s.mu.Lock()
		s.rrs[k] = append(s.rrs[k], rr)
		s.mu.Unlock()
	}
}

// TXT adds a TXT record (the value split into 255-byte strings).
func (s *Server) TXT(t testing.TB, name, value string) {
	t.Helper()
	rr := &mdns.TXT{Hdr: mdns.RR_Header{Name: mdns.Fqdn(strings.ToLower(name)), Rrtype: mdns.TypeTXT, Class: mdns.ClassINET, Ttl: 300}}
	for len(value) > 255 {
		rr.Txt = append(rr.Txt, value[:255])
		value = value[255:]
	}
	rr.Txt = append(rr.Txt, value)
	s.mu.Lock()
	s.rrs[rr.Hdr.Name] = append(s.rrs[rr.Hdr.Name], rr)
	s.mu.Unlock()
}

// Remove deletes every record of a name.
func (s *Server) Remove(name string) {
	s.mu.Lock()
	delete(s.rrs, mdns.Fqdn(strings.ToLower(name)))
	s.mu.Unlock()
}

// ServFail makes a name answer SERVFAIL.
func (s *Server) ServFail(name string) {
	s.mu.Lock()
	s.servfail[mdns.Fqdn(strings.ToLower(name))] = true
	s.mu.Unlock()
}

// Silent makes a name never answer (the client times out).
func (s *Server) Silent(name string) {
	s.mu.Lock()
	s.silent[mdns.Fqdn(strings.ToLower(name))] = true
	s.mu.Unlock()
}

// Queries returns how many queries were answered.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

func (s *Server) serve(w mdns.ResponseWriter, r *mdns.Msg) {
	if len(r.Question) != 1 {
		m := new(mdns.Msg)
		m.SetRcode(r, mdns.RcodeFormatError)
		w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	s.queries++
	silent, servfail := s.silent[name], s.servfail[name]
	all := append([]mdns.RR(nil), s.rrs[name]...)
	exists := len(all) > 0
	if !exists {
		// A name with records below it exists (empty non-terminal).
		for k := range s.rrs {
			if strings.HasSuffix(k, "."+name) {
				exists = true
				break
			}
		}
	}
	s.mu.Unlock()
	if silent {
		return
	}
	m := new(mdns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	if servfail {
		m.SetRcode(r, mdns.RcodeServerFailure)
		w.WriteMsg(m)
		return
	}
	for _, rr := range all {
		if rr.Header().Rrtype == q.Qtype || rr.Header().Rrtype == mdns.TypeCNAME {
			m.Answer = append(m.Answer, rr)
		}
	}
	// Follow one CNAME level inside the zone.
	for _, rr := range m.Answer {
		if c, ok := rr.(*mdns.CNAME); ok && q.Qtype != mdns.TypeCNAME {
			s.mu.Lock()
			for _, x := range s.rrs[strings.ToLower(c.Target)] {
				if x.Header().Rrtype == q.Qtype {
					m.Answer = append(m.Answer, x)
				}
			}
			s.mu.Unlock()
		}
	}
	if !exists {
		m.SetRcode(r, mdns.RcodeNameError)
	}
	if len(m.Answer) == 0 {
		soa, _ := mdns.NewRR(fmt.Sprintf("%s 60 IN SOA ns.test. host.test. 1 60 60 60 60", zoneOf(name)))
		m.Ns = append(m.Ns, soa)
	}
	if w.LocalAddr().Network() == "udp" && m.Len() > 512 && (r.IsEdns0() == nil) {
		m.Truncated = true
		m.Answer = nil
	}
	w.WriteMsg(m)
}

func zoneOf(name string) string {
	labels := mdns.SplitDomainName(name)
	if len(labels) <= 2 {
		return name
	}
	return strings.Join(labels[len(labels)-2:], ".") + "."
}
