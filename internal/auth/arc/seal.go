package arc

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/auth/dkim"
)

// SealOptions describe one ARC set to add.
type SealOptions struct {
	Domain     string
	Selector   string
	Signer     crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey
	AuthServID string
	// Results is the authentication results text of this hop
	// ("spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com").
	Results string
	// Headers signed by the AMS. Default From, To, Subject, Date, Message-ID, DKIM-Signature.
	Headers []string
	// CV is the chain validation of the existing chain (None for the first set).
	CV  Status
	Now time.Time
}

// ErrSeal is returned when a set cannot be made.
var ErrSeal = errors.New("arc: cannot seal")

// Seal returns the three header fields (ARC-Seal, ARC-Message-Signature,
// ARC-Authentication-Results, each ending in CRLF) to prepend to raw.
func Seal(raw []byte, o SealOptions) (string, error) {
	raw = dkim.NormalizeCRLF(raw)
	fields, body := dkim.SplitMessage(raw, 2000)
	sets, err := CollectSets(fields)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrSeal, err)
	}
	inst := len(sets) + 1
	if inst > MaxSets {
		return "", fmt.Errorf("%w: chain full", ErrSeal)
	}
	if o.CV == "" {
		o.CV = None
		if inst > 1 {
			o.CV = Pass
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	algo := "rsa-sha256"
	if _, ok := o.Signer.(ed25519.PrivateKey); ok {
		algo = "ed25519-sha256"
	}
	hdrs := o.Headers
	if len(hdrs) == 0 {
		hdrs = []string{"From", "To", "Subject", "Date", "Message-ID", "DKIM-Signature"}
	}
	aar := dkim.Field{Name: "ARC-Authentication-Results",
		Raw: fmt.Sprintf("ARC-Authentication-Results: i=%d; %s; %s\r\n", inst, o.AuthServID, o.Results)}

	bhw := dkim.NewBodyHasher(dkim.Relaxed, sha256.New(), -1)
	bhw.Write(body)
	bh := base64.StdEncoding.EncodeToString(bhw.Sum())
	ts := strconv.FormatInt(o.Now.Unix(), 10)
	amsVal := fmt.Sprintf(" i=%d; a=%s; c=relaxed/relaxed; d=%s; s=%s; t=%s; h=%s; bh=%s; b=",
		inst, algo, o.Domain, o.Selector, ts, strings.Join(hdrs, ":"), bh)
	h := sha256.New()
	for _, f := range dkim.SelectHeaders(fields, hdrs) {
		h.Write([]byte(dkim.CanonHeader(dkim.Relaxed, f)))
	}
	h.Write([]byte(strings.TrimSuffix(dkim.CanonHeader(dkim.Relaxed, dkim.Field{Name: "ARC-Message-Signature", Raw: "ARC-Message-Signature:" + amsVal}), "\r\n")))
	sig, err := sign(o.Signer, h.Sum(nil))
	if err != nil {
		return "", err
	}
	ams := dkim.Field{Name: "ARC-Message-Signature", Raw: "ARC-Message-Signature:" + amsVal + sig + "\r\n"}

	asVal := fmt.Sprintf(" i=%d; a=%s; cv=%s; d=%s; s=%s; t=%s; b=", inst, algo, o.CV, o.Domain, o.Selector, ts)
	cur := Set{Instance: inst, AAR: aar, AMS: ams, AS: dkim.Field{Name: "ARC-Seal", Raw: "ARC-Seal:" + asVal}}
	all := append(append([]Set(nil), sets...), cur)
	h = sha256.New()
	h.Write([]byte(sealInput(all)))
	sig, err = sign(o.Signer, h.Sum(nil))
	if err != nil {
		return "", err
	}
	as := "ARC-Seal:" + asVal + sig + "\r\n"
	return as + ams.Raw + aar.Raw, nil
}

func sign(s crypto.Signer, hashed []byte) (string, error) {
	var sig []byte
	var err error
	switch k := s.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, hashed)
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, hashed)
	default:
		return "", fmt.Errorf("%w: unsupported key", ErrSeal)
	}
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}
