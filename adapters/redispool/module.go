package redispool

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/ports"
)

// Module provides the Pool on the Redis its Options name as the
// ports.CodePool, and contributes its readiness check and its size gauge.
var Module = fx.Module("redispool",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options) (*Pool, error) {
			client, err := redisclient.Dial(opts.URL, opts.Timeout, 0)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(client.Close))
			return New(client, opts)
		},
		func(p *Pool) ports.CodePool { return p },
		fx.Annotate((*Pool).ReadinessCheck, fx.ResultTags(`group:"readiness"`)),
		fx.Annotate((*Pool).Collector, fx.ResultTags(`group:"collectors"`)),
	),
)
