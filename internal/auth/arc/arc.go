// Package arc verifies (and, for tests and future sealing, creates)
// Authenticated Received Chain sets (RFC 8617): ARC-Authentication-Results,
// ARC-Message-Signature and ARC-Seal, one set per instance i=1..N.
//
// Verification follows RFC 8617 §5.2: the sets must be complete and
// numbered 1..N (§4.2.1, at most 50), the newest seal must not already say
// cv=fail, instance 1 must carry cv=none and later ones cv=pass (§5.1.2),
// the newest AMS must verify (it is a DKIM-like signature over the message,
// §4.1.2) and every AS must verify over the sets up to its own (§5.1.1).
// The oldest instance whose AMS still verifies is reported as oldest-pass
// (§5.2 step 6). A key that cannot be fetched for a temporary DNS reason
// gives TempError, never Fail.
package arc

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/dns"
)

// Status is a chain validation result (RFC 8617 §4.4).
type Status string

// Statuses.
const (
	None      Status = "none"
	Pass      Status = "pass"
	Fail      Status = "fail"
	TempError Status = "temperror"
)

// MaxSets is the most ARC sets a chain may have (§4.2.1).
const MaxSets = 50

// Set is one ARC set.
type Set struct {
	Instance int
	AAR      dkim.Field
	AMS      dkim.Field
	AS       dkim.Field
	AMSTags  dkim.Tags
	ASTags   dkim.Tags
	// AuthResults is the ARC-Authentication-Results value after "i=N;".
	AuthResults string
}

// Seal domain (d= of the AS).
func (s Set) Domain() string { return strings.ToLower(s.ASTags.Value("d")) }

// CV returns the seal's cv= value.
func (s Set) CV() Status { return Status(strings.ToLower(s.ASTags.Value("cv"))) }

// Result is the outcome of chain validation.
type Result struct {
	Status         Status
	Sets           []Set
	FailedInstance int // the instance that broke the chain (0 when none)
	OldestPass     int // oldest instance whose AMS verifies (0 when unknown)
	Reason         string
}

// Domains returns the sealing domains, oldest first.
func (r Result) Domains() []string {
	out := make([]string, 0, len(r.Sets))
	for _, s := range r.Sets {
		out = append(out, s.Domain())
	}
	return out
}

// Errors describing broken chains (wrapped in Result.Reason).
var (
	ErrStructure = errors.New("arc: malformed or incomplete ARC sets")
	ErrSignature = errors.New("arc: signature did not verify")
)

// Lookuper is the resolver method ARC needs.
type Lookuper interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// ParseInstance reads the i= tag of an ARC header value.
func ParseInstance(v string) (int, bool) {
	// The AAR value is "i=N; authserv-id; results": read the first tag only.
	first, _, _ := strings.Cut(v, ";")
	name, val, ok := strings.Cut(first, "=")
	if !ok || dkim.StripWSP(name) != "i" {
		// AMS/AS may put i= anywhere.
		tags, err := dkim.ParseTags(v)
		if err != nil {
			return 0, false
		}
		val, ok = tags.Get("i")
		if !ok {
			return 0, false
		}
	}
	n, err := strconv.Atoi(dkim.StripWSP(val))
	if err != nil || n < 1 || n > MaxSets {
		return 0, false
	}
	return n, true
}

// CollectSets groups the ARC headers of a message into sets, ordered by
// instance. An error means the chain is structurally broken (§5.2 step 2).
func CollectSets(fields []dkim.Field) ([]Set, error) {
	byInst := map[int]*Set{}
	max := 0
	seen := 0
	for _, f := range fields {
		var kind int
		switch strings.ToLower(f.Name) {
		case "arc-authentication-results":
			kind = 1
		case "arc-message-signature":
			kind = 2
		case "arc-seal":
			kind = 3
		default:
			continue
		}
		seen++
		if seen > 3*MaxSets {
			return nil, fmt.Errorf("%w: too many ARC header fields", ErrStructure)
		}
		i, ok := ParseInstance(f.Value())
		if !ok {
			return nil, fmt.Errorf("%w: %s without a valid i=", ErrStructure, f.Name)
		}
		s := byInst[i]
		if s == nil {
			s = &Set{Instance: i}
			byInst[i] = s
		}
		dup := false
		switch kind {
		case 1:
			dup = s.AAR.Raw != ""
			s.AAR = f
			_, rest, _ := strings.Cut(f.Value(), ";")
			s.AuthResults = strings.TrimSpace(rest)
		case 2:
			dup = s.AMS.Raw != ""
			s.AMS = f
		case 3:
			dup = s.AS.Raw != ""
			s.AS = f
		}
		if dup {
			return nil, fmt.Errorf("%w: two %s with i=%d", ErrStructure, f.Name, i)
		}
		if i > max {
			max = i
		}
	}
	if seen == 0 {
		return nil, nil
	}
	out := make([]Set, 0, max)
	for i := 1; i <= max; i++ {
		s := byInst[i]
		if s == nil || s.AAR.Raw == "" || s.AMS.Raw == "" || s.AS.Raw == "" {
			return nil, fmt.Errorf("%w: set i=%d missing or incomplete", ErrStructure, i)
		}
		var err error
		if s.AMSTags, err = dkim.ParseTags(s.AMS.Value()); err != nil {
			return nil, fmt.Errorf("%w: ARC-Message-Signature i=%d: %v", ErrStructure, i, err)
		}
		if s.ASTags, err = dkim.ParseTags(s.AS.Value()); err != nil {
			return nil, fmt.Errorf("%w: ARC-Seal i=%d: %v", ErrStructure, i, err)
		}
		out = append(out, *s)
	}
	return out, nil
}

// Verify validates the ARC chain of raw.
func Verify(ctx context.Context, r Lookuper, raw []byte) Result {
	fields, body := dkim.SplitMessage(raw, 2000)
	return VerifyFields(ctx, r, fields, body)
}

// VerifyFields is Verify over a message already split as
// dkim.SplitMessage splits it (fields with CRLF line ends, the body after
// the blank line with CRLF line ends): a caller that parsed the message
// does not split it again.
func VerifyFields(ctx context.Context, r Lookuper, fields []dkim.Field, body []byte) Result {
	sets, err := CollectSets(fields)
	if err != nil {
		return Result{Status: Fail, Reason: err.Error()}
	}
	if len(sets) == 0 {
		return Result{Status: None}
	}
	res := Result{Sets: sets}
	n := len(sets)
	last := sets[n-1]
	// §5.2 step 3: the newest seal already says the chain failed.
	if last.CV() == Fail {
		res.Status, res.FailedInstance, res.Reason = Fail, n, "newest seal says cv=fail"
		return res
	}
	// §5.1.2: cv=none for instance 1, cv=pass after.
	for _, s := range sets {
		want := Pass
		if s.Instance == 1 {
			want = None
		}
		if s.CV() != want {
			res.Status, res.FailedInstance = Fail, s.Instance
			res.Reason = fmt.Sprintf("seal i=%d has cv=%s, want %s", s.Instance, s.CV(), want)
			return res
		}
	}
	keys := &keyCache{r: r, ctx: ctx, m: map[string]keyResult{}}
	// §5.2 step 4: the newest AMS.
	if err := verifyAMS(keys, fields, body, last); err != nil {
		res.FailedInstance = n
		res.Reason = fmt.Sprintf("ARC-Message-Signature i=%d: %v", n, err)
		res.Status = Fail
		if dns.IsTemporary(err) {
			res.Status = TempError
		}
		return res
	}
	// §5.2 step 6: oldest AMS that still verifies.
	res.OldestPass = n
	for i := n - 2; i >= 0; i-- {
		if verifyAMS(keys, fields, body, sets[i]) != nil {
			break
		}
		res.OldestPass = i + 1
	}
	// §5.2 step 5: every seal, newest first.
	for i := n - 1; i >= 0; i-- {
		if err := verifyAS(keys, sets[:i+1]); err != nil {
			res.FailedInstance = i + 1
			res.Reason = fmt.Sprintf("ARC-Seal i=%d: %v", i+1, err)
			res.Status = Fail
			if dns.IsTemporary(err) {
				res.Status = TempError
			}
			return res
		}
	}
	res.Status = Pass
	return res
}

type keyResult struct {
	k   *dkim.Key
	err error
}

type keyCache struct {
	r   Lookuper
	ctx context.Context
	m   map[string]keyResult
}

func (c *keyCache) get(domain, selector string) (*dkim.Key, error) {
	name := selector + "._domainkey." + domain
	if kr, ok := c.m[name]; ok {
		return kr.k, kr.err
	}
	var kr keyResult
	txts, err := c.r.LookupTXT(c.ctx, name)
	switch {
	case err != nil && dns.IsTemporary(err):
		kr.err = err
	case err != nil:
		kr.err = fmt.Errorf("no key at %s", name)
	case len(txts) != 1:
		kr.err = fmt.Errorf("%d key records at %s", len(txts), name)
	default:
		kr.k, kr.err = dkim.ParseKey(txts[0])
	}
	if len(c.m) < 20 {
		c.m[name] = kr
	}
	return kr.k, kr.err
}

func verifyAMS(keys *keyCache, fields []dkim.Field, body []byte, s Set) error {
	t := s.AMSTags
	for _, req := range []string{"a", "b", "bh", "d", "s", "h"} {
		if _, ok := t.Get(req); !ok {
			return fmt.Errorf("%w: missing %s=", ErrStructure, req)
		}
	}
	hc, bc, ok := dkim.ParseCanon(t.Value("c"))
	if !ok {
		return fmt.Errorf("%w: bad c=", ErrStructure)
	}
	names := dkim.SplitList(t.Value("h"))
	for _, n := range names {
		if strings.EqualFold(n, "arc-seal") {
			return fmt.Errorf("%w: h= includes ARC-Seal", ErrStructure)
		}
	}
	h := dkim.HashFor(t.Value("a"))
	if h == nil {
		return fmt.Errorf("%w: unsupported a=", ErrStructure)
	}
	bh, err := base64.StdEncoding.DecodeString(t.Value("bh"))
	if err != nil {
		return fmt.Errorf("%w: bad bh=", ErrStructure)
	}
	limit := int64(-1)
	if l := t.Value("l"); l != "" {
		if limit, err = strconv.ParseInt(l, 10, 64); err != nil || limit < 0 {
			return fmt.Errorf("%w: bad l=", ErrStructure)
		}
	}
	bhw := dkim.NewBodyHasher(bc, dkim.HashFor(t.Value("a")), limit)
	bhw.Write(body)
	if !bytes.Equal(bhw.Sum(), bh) {
		return fmt.Errorf("%w: body hash did not verify", ErrSignature)
	}
	for _, f := range dkim.SelectHeaders(fields, names) {
		h.Write([]byte(dkim.CanonHeader(hc, f)))
	}
	self := dkim.Field{Name: s.AMS.Name, Raw: s.AMS.Name + ":" + dkim.RemoveB(s.AMS.Value())}
	h.Write([]byte(strings.TrimSuffix(dkim.CanonHeader(hc, self), "\r\n")))
	return checkSig(keys, t, h.Sum(nil))
}

func verifyAS(keys *keyCache, sets []Set) error {
	n := len(sets)
	t := sets[n-1].ASTags
	for _, req := range []string{"a", "b", "d", "s", "cv"} {
		if _, ok := t.Get(req); !ok {
			return fmt.Errorf("%w: missing %s=", ErrStructure, req)
		}
	}
	if _, ok := t.Get("h"); ok {
		return fmt.Errorf("%w: ARC-Seal with h=", ErrStructure)
	}
	h := dkim.HashFor(t.Value("a"))
	if h == nil {
		return fmt.Errorf("%w: unsupported a=", ErrStructure)
	}
	h.Write([]byte(sealInput(sets)))
	return checkSig(keys, t, h.Sum(nil))
}

// sealInput is the relaxed-canonical text an ARC-Seal signs (§5.1.1).
func sealInput(sets []Set) string {
	var b strings.Builder
	n := len(sets)
	for i, s := range sets {
		b.WriteString(dkim.CanonHeader(dkim.Relaxed, s.AAR))
		b.WriteString(dkim.CanonHeader(dkim.Relaxed, s.AMS))
		if i == n-1 {
			self := dkim.Field{Name: s.AS.Name, Raw: s.AS.Name + ":" + dkim.RemoveB(s.AS.Value())}
			b.WriteString(strings.TrimSuffix(dkim.CanonHeader(dkim.Relaxed, self), "\r\n"))
		} else {
			b.WriteString(dkim.CanonHeader(dkim.Relaxed, s.AS))
		}
	}
	return b.String()
}

func checkSig(keys *keyCache, t dkim.Tags, hashed []byte) error {
	algo, hname, _ := strings.Cut(strings.ToLower(t.Value("a")), "-")
	sig, err := base64.StdEncoding.DecodeString(t.Value("b"))
	if err != nil {
		return fmt.Errorf("%w: bad b=", ErrStructure)
	}
	k, err := keys.get(strings.ToLower(t.Value("d")), t.Value("s"))
	if err != nil {
		return err
	}
	if k.Algo != algo || !k.AllowsHash(hname) {
		return fmt.Errorf("%w: key does not fit a=", ErrSignature)
	}
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		ch := crypto.SHA256
		if hname == "sha1" {
			ch = crypto.SHA1
		}
		if rsa.VerifyPKCS1v15(pub, ch, hashed, sig) != nil {
			return ErrSignature
		}
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, hashed, sig) {
			return ErrSignature
		}
	default:
		return fmt.Errorf("%w: unsupported key", ErrSignature)
	}
	return nil
}
