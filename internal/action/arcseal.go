package action

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sekisho/sekisho/internal/auth/arc"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Sealer adds an ARC set ([serve.arc]) to delivered mail: the
// ARC-Authentication-Results carry sekisho's own Authentication-Results,
// the message signature covers the message as delivered (headers added,
// subject tagged, banner), and the seal's cv= tells what sekisho found of
// the chain that came in.
type Sealer struct {
	Domain, Selector, AuthServID string
	Key                          crypto.Signer
}

// NewSealer loads [serve.arc]; nil, nil when sealing is off.
func NewSealer(cfg *config.Config) (*Sealer, error) {
	a := cfg.Serve.ARC
	if a.Domain == "" || a.Selector == "" || a.KeyFile == "" {
		return nil, nil
	}
	path := a.KeyFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.General.DataDir, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("serve.arc: %w", err)
	}
	key, err := ParseSigningKey(b)
	if err != nil {
		return nil, fmt.Errorf("serve.arc: %s: %w", path, err)
	}
	return &Sealer{Domain: strings.ToLower(a.Domain), Selector: a.Selector, AuthServID: a.AuthServID, Key: key}, nil
}

// ParseSigningKey reads a PEM RSA private key (PKCS #1 or #8, at least
// 2048 bits). RFC 8617 defines ARC for rsa-sha256 only, so an Ed25519 key
// is refused: receivers would not verify its seals.
func ParseSigningKey(b []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	var k any
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	}
	if err != nil {
		return nil, err
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA key of %d bits: RFC 8301 wants at least 2048 for new signatures", k.N.BitLen())
		}
		return k, nil
	case ed25519.PrivateKey:
		return nil, errors.New("an Ed25519 key: ARC (RFC 8617) is defined for rsa-sha256 only")
	}
	return nil, fmt.Errorf("unsupported key type %T", k)
}

// Seal returns the three ARC fields for the message raw as the outcome
// delivers it, or nil when the incoming chain could not be judged (the
// authentication checks are off) and a seal would vouch for nothing.
func (s *Sealer) Seal(raw []byte, o *Outcome, hostname string) ([]pipeline.HeaderField, error) {
	final := o.Apply(raw)
	servID, results := s.AuthServID, ""
	for _, h := range o.Headers {
		if strings.EqualFold(h.Name, "Authentication-Results") {
			v := unfold(h.Value)
			id, rest, _ := strings.Cut(v, ";")
			if servID == "" {
				servID = strings.TrimSpace(id)
			}
			results = strings.TrimSpace(rest)
			break
		}
	}
	if servID == "" {
		servID = hostname
	}
	if results == "" {
		results = "none"
	}
	cv := arc.None
	hasChain := false
	if o.Result != nil && o.Result.Msg != nil {
		hasChain = o.Result.Msg.Headers.Has("ARC-Seal")
	} else {
		hdr, _ := SplitMessage(raw)
		for _, f := range ParseFields(hdr, 2000) {
			if strings.EqualFold(f.Name, "ARC-Seal") {
				hasChain = true
				break
			}
		}
	}
	if hasChain {
		cv = ""
		// The chain's verdict is the typed ARC result on the verdict (the
		// auth analyzer's "arc" method), not a symbol name.
		if o.Result != nil && o.Result.Verdict.Auth != nil {
			for _, m := range o.Result.Verdict.Auth.Methods {
				if m.Method == "arc" && (arc.Status(m.Result) == arc.Pass || arc.Status(m.Result) == arc.Fail) {
					cv = arc.Status(m.Result)
				}
			}
		}
		if cv == "" {
			return nil, nil
		}
	}
	set, err := arc.Seal(final, arc.SealOptions{Domain: s.Domain, Selector: s.Selector, Signer: s.Key,
		AuthServID: servID, Results: results, CV: cv})
	if err != nil {
		return nil, err
	}
	var out []pipeline.HeaderField
	for _, line := range strings.Split(strings.TrimSuffix(set, "\r\n"), "\r\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("arc: bad field %q", line)
		}
		out = append(out, pipeline.HeaderField{Name: name, Value: Fold(name, strings.TrimSpace(val))})
	}
	return out, nil
}

// unfold joins a folded header value.
func unfold(v string) string {
	v = strings.ReplaceAll(v, "\r\n", "")
	return strings.ReplaceAll(v, "\n", "")
}
