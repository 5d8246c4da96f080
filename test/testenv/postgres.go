package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq" // postgres driver

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/db"
	"github.com/shortlink/shortlink/test/testkit"
)

// Database creates a fresh, migrated database for this test, dropped when
// the test ends, and returns its URL. Databases are copied from a template
// migrated once per migration set, which takes milliseconds.
func Database(t testing.TB) string {
	t.Helper()
	admin := Get(t).PostgresAdminURL
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	conn, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	defer conn.Close()
	if err := conn.PingContext(ctx); err != nil {
		t.Fatalf("testenv: Postgres at %s does not answer: %v\n%s", redact(admin), err, howToProvide)
	}

	template, err := migratedTemplate(ctx, conn, admin)
	if err != nil {
		t.Fatalf("testenv: prepare template database: %v", err)
	}
	name := "shortlink_test_" + testkit.RandomHex(6)
	if err := createFromTemplate(ctx, conn, name, template); err != nil {
		t.Fatalf("testenv: create test database: %v", err)
	}
	t.Cleanup(func() {
		dropCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		dropper, err := sql.Open("postgres", admin)
		if err == nil {
			defer dropper.Close()
			_, err = dropper.ExecContext(dropCtx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		}
		if err != nil {
			t.Logf("testenv: drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

func createFromTemplate(ctx context.Context, conn *sql.DB, name, template string) error {
	var err error
	for range 20 { // CREATE … TEMPLATE fails while another session copies the template
		if _, err = conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template)); err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "is being accessed by other users") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// migratedTemplate returns the name of a template database holding the
// current migrations, creating it under an advisory lock when missing, so
// parallel test processes agree on one.
func migratedTemplate(ctx context.Context, conn *sql.DB, admin string) (string, error) {
	name := "shortlink_template_" + migrationsHash()
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil || exists {
		return name, err
	}
	lock, err := conn.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
		return "", err
	}
	defer lock.ExecContext(context.Background(), `SELECT pg_advisory_unlock(4242)`) //nolint:errcheck // released with the session anyway
	if err := lock.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil || exists {
		return name, err
	}
	building := name + "_building"
	if _, err := lock.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if err := postgres.Migrate(ctx, withDatabase(admin, building), io.Discard); err != nil {
		return "", err
	}
	if _, err := lock.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, building); err != nil {
		return "", err
	}
	if _, err := lock.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	_, err = lock.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s WITH is_template true`, name))
	return name, err
}

// migrationsHash names the template after the migration files, so a new or
// edited migration gets a fresh template.
func migrationsHash() string {
	h := fnv.New64a()
	_ = fs.WalkDir(db.Migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(db.Migrations, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return fmt.Sprintf("%012x", h.Sum64()&0xffffffffffff)
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// UniqueName returns a short random identifier for keys and names a test owns.
func UniqueName(prefix string) string { return prefix + testkit.RandomHex(4) }
