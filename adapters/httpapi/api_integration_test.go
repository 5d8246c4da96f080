//go:build integration

package httpapi_test

import (
	"testing"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// TestAPIOnPostgresAndRedis runs the whole HTTP contract against the
// production adapters: Postgres and its change feed, the cache Redis
// behind the in-process tier, the codes Redis.
func TestAPIOnPostgresAndRedis(t *testing.T) {
	t.Parallel()
	httpsuite.Run(t, func(t *testing.T) httpsuite.Env {
		url := testenv.Database(t)
		store, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 40})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		cacheClient, prefix := testenv.RedisCacheClient(t)
		codesClient, key := testenv.RedisCodesClient(t)
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Outbox: store, Changes: testenv.ChangeFeed(t, url),
			Cache: testenv.NewCache(t, cacheClient, rediscache.Options{KeyPrefix: prefix}),
			Pool:  testenv.NewPool(t, codesClient, redispool.Options{Key: key}),
		})
	})
}

// TestPermanentLinksOnPostgresAndRedis runs the permanent links' cases
// with MAX_TTL=never on the production adapters.
func TestPermanentLinksOnPostgresAndRedis(t *testing.T) {
	t.Parallel()
	httpsuite.RunPermanent(t, func(t *testing.T) httpsuite.Env {
		url := testenv.Database(t)
		store, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 40})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		cacheClient, prefix := testenv.RedisCacheClient(t)
		codesClient, key := testenv.RedisCodesClient(t)
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Outbox: store, Changes: testenv.ChangeFeed(t, url),
			Cache: testenv.NewCache(t, cacheClient, rediscache.Options{KeyPrefix: prefix}),
			Pool:  testenv.NewPool(t, codesClient, redispool.Options{Key: key}), Configure: httpsuite.AllowPermanent,
		})
	})
}
