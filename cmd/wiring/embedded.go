package wiring

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/adapters/passwords"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// Embedded is what STORE=embedded (or -embedded) runs instead of Servers:
// the bbolt store in DATA_DIR, an in-process cache and rate limiter, and no
// code pool, so codes come straight from the store's counter. Nothing in it
// dials a server.
var Embedded = fx.Options(
	bolt.Module,
	localCache,
	fx.Provide(func() ports.RateLimiter { return memory.NewRateLimiter() }),
	fx.Provide(func() ports.VisitorKeys { return memory.NewVisitorKeys() }),
)

// localCache is the in-process cache: the embedded mode's only cache, and
// the local tier in front of the shared one in server mode.
var localCache = fx.Provide(
	memory.NewCache,
	func(c *memory.Cache) ports.LocalLinkCache { return c },
)

// Core is what every api runs over its stores: visit counting, the
// registry /metrics serves, the use cases and the HTTP API.
var Core = fx.Options(visits, metrics, app.Module, httpapi.Module, passwords.Module)

// API is the api for cfg: Servers or Embedded under Core.
func API(cfg config.Config) fx.Option {
	stores := Servers
	if cfg.Store == "embedded" {
		stores = Embedded
	}
	return fx.Options(Settings(cfg), stores, Core)
}
