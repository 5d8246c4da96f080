package testenv

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
)

// ChangeFeed returns a feed of the changes of the database at url, as an
// api follows it, closed when the test ends.
func ChangeFeed(t testing.TB, url string) *postgres.ChangeFeed {
	t.Helper()
	f, err := postgres.NewChangeFeed(postgres.Options{URL: url, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
