package testenv

import (
	"testing"

	"github.com/jmoiron/sqlx"
)

// SQL opens a connection pool to the database at url for a test's own
// queries, closed when the test ends. Stores keep their pools to themselves.
func SQL(t testing.TB, url string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatalf("testenv: open %s: %v", redact(url), err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
