package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"

	"github.com/sekisho/sekisho/internal/config"
)

// certFiles is the console's certificate, read from files at start and
// again on reload; handshakes take whichever was loaded last
// (tls.Config.GetCertificate), so connections in flight are not touched.
type certFiles struct {
	cert, key string
	cur       atomic.Pointer[tls.Certificate]
}

// newCertFiles loads the configured pair, or returns nil when the console
// has no TLS configured.
func newCertFiles(cfg *config.Config) (*certFiles, error) {
	w := cfg.Web
	if w.TLSCert == "" {
		return nil, nil
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(cfg.General.DataDir, p)
	}
	c := &certFiles{cert: abs(w.TLSCert), key: abs(w.TLSKey)}
	return c, c.reload()
}

// reload reads the files again; on error the previous certificate stays.
func (c *certFiles) reload() error {
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("console tls: %s, %s: %w", c.cert, c.key, err)
	}
	c.cur.Store(&pair)
	return nil
}

func (c *certFiles) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if p := c.cur.Load(); p != nil {
		return p, nil
	}
	return nil, errors.New("console tls: no certificate loaded")
}

// tlsConfig is the server configuration of the console port.
func (c *certFiles) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.getCertificate, NextProtos: []string{"h2", "http/1.1"}}
}
