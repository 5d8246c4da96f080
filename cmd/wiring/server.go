package wiring

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redislimit"
	"github.com/shortlink/shortlink/adapters/redispool"
)

// Servers is what the api runs on in production: Postgres and its change
// feed, the cache Redis (the shared redirect cache and rate limits), the
// codes Redis, and the in-process cache in front of the shared one. Each
// module contributes its own readiness check and metrics.
var Servers = fx.Options(postgres.Module, postgres.ChangeFeedModule, rediscache.Module, redislimit.Module, redispool.Module, localCache)

// Batch is what the batch runs on: the Postgres counter and the codes Redis.
var Batch = fx.Options(postgres.Module, redispool.Module)
