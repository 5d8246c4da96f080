package rediscache

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// Module provides the cache Redis as the link cache, with client-side
// caching, and as the shared counter store of the create rate limit.
var Module = fx.Module("rediscache",
	fx.Provide(
		func(lc fx.Lifecycle, cfg config.Config) (*Cache, error) {
			client, err := Dial(cfg.RedisCacheURL, cfg.RedisTimeout, true)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(client.Close))
			return New(client, Options{
				TTL: cfg.CacheTTL, NegativeTTL: cfg.NegativeCacheTTL, Timeout: cfg.RedisTimeout, ClientSideCache: true,
			}), nil
		},
		func(c *Cache) ports.LinkCache { return c },
		func(c *Cache, cfg config.Config) ports.RateLimiter {
			return NewRateLimiter(c.client, "shortlink:ratelimit:", cfg.RedisTimeout)
		},
	),
)
