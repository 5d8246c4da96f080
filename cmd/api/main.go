// Command api serves the shortlink HTTP API.
//
//	api               serve on API_ADDR until SIGINT/SIGTERM, then drain
//	api -embedded     the same with no servers: links in DATA_DIR (as STORE=embedded)
//	api -healthcheck  probe a running api's /v1/health (for container checks)
package main

import (
	"flag"
	"fmt"
	"os"

	"go.uber.org/dig"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe the local api's /v1/health and exit 0 when it answers 200")
	embedded := flag.Bool("embedded", false, "keep links in DATA_DIR with no Postgres or Redis (same as STORE=embedded)")
	flag.Parse()

	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *embedded {
		_, publicBaseURLSet := os.LookupEnv("PUBLIC_BASE_URL")
		cfg.UseEmbeddedStore(publicBaseURLSet)
	}
	if *healthcheck {
		os.Exit(probe(cfg.APIAddr))
	}
	api := fx.New(modules(cfg), fx.WithLogger(config.FxLogger), fx.StopTimeout(cfg.ShutdownTimeout))
	if err := api.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "api:", dig.RootCause(err))
		os.Exit(1)
	}
	api.Run()
}

// modules is the api for cfg: Postgres and both Redis, or the embedded store.
func modules(cfg config.Config) fx.Option {
	stores := fx.Options(postgres.Module, rediscache.Module, redispool.Module, readinessModule, metricsModule)
	if cfg.Store == "embedded" {
		stores = embeddedModule
	}
	return fx.Options(fx.Supply(cfg), config.Module, stores, app.Module, httpapi.Module)
}
