package smtpout

import (
	"time"

	"github.com/sekisho/sekisho/internal/config"
)

// ReleaseOptions are the options for the organisation's own MTA as
// [quarantine] configures it (release_helo, default general.hostname;
// release_starttls), to host, with the release time-out: quarantine
// release, digests and report answers all send this way.
func ReleaseOptions(cfg *config.Config, host string) (Options, time.Duration) {
	qc := cfg.Quarantine
	helo := qc.ReleaseHelo
	if helo == "" {
		helo = cfg.General.Hostname
	}
	return Options{Addr: host, Helo: helo, StartTLS: qc.ReleaseStartTLS}, qc.ReleaseTimeout.Duration
}
