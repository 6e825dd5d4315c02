package sender

import (
	"context"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/contacts"
)

// openReader opens the history for reading: shared in [redis] when it is
// configured, else the SQLite file under the data directory.
func openReader(cfg *config.Config, deps pipeline.Deps) (contacts.Reader, error) {
	if cfg.Redis.Enabled() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return contacts.OpenRedis(ctx, cfg.Redis, time.Duration(cfg.Sender.ContactsRetentionDays)*24*time.Hour)
	}
	return contacts.OpenReader(ContactsPath(deps.DataDir))
}
