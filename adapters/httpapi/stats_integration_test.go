//go:build integration

package httpapi_test

import (
	"testing"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// TestStatsOnPostgres runs the visit counting and stats contract against
// the Postgres store and the Redis cache.
func TestStatsOnPostgres(t *testing.T) {
	t.Parallel()
	httpsuite.RunStats(t, func(t *testing.T) httpsuite.Env {
		url := testenv.Database(t)
		store, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		cacheClient, prefix := testenv.RedisCacheClient(t)
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Changes: testenv.ChangeFeed(t, url),
			Cache:     testenv.NewCache(t, cacheClient, rediscache.Options{KeyPrefix: prefix}),
			Configure: func(cfg *config.Config) { cfg.AdminKeys = []string{statsAdminKey} },
		})
	}, statsAdminKey)
}
