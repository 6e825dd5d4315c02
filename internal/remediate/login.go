package remediate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/emersion/go-imap/client"
	"github.com/emersion/go-sasl"
)

// login opens user's mailbox the way remediate.auth says: as the master
// user, with SASL XOAUTH2 and an application token, or with the
// mailbox's own app password.
func (r *Remediator) login(c *client.Client, user string) error {
	switch r.cfg.Auth {
	case "xoauth2":
		tok, err := firstLine(r.cfg.OAuth2TokenFile)
		if err != nil {
			return fmt.Errorf("oauth2 token: %w", err)
		}
		if ok, _ := c.SupportAuth(mechXOAUTH2); !ok {
			return errors.New("the server does not offer AUTH=XOAUTH2")
		}
		return c.Authenticate(NewXOAUTH2(user, tok))
	case "app_password":
		pw, err := appPassword(r.cfg.AppPasswordsFile, user)
		if err != nil {
			return err
		}
		return c.Login(user, pw)
	}
	login := strings.NewReplacer("{user}", user, "{master}", r.cfg.MasterUser).Replace(r.cfg.LoginFormat)
	return c.Login(login, r.password)
}

// maxSecretFile bounds a token or password file.
const maxSecretFile = 1 << 20

func firstLine(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s: larger than %d bytes", path, maxSecretFile)
	}
	l := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	if l == "" {
		return "", fmt.Errorf("%s: empty", path)
	}
	return l, nil
}

// appPassword finds user's line ("address password") in path.
func appPassword(path, user string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("app passwords: %w", err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("app passwords: %s larger than %d bytes", path, maxSecretFile)
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(l))
		if len(f) == 2 && strings.EqualFold(f[0], user) {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("app passwords: no line for %s", user)
}

const mechXOAUTH2 = "XOAUTH2"

// xoauth2 is the SASL XOAUTH2 client (Google's and Microsoft's IMAP
// OAuth 2.0 mechanism): one initial response
// "user=U^Aauth=Bearer T^A^A". On failure the server sends a JSON
// challenge, answered with an empty response to get the final NO.
type xoauth2 struct {
	user, token string
	failed      []byte
}

// NewXOAUTH2 returns the SASL client for user with bearer token.
func NewXOAUTH2(user, token string) sasl.Client { return &xoauth2{user: user, token: token} }

func (x *xoauth2) Start() (string, []byte, error) {
	return mechXOAUTH2, []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	// A challenge after the initial response is the error description.
	x.failed = challenge
	return []byte{}, nil
}

var _ sasl.Client = (*xoauth2)(nil)
