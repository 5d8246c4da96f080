//go:build integration

package rediscache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/testenv"
)

// modes runs a test against both ways Get can read: through the in-process
// cache and straight from Redis.
var modes = []struct {
	name            string
	clientSideCache bool
}{
	{"client-side cache", true},
	{"plain", false},
}

// newCache returns a cache on the shared test server under a fresh prefix,
// with its client for direct inspection.
func newCache(t *testing.T, opts rediscache.Options) (*rediscache.Cache, rueidis.Client, string) {
	t.Helper()
	client, prefix := testenv.RedisCacheClient(t)
	opts.KeyPrefix = prefix
	return testenv.NewCache(t, client, opts), client, prefix
}

func mustGet(t *testing.T, c *rediscache.Cache, code domain.Code) (domain.ShortLink, ports.CacheResult) {
	t.Helper()
	link, result, err := c.Get(context.Background(), code, time.Now())
	if err != nil {
		t.Fatalf("Get(%s): %v", code, err)
	}
	return link, result
}

func mustSet(t *testing.T, c *rediscache.Cache, link domain.ShortLink, now time.Time) {
	t.Helper()
	if err := c.Set(context.Background(), link, now); err != nil {
		t.Fatalf("Set(%s): %v", link.Code(), err)
	}
}

// cachedLocally reports whether client answers GET key with a value from
// memory. The probe itself caches what it reads.
func cachedLocally(client rueidis.Client, key string) bool {
	resp := client.DoCache(context.Background(), client.B().Get().Key(key).Cache(), time.Minute)
	return resp.IsCacheHit() && resp.Error() == nil
}

func resultName(r ports.CacheResult) string {
	switch r {
	case ports.CacheMiss:
		return "miss"
	case ports.CacheHit:
		return "hit"
	case ports.CacheNegativeHit:
		return "negative hit"
	}
	return fmt.Sprintf("CacheResult(%d)", int(r))
}
