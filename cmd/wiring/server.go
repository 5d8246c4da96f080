package wiring

import (
	"context"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redislimit"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/app"
)

// readinessTimeout bounds each dependency's ping in /v1/ready.
const readinessTimeout = time.Second

// Servers is what the api runs on in production: Postgres, the cache Redis
// (redirect cache and rate limits) and the codes Redis, with the readiness
// checks and metrics that go with them.
var Servers = fx.Options(
	postgres.Module, rediscache.Module, redislimit.Module, redispool.Module,
	fx.Provide(serversReadiness, serversRegistry),
)

// serversReadiness names the dependencies /v1/ready reports on.
func serversReadiness(store *postgres.Store, cache *rediscache.Cache, pool *redispool.Pool) *app.Readiness {
	return app.NewReadiness(readinessTimeout,
		app.DependencyCheck{Name: "postgres", Ping: store.Ping},
		app.DependencyCheck{Name: "redis-cache", Ping: cache.Ping},
		app.DependencyCheck{Name: "redis-codes", Ping: pool.Ping},
	)
}

// serversRegistry is the common registry plus the Postgres connection pool
// and the code pool.
func serversRegistry(store *postgres.Store, cache *rediscache.Cache, pool *redispool.Pool,
	supply *app.CodeSupply, resolver *app.Resolver, rec *app.VisitRecorder, flushes *flushHistogram,
) *prometheus.Registry {
	reg := newRegistry(cache, resolver, visitCollectors(rec, flushes))
	reg.MustRegister(
		store.Collector(),
		counterFunc("shortlink_pool_fallbacks_total", "Code buffer refills that bypassed an empty or unreachable pool.", supply.Fallbacks),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "shortlink_pool_size", Help: "Codes in the shared pool (NaN while the codes Redis is unreachable).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), readinessTimeout)
			defer cancel()
			n, err := pool.Size(ctx)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}),
	)
	return reg
}

// Batch is what the batch runs on: the Postgres counter and the codes Redis.
var Batch = fx.Options(postgres.Module, redispool.Module)
