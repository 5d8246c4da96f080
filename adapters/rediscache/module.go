package rediscache

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/ports"
)

// Module provides the Cache on the Redis its Options name, with client-side
// caching when Options.ClientSideCache is set, as the ports.LinkCache.
var Module = fx.Module("rediscache",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options) (*Cache, error) {
			client, err := redisclient.Dial(opts.URL, opts.Timeout, opts.ClientSideCache)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(client.Close))
			return New(client, opts)
		},
		func(c *Cache) ports.LinkCache { return c },
	),
)
