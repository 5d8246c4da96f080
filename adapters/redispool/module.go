package redispool

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// Module provides the codes Redis as the code pool.
var Module = fx.Module("redispool",
	fx.Provide(
		func(lc fx.Lifecycle, cfg config.Config) (*Pool, error) {
			client, err := Dial(cfg.RedisCodesURL, cfg.RedisTimeout)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(client.Close))
			return New(client, Options{Timeout: cfg.RedisTimeout}), nil
		},
		func(p *Pool) ports.CodePool { return p },
	),
)
