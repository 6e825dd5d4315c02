package dmarcrep

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// RunOptions say what one reporting run does.
type RunOptions struct {
	Begin, End time.Time
	OutDir     string // write the .xml.gz files here ("" = no files)
	Send       bool   // mail them through Relay
	Relay      string
	Helo       string
	Reporter   Reporter
	Resolver   TXTLookuper
	Log        io.Writer // one line per report and destination (nil = silent)
}

// Run builds the reports of [Begin, End) and writes and/or sends them. It
// returns the reports built; a send failure for one destination is
// reported and the others still get theirs.
func (s *Store) Run(ctx context.Context, o RunOptions) ([]Report, error) {
	rows, err := s.Rows(ctx, o.Begin, o.End)
	if err != nil {
		return nil, err
	}
	reps := Build(rows, o.Reporter, o.Begin, o.End)
	logf := func(format string, a ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", a...)
		}
	}
	var firstErr error
	for i := range reps {
		r := &reps[i]
		gz := r.Gzip()
		logf("%s: %d messages, report %s, %d bytes gzipped", r.PolicyDomain, r.Messages, r.ID, len(gz))
		if o.OutDir != "" {
			p := filepath.Join(o.OutDir, r.FileName(o.Reporter.Domain))
			if err := os.WriteFile(p, gz, 0o644); err != nil {
				return reps, fmt.Errorf("dmarcrep: %w", err)
			}
			logf("  written %s", p)
		}
		if !o.Send {
			continue
		}
		for _, d := range Destinations(ctx, o.Resolver, r, len(gz)) {
			if d.Skip != "" {
				logf("  skipped %s: %s", d.Addr, d.Skip)
				continue
			}
			sctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := Send(sctx, o.Relay, o.Helo, o.Reporter.Email, []string{d.Addr}, Message(o.Reporter, r, d.Addr, time.Now()))
			cancel()
			if err != nil {
				logf("  FAILED %s: %v", d.Addr, err)
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			logf("  sent to %s", d.Addr)
		}
	}
	return reps, firstErr
}
