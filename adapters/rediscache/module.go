package rediscache

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/ports"
)

// Module provides the Cache on the Redis its Options name, with client-side
// caching when Options.ClientSideCache is set, as the ports.LinkCache, and
// contributes its readiness check.
var Module = fx.Module("rediscache",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options) (*Cache, error) {
			client, err := redisclient.Dial(opts.URL, opts.Timeout, localCacheBytes(opts))
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(client.Close))
			return New(client, opts)
		},
		func(c *Cache) ports.LinkCache { return c },
		func(c *Cache) ports.VisitorKeys { return c },
		fx.Annotate((*Cache).ReadinessCheck, fx.ResultTags(`group:"readiness"`)),
	),
)

// localCacheBytes is the client-side cache a client for opts needs.
func localCacheBytes(opts Options) uint64 {
	if !opts.ClientSideCache {
		return 0
	}
	return opts.LocalCacheBytes
}
