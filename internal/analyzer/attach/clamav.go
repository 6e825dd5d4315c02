package attach

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/sekisho/sekisho/internal/clamd"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// ClamAV scans attachments (and files sekisho decrypted) with clamd.
// It runs in StageMain, after the attachment analyzer has opened
// password-protected archives.
type ClamAV struct {
	cfg    config.ClamAV
	client *clamd.Client
}

var (
	_ pipeline.Analyzer = (*ClamAV)(nil)
	_ pipeline.Staged   = (*ClamAV)(nil)
)

// NewClamAV builds the clamd scanner.
func NewClamAV(c config.ClamAV) *ClamAV {
	return &ClamAV{cfg: c, client: clamd.New(c.Address, c.Timeout.Duration, c.ChunkSize, c.MaxSize)}
}

// Name implements pipeline.Analyzer.
func (c *ClamAV) Name() string { return "clamav" }

// Stage implements pipeline.Staged.
func (c *ClamAV) Stage() pipeline.Stage { return pipeline.StageMain }

// Analyze implements pipeline.Analyzer.
func (c *ClamAV) Analyze(ctx context.Context, t *pipeline.Task) error {
	type obj struct {
		path string
		data []byte
	}
	var objs []obj
	seen := map[[32]byte]bool{}
	add := func(p string, b []byte) {
		if len(b) == 0 {
			return
		}
		h := sha256.Sum256(b)
		if !seen[h] {
			seen[h] = true
			objs = append(objs, obj{p, b})
		}
	}
	for _, p := range t.Msg.Attachments {
		if p.IsMultipart() || p.Embedded != nil {
			continue
		}
		add(p.Path, p.Body)
	}
	if c.cfg.ScanDecrypted {
		if v, ok := t.Get(DecryptedKey); ok {
			if ds, ok := v.([]Decrypted); ok {
				for _, d := range ds {
					add(d.Path, d.Data)
				}
			}
		}
	}
	for _, o := range objs {
		if int64(len(o.data)) > c.cfg.MaxSize {
			t.Add(SymAVSizeLimit, o.path)
		}
		res, err := c.client.Scan(ctx, o.data)
		if errors.Is(err, clamd.ErrSizeLimit) {
			t.Add(SymAVSizeLimit, o.path)
			continue
		}
		if err != nil {
			return c.fail(t, err)
		}
		if res.Infected {
			t.Add(SymAVVirus, fmt.Sprintf("%s: %s", o.path, res.Virus))
		}
	}
	return nil
}

// fail applies the configured fail-safe.
func (c *ClamAV) fail(t *pipeline.Task, err error) error {
	if c.cfg.FailSafe == "pass" {
		t.Add(SymAVUnavailable, err.Error())
		return nil
	}
	t.Tempfail("clamav: " + err.Error())
	return fmt.Errorf("%w: %v", pipeline.ErrTemporary, err)
}
