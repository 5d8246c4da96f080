package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
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

// embeddedRegistry is metricsModule's registry without the collectors of
// servers embedded mode does not have (connection pool, Redis, code pool).
func embeddedRegistry(resolver *app.Resolver) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	counter := func(name, help string, read func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(read()) })
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		counter("shortlink_cache_errors_total", "Cache operations that failed and fell back to the store.", resolver.CacheErrors),
	)
	return reg
}
