package dkim

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"
	"time"

	msgdkim "github.com/emersion/go-msgauth/dkim"
	"github.com/sekisho/sekisho/internal/dns"
)

// Status is a DKIM result (RFC 8601 §2.7.1).
type Status string

// Statuses.
const (
	None      Status = "none"
	Pass      Status = "pass"
	Fail      Status = "fail"
	Neutral   Status = "neutral"
	TempError Status = "temperror"
	PermError Status = "permerror"
	Policy    Status = "policy"
)

// Result is the outcome for one DKIM-Signature.
type Result struct {
	Status     Status
	Domain     string // d=
	Selector   string // s=
	Identifier string // i= (AUID), "@d" when missing
	Algorithm  string // a=
	HeaderKeys []string
	// BodyHashMismatch: the body was changed after signing (bh= does not
	// match); the header signature may still be valid.
	BodyHashMismatch bool
	Testing          bool // key in test mode (t=y)
	Reason           string
	BTag             string // first 8 characters of b= (header.b, RFC 6008)
	Time             time.Time
}

// Options bound a verification.
type Options struct {
	// MaxSignatures verified per message. Default 5; the rest are ignored.
	MaxSignatures int
	// Now is the current time (tests). Default time.Now.
	Now func() time.Time
}

// TXTLookuper is the one resolver method DKIM needs.
type TXTLookuper interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Verify checks every DKIM-Signature of raw (at most MaxSignatures). It
// returns none for a message without signatures.
func Verify(ctx context.Context, r TXTLookuper, raw []byte, opt Options) []Result {
	if opt.MaxSignatures <= 0 {
		opt.MaxSignatures = 5
	}
	raw = NormalizeCRLF(raw)
	fields, body := SplitMessage(raw, 2000)
	return VerifyFields(ctx, r, raw, fields, body, opt)
}

// VerifyFields is Verify over a message already split as SplitMessage
// splits it (fields with CRLF line ends, at most 2000; the body after the
// blank line, CRLF line ends): a scan passes the parser's field list and
// body span instead of splitting the message again. raw is the message
// with CRLF line ends, which go-msgauth reads itself to check the
// signatures.
func VerifyFields(ctx context.Context, r TXTLookuper, raw []byte, fields []Field, body []byte, opt Options) []Result {
	if opt.MaxSignatures <= 0 {
		opt.MaxSignatures = 5
	}
	var sigs []Field
	for _, f := range fields {
		if strings.EqualFold(f.Name, "DKIM-Signature") {
			sigs = append(sigs, f)
		}
	}
	if len(sigs) == 0 {
		return nil
	}
	if len(sigs) > opt.MaxSignatures {
		sigs = sigs[:opt.MaxSignatures]
	}
	lookup := func(name string) ([]string, error) {
		txts, err := r.LookupTXT(ctx, name)
		if err != nil {
			return nil, err
		}
		return txts, nil
	}
	verifs, err := msgdkim.VerifyWithOptions(bytes.NewReader(raw), &msgdkim.VerifyOptions{
		LookupTXT: lookup, MaxVerifications: opt.MaxSignatures,
	})
	if err != nil && !errors.Is(err, msgdkim.ErrTooManySignatures) {
		// The message could not be read at all: every signature is permerror.
		out := make([]Result, len(sigs))
		for i, s := range sigs {
			out[i] = describe(s)
			out[i].Status = PermError
			out[i].Reason = "unreadable message"
		}
		return out
	}
	out := make([]Result, 0, len(sigs))
	for i, s := range sigs {
		res := describe(s)
		if i >= len(verifs) {
			res.Status = PermError
			res.Reason = "not verified"
			out = append(out, res)
			continue
		}
		v := verifs[i]
		switch {
		case v.Err == nil:
			res.Status = Pass
		case msgdkim.IsTempFail(v.Err) || dns.IsTemporary(v.Err):
			res.Status = TempError
			res.Reason = "key lookup failed temporarily"
		case msgdkim.IsPermFail(v.Err):
			res.Status = PermError
			res.Reason = v.Err.Error()
		default:
			res.Status = Fail
			res.Reason = v.Err.Error()
		}
		if res.Status == Fail || res.Status == Pass {
			if ok, known := bodyHashMatches(s, body); known && !ok {
				res.BodyHashMismatch = true
				res.Status = Fail
				res.Reason = "body hash did not verify"
			}
		}
		out = append(out, res)
	}
	return out
}

// describe fills the identity fields of a signature from its tags.
func describe(f Field) Result {
	res := Result{}
	tags, err := ParseTags(f.Value())
	if err != nil {
		return res
	}
	res.Domain = strings.ToLower(tags.Value("d"))
	res.Selector = tags.Value("s")
	res.Algorithm = strings.ToLower(tags.Value("a"))
	res.Identifier = tags.Value("i")
	if res.Identifier == "" && res.Domain != "" {
		res.Identifier = "@" + res.Domain
	}
	res.HeaderKeys = SplitList(tags.Value("h"))
	if b := tags.Value("b"); len(b) >= 8 {
		res.BTag = b[:8]
	}
	if t := tags.Value("t"); t != "" {
		if n, err := strconv.ParseInt(t, 10, 64); err == nil && n > 0 {
			res.Time = time.Unix(n, 0)
		}
	}
	return res
}

// bodyHashMatches recomputes bh= for a signature. known is false when the
// signature cannot say (malformed tags, unknown algorithm).
func bodyHashMatches(f Field, body []byte) (ok, known bool) {
	tags, err := ParseTags(f.Value())
	if err != nil {
		return false, false
	}
	bh, err := base64.StdEncoding.DecodeString(tags.Value("bh"))
	if err != nil {
		return false, false
	}
	_, bc, okc := ParseCanon(tags.Value("c"))
	if !okc {
		return false, false
	}
	h := HashFor(tags.Value("a"))
	if h == nil {
		return false, false
	}
	limit := int64(-1)
	if l := tags.Value("l"); l != "" {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil || n < 0 {
			return false, false
		}
		limit = n
	}
	bhw := NewBodyHasher(bc, h, limit)
	bhw.Write(body)
	return bytes.Equal(bhw.Sum(), bh), true
}

// HashFor returns a fresh hash for an a= algorithm ("rsa-sha256"), nil if
// unknown.
func HashFor(a string) hash.Hash {
	_, hn, ok := strings.Cut(strings.ToLower(StripWSP(a)), "-")
	if !ok {
		return nil
	}
	switch hn {
	case "sha256":
		return sha256.New()
	case "sha1":
		return sha1.New()
	}
	return nil
}
