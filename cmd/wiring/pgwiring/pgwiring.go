// Package pgwiring maps the configuration to the Postgres settings of every
// command that opens Postgres: the api and the batch (through wiring),
// migrate and partitions. Each connects with DatabaseConnURL, so the
// password Terraform hands over in DATABASE_PASSWORD, not in DATABASE_URL,
// reaches all of them. It imports only the configuration and the adapter,
// which keeps the tools a quarter of the api's size.
package pgwiring

import (
	"context"
	"errors"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/app/config"
)

// StoreOptions are the api's and batch's store settings.
func StoreOptions(cfg config.Config) postgres.Options {
	return postgres.Options{
		URL: cfg.DatabaseConnURL(), MaxOpenConns: cfg.DBMaxOpenConns,
		Timeout: cfg.RequestTimeout, InsertWorkers: cfg.DBInsertWorkers, LookupWorkers: cfg.DBLookupWorkers,
	}
}

// ToolOptions are the store settings of the partitions command: a small
// pool and no I/O timeout, since partition upkeep runs long statements.
func ToolOptions(cfg config.Config) postgres.Options {
	return postgres.Options{URL: cfg.DatabaseConnURL(), MaxOpenConns: 2}
}

// MigrateURL is the database URL the migrate command hands dbmate.
func MigrateURL(cfg config.Config) string { return cfg.DatabaseConnURL() }

// CheckCredentials connects once as the api and the batch do and returns
// an error only when Postgres refuses the credentials: that is a
// configuration error no retry fixes, so they stop at once and say what to
// check. A Postgres that cannot be reached is no error here; the api then
// starts unready and waits for it. The embedded store needs no check.
func CheckCredentials(ctx context.Context, cfg config.Config) error {
	if cfg.Store == "embedded" {
		return nil
	}
	store, err := postgres.Open(StoreOptions(cfg))
	if err != nil {
		return err
	}
	defer store.Close()
	ctx, cancel := context.WithTimeout(ctx, credentialsCheckTimeout)
	defer cancel()
	if err := store.Ping(ctx); errors.Is(err, postgres.ErrCredentialsRejected) {
		return err
	}
	return nil
}

// credentialsCheckTimeout bounds CheckCredentials: a refusal comes in
// milliseconds, so waiting longer only delays the start of an api whose
// Postgres is unreachable.
const credentialsCheckTimeout = 5 * time.Second
