package digest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Link actions.
const (
	ActRelease      = "release"       // release the message to the recipient
	ActReleaseAllow = "release-allow" // release and allow the sender for the recipient
	ActDelete       = "delete"        // delete the held message
	// ActSession signs the recipient in to the console, scoped to their
	// own held mail (no message: QID is empty). Usable until it expires.
	ActSession = "session"
)

// Errors.
var (
	ErrBadToken = errors.New("digest: invalid link")
	ErrExpired  = errors.New("digest: link expired")
	ErrUsed     = errors.New("digest: link already used")
	ErrRefused  = errors.New("digest: not allowed for this message")
	ErrGone     = errors.New("digest: the message is no longer held")
)

// Claims are what a link says: who may do what to which message until
// when. Nonce is shared by the links of one message in one digest, so
// only one of them works, once.
type Claims struct {
	Action  string
	QID     string
	Rcpt    string
	Expires time.Time
	Nonce   string
}

// maxToken bounds a token read from a URL.
const maxToken = 1024

// keyFile is the HMAC key's file in the data directory.
const keyFile = "digest.key"

// LoadKey reads the HMAC key from dir, creating it (32 random bytes, mode
// 0600) when missing.
func LoadKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, keyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(k) < 32 {
			return nil, fmt.Errorf("digest: key %s: want 64 hex digits", path)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("digest: key: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("digest: key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it first
		return LoadKey(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("digest: key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		return nil, fmt.Errorf("digest: key: %w", err)
	}
	return k, nil
}

func newNonce() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Sign makes a link token: base64url(payload) "." base64url(HMAC-SHA256).
func Sign(key []byte, c Claims) string {
	payload := strings.Join([]string{"1", c.Action, c.QID, c.Rcpt, strconv.FormatInt(c.Expires.Unix(), 10), c.Nonce}, "\n")
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks a token's signature and expiry.
func Verify(key []byte, tok string, now time.Time) (Claims, error) {
	if len(tok) > maxToken {
		return Claims{}, ErrBadToken
	}
	p, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return Claims{}, ErrBadToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return Claims{}, ErrBadToken
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return Claims{}, ErrBadToken
	}
	f := strings.Split(string(payload), "\n")
	if len(f) != 6 || f[0] != "1" {
		return Claims{}, ErrBadToken
	}
	exp, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil {
		return Claims{}, ErrBadToken
	}
	c := Claims{Action: f[1], QID: f[2], Rcpt: f[3], Expires: time.Unix(exp, 0), Nonce: f[5]}
	switch c.Action {
	case ActRelease, ActReleaseAllow, ActDelete:
		if c.QID == "" {
			return Claims{}, ErrBadToken
		}
	case ActSession:
		if c.QID != "" || c.Rcpt == "" {
			return Claims{}, ErrBadToken
		}
	default:
		return Claims{}, ErrBadToken
	}
	if !now.Before(c.Expires) {
		return c, ErrExpired
	}
	return c, nil
}
