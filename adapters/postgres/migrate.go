package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // dbmate's postgres driver

	"github.com/shortlink/shortlink/db"
)

// migrationLockKey is the advisory lock that keeps api replicas starting at
// once from applying migrations at the same time; dbmate takes none itself.
const migrationLockKey = 0x5_11_0_11_4 // "shortlink"

// Migrate creates the database named in databaseURL if it does not exist
// and applies the embedded migrations, writing dbmate's progress to log.
func Migrate(ctx context.Context, databaseURL string, log io.Writer) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return fmt.Errorf("parse database URL: %w", err)
	}
	dbm := dbmate.New(u)
	dbm.FS = db.Migrations
	dbm.MigrationsDir = []string{db.MigrationsFSDir}
	dbm.AutoDumpSchema = false
	dbm.Log = log
	drv, err := dbm.Driver()
	if err != nil {
		return err
	}
	// Creating can race with another replica; a lost race is fine, so only
	// a database that still does not exist afterwards is an error.
	if exists, err := drv.DatabaseExists(); err != nil {
		return translate("look up database", err)
	} else if !exists {
		if err := drv.CreateDatabase(); err != nil {
			if exists, _ := drv.DatabaseExists(); !exists {
				return translate("create database", err)
			}
		}
	}

	conn, err := sql.Open("postgres", databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close()
	lockConn, err := conn.Conn(ctx)
	if err != nil {
		return translate("connect", err)
	}
	defer lockConn.Close()
	if _, err := lockConn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return translate("take migration lock", err)
	}
	defer lockConn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey) //nolint:errcheck // closing the session releases it anyway

	if err := dbm.Migrate(); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}
