//go:build integration

package rediscache_test

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
)

// BenchmarkCacheGet measures a hit, the redirect hot path, read through the
// client-side cache (DoCache) and straight from Redis (Do), one caller at a
// time and from GOMAXPROCS callers at once.
func BenchmarkCacheGet(b *testing.B) {
	for _, mode := range []struct {
		name            string
		clientSideCache bool
	}{{"DoCache", true}, {"Do", false}} {
		b.Run(mode.name, func(b *testing.B) {
			client, prefix := testenv.RedisCacheClient(b)
			c := testenv.NewCache(b, client, rediscache.Options{KeyPrefix: prefix, ClientSideCache: mode.clientSideCache})
			now := time.Now()
			link := porttest.Link("bench01").ID(1).URL("https://example.com/some/fairly/typical/path?utm_source=x").Created(now).Lifetime(24 * time.Hour).Build()
			if err := c.Set(context.Background(), link, now); err != nil {
				b.Fatal(err)
			}
			get := func() {
				if _, result, err := c.Get(context.Background(), link.Code(), time.Now()); err != nil || result != ports.CacheHit {
					b.Fatalf("Get = %v, %v; want a hit", result, err)
				}
			}
			b.Run("serial", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					get()
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						get()
					}
				})
			})
		})
	}
}
