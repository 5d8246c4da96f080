// Package wiring is where the one validated configuration meets the
// adapters: it maps config.Config to each adapter's and the use cases'
// Options and assembles the fx modules of the api and the batch. cmd/*
// and the test assemblies build their applications from it, so a test runs
// the same graph as production.
package wiring

import (
	"syscall"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/adapters/geo"
	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redislimit"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring/pgwiring"
	"github.com/shortlink/shortlink/domain"
)

// AppOptions are the use cases' settings.
func AppOptions(cfg config.Config) app.Options {
	return app.Options{
		URLs: cfg.URLPolicy(), Expiry: cfg.ExpiryPolicy(), Quarantine: domain.CodeQuarantine(cfg.CodeQuarantine),
		CodeSecret: cfg.CodeSecret, CodeSecretRotate: cfg.CodeSecretRotate,
		AdminKeys: cfg.AdminKeys, MissRateLimit: cfg.MissRateLimit,
		PoolTakeBatch: cfg.PoolTakeBatch, PoolTarget: cfg.PoolTarget, PoolLowWater: cfg.PoolLowWater,
		VisitFlushInterval: cfg.VisitFlushInterval, VisitPendingKeys: cfg.VisitPendingKeys,
		VisitPendingBytes: int64(cfg.VisitPendingBytes), VisitUniquesInterval: cfg.VisitUniquesInterval,
		VisitDimensions:     cfg.VisitDimensions,
		ForwardQueryDefault: cfg.ForwardQueryDefault, Retention: cfg.Retention(),
		DefaultDomain: defaultDomain(cfg),
	}
}

// defaultDomain is the host of PUBLIC_BASE_URL (config has checked it)
// with NOT_FOUND_URL.
func defaultDomain(cfg config.Config) domain.ShortDomain {
	host, _ := domain.DefaultDomainHost(cfg.PublicBaseURL)
	return domain.ShortDomain{Host: host, NotFoundURL: cfg.NotFoundURL, Default: true}
}

// PostgresOptions are the api's and batch's store settings.
func PostgresOptions(cfg config.Config) postgres.Options { return pgwiring.StoreOptions(cfg) }

// CacheOptions are the shared redirect cache's settings. Client-side
// caching is off: the local tier (MemoryCacheOptions), which the store's
// change feed keeps in step, holds the hot links in process instead.
func CacheOptions(cfg config.Config) rediscache.Options {
	return rediscache.Options{
		URL: cfg.RedisCacheURL, TTL: cfg.CacheTTL, NegativeTTL: cfg.NegativeCacheTTL, Timeout: cfg.RedisTimeout,
	}
}

// LimiterOptions put the rate limiter's counters in the cache Redis.
func LimiterOptions(cfg config.Config) redislimit.Options {
	return redislimit.Options{URL: cfg.RedisCacheURL, Timeout: cfg.RedisTimeout}
}

// PoolOptions are the code pool's settings.
func PoolOptions(cfg config.Config) redispool.Options {
	return redispool.Options{URL: cfg.RedisCodesURL, Timeout: cfg.RedisTimeout}
}

// BoltOptions are the embedded store's settings.
func BoltOptions(cfg config.Config) bolt.Options {
	return bolt.Options{Dir: cfg.DataDir, Retention: cfg.Retention(), Quarantine: domain.CodeQuarantine(cfg.CodeQuarantine)}
}

// MemoryCacheOptions are the in-process cache's settings: the local tier
// of every api (and the only cache of the embedded mode).
func MemoryCacheOptions(cfg config.Config) memory.CacheOptions {
	return memory.CacheOptions{TTL: cfg.CacheTTL, NegativeTTL: cfg.NegativeCacheTTL, MaxBytes: uint64(cfg.LocalCacheBytes)}
}

// HTTPOptions are the HTTP API's settings.
func HTTPOptions(cfg config.Config) httpapi.Options {
	proxies, _ := cfg.TrustedProxyPrefixes() // validated by config.Load
	return httpapi.Options{
		Addr: cfg.APIAddr, PublicBaseURL: cfg.PublicBaseURL, RequestTimeout: cfg.RequestTimeout,
		TrustedProxies: proxies, LogRequests: cfg.LogRequests, LogClientIP: cfg.LogClientIP,
		CreateRateLimit: cfg.CreateRateLimit, APIKeys: cfg.APIKeys, AnonymousCreate: cfg.AnonymousCreate, MaxConnections: maxConnections(cfg),
		MetricsAddr: cfg.MetricsAddr, MetricsOffAPI: !cfg.MetricsOnAPIListener(),
		ShutdownDrain: cfg.ShutdownDrain,
		DefaultTTL:    cfg.DefaultTTL.Duration(), MaxTTL: cfg.MaxTTL.Duration(), MaxURLLength: cfg.MaxURLLength,
		NotFoundURL: cfg.NotFoundURL, AllowRobots: cfg.Robots == "allow",
		Greet: greeting(cfg),
	}
}

// Settings supplies cfg, the logger and every Options derived from cfg.
func Settings(cfg config.Config) fx.Option {
	return fx.Options(
		config.Module(cfg),
		fx.Supply(
			NewLogger(cfg),
			AppOptions(cfg), PostgresOptions(cfg), CacheOptions(cfg), LimiterOptions(cfg),
			PoolOptions(cfg), BoltOptions(cfg), MemoryCacheOptions(cfg), HTTPOptions(cfg),
			geo.Options{DBPath: cfg.GeoIPDB},
		),
	)
}

// maxConnections is MAX_CONNECTIONS, or, when it is 0, three quarters of
// the process's open-file limit: idle keep-alive connections must not use
// up the descriptors the store and the caches need.
func maxConnections(cfg config.Config) int {
	if cfg.MaxConnections > 0 {
		return cfg.MaxConnections
	}
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil || limit.Cur == 0 {
		return 768 // three quarters of the common default of 1024
	}
	return int(min(limit.Cur, 1<<20) * 3 / 4)
}
