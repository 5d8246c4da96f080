package redislimit

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/ports"
)

// Module provides a Limiter on the Redis its Options name, as the
// ports.RateLimiter, with a client of its own.
var Module = fx.Module("redislimit",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options) (ports.RateLimiter, error) {
			client, err := redisclient.Dial(opts.URL, opts.Timeout, 0)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(client.Close))
			return New(client, opts)
		},
	),
)
