// Command api serves the shortlink HTTP API.
//
//	api               serve on API_ADDR until SIGINT/SIGTERM, then drain
//	api -healthcheck  probe a running api's /v1/health (for container checks)
package main

import (
	"flag"
	"fmt"
	"os"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe the local api's /v1/health and exit 0 when it answers 200")
	flag.Parse()

	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *healthcheck {
		os.Exit(probe(cfg.APIAddr))
	}
	fx.New(
		fx.Supply(cfg),
		fx.WithLogger(func() fxevent.Logger { return fxevent.NopLogger }),
		fx.StopTimeout(cfg.ShutdownTimeout),
		config.Module,
		postgres.Module,
		rediscache.Module,
		redispool.Module,
		app.Module,
		readinessModule,
		metricsModule,
		httpapi.Module,
	).Run()
}
