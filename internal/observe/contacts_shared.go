package observe

import (
	"context"
	"time"

	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/contacts"
)

// openContacts opens the history: shared in [redis] when it is
// configured, else the SQLite file under the data directory.
func openContacts(cfg *config.Config, deps pipeline.Deps) (contacts.Writer, error) {
	if cfg.Redis.Enabled() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return contacts.OpenRedis(ctx, cfg.Redis, time.Duration(cfg.Sender.ContactsRetentionDays)*24*time.Hour)
	}
	return contacts.Open(sender.ContactsPath(deps.DataDir))
}
