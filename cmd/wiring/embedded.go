package wiring

import (
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// Embedded is what STORE=embedded (or -embedded) runs instead of Servers:
// the bbolt store in DATA_DIR, an in-process cache and rate limiter, and no
// code pool, so codes come straight from the store's counter. Nothing in it
// dials a server.
var Embedded = fx.Options(
	bolt.Module,
	fx.Provide(
		memory.NewCache,
		func(c *memory.Cache) ports.LinkCache { return c },
		func() ports.RateLimiter { return memory.NewRateLimiter() },
		func(store *bolt.Store) *app.Readiness {
			return app.NewReadiness(readinessTimeout, app.DependencyCheck{Name: "embedded-store", Ping: store.Ping})
		},
		func(cache *memory.Cache, resolver *app.Resolver, rec *app.VisitRecorder, flushes *flushHistogram) *prometheus.Registry {
			return newRegistry(cache, resolver, visitCollectors(rec, flushes))
		},
	),
)

// API is the api for cfg: Servers or Embedded under the use cases and the
// HTTP API.
func API(cfg config.Config) fx.Option {
	stores := Servers
	if cfg.Store == "embedded" {
		stores = Embedded
	}
	return fx.Options(Settings(cfg), stores, visits, app.Module, httpapi.Module)
}
