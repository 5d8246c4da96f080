package main

import (
	"context"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/app"
)

// readinessModule names the dependencies /v1/ready reports on.
var readinessModule = fx.Provide(func(store *postgres.Store, cache *rediscache.Cache, pool *redispool.Pool) *app.Readiness {
	return app.NewReadiness(time.Second,
		app.DependencyCheck{Name: "postgres", Ping: store.Ping},
		app.DependencyCheck{Name: "redis-cache", Ping: cache.Ping},
		app.DependencyCheck{Name: "redis-codes", Ping: pool.Ping},
	)
})

// metricsModule provides the registry /metrics serves: the common metrics
// plus the Postgres connection pool and the code pool.
var metricsModule = fx.Provide(func(store *postgres.Store, cache *rediscache.Cache, pool *redispool.Pool,
	supply *app.CodeSupply, resolver *app.Resolver,
) *prometheus.Registry {
	reg := newRegistry(cache, resolver)
	reg.MustRegister(
		collectors.NewDBStatsCollector(store.DB().DB, "shortlink"),
		counterFunc("shortlink_pool_fallbacks_total", "Code buffer refills that bypassed an empty or unreachable pool.", supply.Fallbacks),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "shortlink_pool_size", Help: "Codes in the shared pool (NaN while the codes Redis is unreachable).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			n, err := pool.Size(ctx)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}),
	)
	return reg
})
