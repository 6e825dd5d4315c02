package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/store/bayesstore"
	_ "github.com/sekisho/sekisho/internal/store/quarantine" // registers the "pgx" driver
)

// checkServices connects to the servers the configuration names
// (PostgreSQL for the quarantine, Redis for the classifier) and says what
// it reached: "ok" must not cover a server that was never tried.
func checkServices(ctx context.Context, cfg *config.Config, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if q := cfg.Quarantine; q.Enabled && q.Driver == "postgres" {
		db, err := sql.Open("pgx", q.DSN)
		if err == nil {
			err = db.PingContext(ctx)
			var v string
			if err == nil {
				err = db.QueryRowContext(ctx, "SHOW server_version").Scan(&v)
			}
			db.Close()
			if err == nil {
				fmt.Fprintf(w, "quarantine: PostgreSQL %s at %s: connected\n", v, redactDSN(q.DSN))
			}
		}
		if err != nil {
			return fmt.Errorf("config check: quarantine.dsn %s: cannot connect to PostgreSQL: %w", redactDSN(q.DSN), err)
		}
	}
	if b := cfg.Bayes; b.Enabled && b.Backend == "redis" {
		// Read only: OpenRedis would settle (write) the hash scheme of an
		// empty database, which a check must not do.
		if _, err := bayesstore.ProbeRedis(ctx, b.RedisURL, b.RedisPrefix); err != nil {
			return fmt.Errorf("config check: bayes.redis_url %s: cannot connect to Redis: %w", redactDSN(b.RedisURL), err)
		}
		fmt.Fprintf(w, "bayes: Redis at %s: connected\n", redactDSN(b.RedisURL))
	}
	return nil
}

// redactDSN drops the password from a URL-style address for display.
func redactDSN(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(dsn)"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}
