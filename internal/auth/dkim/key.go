package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
)

// Key is a parsed DKIM key record (RFC 6376 §3.6.1, RFC 8463).
type Key struct {
	Algo    string // "rsa" or "ed25519"
	Public  crypto.PublicKey
	Hashes  []string // h=, empty means any
	Testing bool     // t=y
	Strict  bool     // t=s: i= domain must equal d=
	Revoked bool     // p= empty
}

// Key record errors.
var (
	ErrKeySyntax      = errors.New("dkim: malformed key record")
	ErrKeyRevoked     = errors.New("dkim: key revoked")
	ErrKeyUnsupported = errors.New("dkim: unsupported key type")
	ErrKeyTooShort    = errors.New("dkim: RSA key shorter than 1024 bits")
)

// ParseKey parses a key record TXT value.
func ParseKey(s string) (*Key, error) {
	tags, err := ParseTags(s)
	if err != nil {
		return nil, ErrKeySyntax
	}
	if v, ok := tags.Get("v"); ok && StripWSP(v) != "DKIM1" {
		return nil, ErrKeySyntax
	}
	k := &Key{Algo: "rsa"}
	if v, ok := tags.Get("k"); ok {
		k.Algo = strings.ToLower(StripWSP(v))
	}
	if v, ok := tags.Get("h"); ok {
		k.Hashes = SplitList(strings.ToLower(v))
	}
	if v, ok := tags.Get("t"); ok {
		for _, f := range SplitList(v) {
			switch f {
			case "y":
				k.Testing = true
			case "s":
				k.Strict = true
			}
		}
	}
	if v, ok := tags.Get("s"); ok {
		okSvc := false
		for _, s := range SplitList(v) {
			if s == "*" || s == "email" {
				okSvc = true
			}
		}
		if !okSvc {
			return nil, ErrKeyUnsupported
		}
	}
	p, ok := tags.Get("p")
	if !ok {
		return nil, ErrKeySyntax
	}
	p = StripWSP(p)
	if p == "" {
		k.Revoked = true
		return k, ErrKeyRevoked
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, ErrKeySyntax
	}
	switch k.Algo {
	case "rsa":
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			// Some publish a bare PKCS#1 key.
			rk, err2 := x509.ParsePKCS1PublicKey(der)
			if err2 != nil {
				return nil, ErrKeySyntax
			}
			pub = rk
		}
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, ErrKeyUnsupported
		}
		if rk.N.BitLen() < 1024 {
			return nil, ErrKeyTooShort
		}
		k.Public = rk
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			return nil, ErrKeySyntax
		}
		k.Public = ed25519.PublicKey(der)
	default:
		return nil, ErrKeyUnsupported
	}
	return k, nil
}

// AllowsHash reports whether the key may be used with hash name ("sha256").
func (k *Key) AllowsHash(h string) bool {
	if len(k.Hashes) == 0 {
		return true
	}
	for _, x := range k.Hashes {
		if x == h {
			return true
		}
	}
	return false
}
