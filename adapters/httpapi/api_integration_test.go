//go:build integration

package httpapi_test

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// TestAPIOnPostgresAndRedis runs the whole HTTP contract against the
// production adapters: Postgres, the cache Redis, the codes Redis.
func TestAPIOnPostgresAndRedis(t *testing.T) {
	t.Parallel()
	httpsuite.Run(t, func(t *testing.T) httpsuite.Env {
		store, err := postgres.Open(postgres.Options{URL: testenv.Database(t), MaxOpenConns: 40, MaxLinkLifetime: 365 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		cacheClient, prefix := testenv.RedisCacheClient(t)
		codesClient, key := testenv.RedisCodesClient(t)
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store,
			Cache: testenv.NewCache(t, cacheClient, rediscache.Options{KeyPrefix: prefix, ClientSideCache: true}),
			Pool:  testenv.NewPool(t, codesClient, redispool.Options{Key: key}),
		})
	})
}
