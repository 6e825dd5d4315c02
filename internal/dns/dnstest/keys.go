package dnstest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"time"

	"testing"

	"github.com/sekisho/sekisho/internal/dns"
)

// Resolver returns a sekisho resolver that asks only this server.
func (s *Server) Resolver(t testing.TB) *dns.Resolver {
	t.Helper()
	r, err := dns.New(dns.Config{Servers: []string{s.Addr}, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// DKIMKey makes a 2048-bit RSA key, serves its public half as the DKIM
// key record SELECTOR._domainkey.DOMAIN (DKIM and ARC share it) and
// returns the key with the record's p= value.
func (s *Server) DKIMKey(t testing.TB, selector, domain string) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p := base64.StdEncoding.EncodeToString(der)
	s.TXT(t, selector+"._domainkey."+domain, "v=DKIM1; k=rsa; p="+p)
	return key, p
}
