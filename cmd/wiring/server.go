package wiring

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redislimit"
	"github.com/shortlink/shortlink/adapters/redispool"
)

// Servers is what the api runs on in production: Postgres, the cache Redis
// (redirect cache and rate limits) and the codes Redis. Each module
// contributes its own readiness check and metrics.
var Servers = fx.Options(postgres.Module, rediscache.Module, redislimit.Module, redispool.Module)

// Batch is what the batch runs on: the Postgres counter and the codes Redis.
var Batch = fx.Options(postgres.Module, redispool.Module)
