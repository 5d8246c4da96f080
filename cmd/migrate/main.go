// Command migrate manages the database schema with dbmate.
//
//	migrate up          create the database if absent, apply pending migrations (embedded)
//	migrate new NAME    write a new migration file under db/migrations
//	migrate status      list migrations and whether they are applied
//	migrate rollback    roll back the latest migration
//	migrate contract    record the deploy's contract step: no task of the
//	                    previous release serves any more (see docs/operations.md)
package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring/pgwiring"
)

const usage = "usage: migrate up | new NAME | status | rollback | contract"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	databaseURL := pgwiring.MigrateURL(cfg)
	switch args[0] {
	case "up":
		return postgres.Migrate(context.Background(), databaseURL, os.Stdout)
	case "contract":
		before, err := postgres.RecordContract(context.Background(), databaseURL)
		if err != nil {
			return postgres.WithCredentialsHint(err)
		}
		if before {
			fmt.Println("contract step: already recorded")
		} else {
			fmt.Println("contract step recorded: password-protected links are enabled (api tasks notice within seconds)")
		}
		return nil
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return err
	}
	// The other commands work on the files on disk, from the repository root.
	dbm := dbmate.New(u)
	dbm.MigrationsDir = []string{"db/migrations"}
	dbm.AutoDumpSchema = false
	switch {
	case args[0] == "new" && len(args) > 1:
		return dbm.NewMigration(strings.Join(strings.Fields(strings.Join(args[1:], " ")), "_"))
	case args[0] == "status":
		_, err := dbm.Status(false)
		return postgres.WithCredentialsHint(err)
	case args[0] == "rollback":
		return postgres.WithCredentialsHint(dbm.Rollback())
	}
	return errors.New(usage)
}
