package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
)

// redisTestTimeout is generous: test clients serve assertions, not latency.
const redisTestTimeout = 2 * time.Second

// RedisCacheClient returns a client of the cache Redis with client-side
// caching on, as the api dials it, and a key prefix no other test uses. The
// client is closed and the prefix's keys deleted when the test ends.
func RedisCacheClient(t testing.TB) (rueidis.Client, string) {
	t.Helper()
	url := Get(t).RedisCacheURL
	client, err := redisclient.Dial(url, redisTestTimeout, LocalCacheBytes)
	if err != nil {
		t.Fatalf("testenv: cache Redis client for %s: %v", redact(url), err)
	}
	prefix := UniqueName("shortlink:test:") + ":"
	mustAnswer(t, client, url)
	t.Cleanup(func() {
		deleteMatching(t, client, prefix+"*")
		client.Close()
	})
	return client, prefix
}

// RedisClusterClient is RedisCacheClient on the Redis Cluster of
// RedisClusterURL: a client as the api dials a cluster-mode cache, and a
// key prefix no other test uses, whose keys spread over every primary.
func RedisClusterClient(t testing.TB) (rueidis.Client, string) {
	t.Helper()
	url := RedisClusterURL(t)
	client, err := redisclient.Dial(url, redisTestTimeout, LocalCacheBytes)
	if err != nil {
		t.Fatalf("testenv: Redis Cluster client for %s: %v", url, err)
	}
	mustAnswer(t, client, url)
	if client.Mode() != rueidis.ClientModeCluster {
		client.Close()
		t.Fatalf("testenv: %s is not a Redis Cluster (the client is in %s mode)", url, client.Mode())
	}
	prefix := UniqueName("shortlink:test:") + ":"
	t.Cleanup(func() {
		deleteMatching(t, client, prefix+"*")
		client.Close()
	})
	return client, prefix
}

// RedisCodesClient returns a client of the codes Redis, as the api and the
// batch dial it, and a set key no other test uses. The client is closed and
// the key deleted when the test ends.
func RedisCodesClient(t testing.TB) (rueidis.Client, string) {
	t.Helper()
	url := Get(t).RedisCodesURL
	client, err := redisclient.Dial(url, redisTestTimeout, 0)
	if err != nil {
		t.Fatalf("testenv: codes Redis client for %s: %v", redact(url), err)
	}
	key := UniqueName("shortlink:test:codes:")
	mustAnswer(t, client, url)
	t.Cleanup(func() {
		deleteMatching(t, client, key)
		client.Close()
	})
	return client, key
}

func mustAnswer(t testing.TB, client rueidis.Client, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), redisTestTimeout)
	defer cancel()
	if err := client.Do(ctx, client.B().Ping().Build()).Error(); err != nil {
		client.Close()
		t.Fatalf("testenv: Redis at %s does not answer: %v\n%s", redact(url), err, howToProvide)
	}
}

// deleteMatching deletes the keys matching pattern, a few hundred at a
// time, on every node of a cluster (SCAN sees one node's keys only), one
// key per UNLINK so that no command spans hash slots.
func deleteMatching(t testing.TB, client rueidis.Client, pattern string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nodes := client.Nodes()
	if client.Mode() != rueidis.ClientModeCluster {
		nodes = map[string]rueidis.Client{"": client}
	}
	for _, node := range nodes {
		var cursor uint64
		for {
			entry, err := node.Do(ctx, node.B().Scan().Cursor(cursor).Match(pattern).Count(500).Build()).AsScanEntry()
			if err != nil {
				t.Logf("testenv: delete %s: %v", pattern, err)
				return
			}
			unlinks := make(rueidis.Commands, 0, len(entry.Elements))
			for _, key := range entry.Elements {
				unlinks = append(unlinks, client.B().Unlink().Key(key).Build())
			}
			for _, r := range client.DoMulti(ctx, unlinks...) {
				if err := r.Error(); err != nil {
					t.Logf("testenv: delete %s: %v", pattern, err)
					return
				}
			}
			if cursor = entry.Cursor; cursor == 0 {
				break
			}
		}
	}
}

// CacheOptions fills the zero TTLs and timeout of opts with the api's
// defaults (the configuration's, as cmd maps them), so a test names only
// what it is about.
func CacheOptions(opts rediscache.Options) rediscache.Options {
	def := wiring.CacheOptions(config.Defaults())
	if opts.TTL == 0 {
		opts.TTL = def.TTL
	}
	if opts.NegativeTTL == 0 {
		opts.NegativeTTL = def.NegativeTTL
	}
	if opts.Timeout == 0 {
		opts.Timeout = def.Timeout
	}
	return opts
}

// PoolOptions fills the zero timeout of opts with the api's default.
func PoolOptions(opts redispool.Options) redispool.Options {
	if opts.Timeout == 0 {
		opts.Timeout = wiring.PoolOptions(config.Defaults()).Timeout
	}
	return opts
}

// NewCache returns a cache over client with opts completed by CacheOptions.
func NewCache(t testing.TB, client rueidis.Client, opts rediscache.Options) *rediscache.Cache {
	t.Helper()
	c, err := rediscache.New(client, CacheOptions(opts))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// NewPool returns a pool over client with opts completed by PoolOptions.
func NewPool(t testing.TB, client rueidis.Client, opts redispool.Options) *redispool.Pool {
	t.Helper()
	p, err := redispool.New(client, PoolOptions(opts))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// LocalCacheBytes is the client-side cache test clients get.
const LocalCacheBytes = 16 << 20

// LocalCacheBytesIf is LocalCacheBytes when on, else 0 (no client-side cache).
func LocalCacheBytesIf(on bool) uint64 {
	if on {
		return LocalCacheBytes
	}
	return 0
}
