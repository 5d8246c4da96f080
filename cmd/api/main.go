// Command api serves the shortlink HTTP API.
//
//	api               serve on API_ADDR until SIGINT/SIGTERM, then drain
//	api -embedded     the same with no servers: links in DATA_DIR (as STORE=embedded)
//	api -healthcheck  probe a running api's /v1/health (for container checks)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"

	"go.uber.org/dig"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
	"github.com/shortlink/shortlink/cmd/wiring/pgwiring"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe the local api's /v1/health and exit 0 when it answers 200")
	embedded := flag.Bool("embedded", false, "keep links in DATA_DIR with no Postgres or Redis (same as STORE=embedded)")
	flag.Parse()

	lookup := os.LookupEnv
	if *embedded {
		lookup = config.WithEmbeddedStore(lookup)
	}
	cfg, err := config.Load(lookup)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *healthcheck {
		os.Exit(probe(cfg.APIAddr))
	}
	if !cfg.GoMemLimit.Off {
		debug.SetMemoryLimit(int64(cfg.GoMemLimit.ByteSize))
	}
	if err := pgwiring.CheckCredentials(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
	// Stop hooks share one deadline: the server's drain, then
	// SHUTDOWN_TIMEOUT for the in-flight requests and everything after them.
	api := fx.New(wiring.API(cfg), fx.WithLogger(wiring.FxLogger), fx.StopTimeout(cfg.ShutdownDrain+cfg.ShutdownTimeout))
	if err := api.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "api:", dig.RootCause(err))
		os.Exit(1)
	}
	api.Run()
}
