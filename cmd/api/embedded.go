package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// embeddedCacheEntries bounds the in-process redirect cache.
const embeddedCacheEntries = 100_000

// embeddedModule is what STORE=embedded (or -embedded) runs instead of
// Postgres and both Redis: the bbolt store in DATA_DIR, an in-process cache
// and rate limiter, and no code pool, so codes come straight from the
// store's counter. Nothing in it dials a server.
var embeddedModule = fx.Options(
	bolt.Module,
	fx.Provide(
		func(cfg config.Config) *memory.Cache {
			return memory.NewCache(cfg.CacheTTL, cfg.NegativeCacheTTL, embeddedCacheEntries, time.Now)
		},
		func(c *memory.Cache) ports.LinkCache { return c },
		func() ports.RateLimiter { return memory.NewRateLimiter(time.Now) },
		func(store *bolt.Store) *app.Readiness {
			return app.NewReadiness(time.Second, app.DependencyCheck{Name: "embedded-store", Ping: store.Ping})
		},
		embeddedRegistry,
	),
)

// embeddedRegistry is the common registry: embedded mode has no connection
// pool and no code pool to report on.
func embeddedRegistry(cache *memory.Cache, resolver *app.Resolver) *prometheus.Registry {
	return newRegistry(cache, resolver)
}
