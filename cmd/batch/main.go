// Command batch keeps the shared code pool stocked.
//
//	batch         fill whenever the pool is below POOL_LOW_WATER, every BATCH_INTERVAL, until SIGTERM
//	batch --once  fill once and exit (for a scheduled task); exit 1 on failure
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
	"github.com/shortlink/shortlink/cmd/wiring/pgwiring"
)

func main() {
	once := flag.Bool("once", false, "fill the pool once and exit")
	flag.Parse()
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := pgwiring.CheckCredentials(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "batch:", err)
		os.Exit(1)
	}
	if *once {
		os.Exit(fillOnce(modules(cfg), cfg))
	}
	fx.New(modules(cfg), fx.Invoke(runLoop)).Run()
}

// modules is the batch: the Postgres counter, the codes Redis, the filler.
func modules(cfg config.Config) fx.Option {
	return fx.Options(fx.WithLogger(wiring.FxLogger), wiring.Settings(cfg), wiring.Batch, app.Module)
}

func fillOnce(modules fx.Option, cfg config.Config) int {
	var (
		filler *app.PoolFiller
		log    *slog.Logger
	)
	fxApp := fx.New(modules, fx.Populate(&filler, &log))
	if err := fxApp.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := fxApp.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer fxApp.Stop(context.Background()) //nolint:errcheck // exiting anyway
	added, err := filler.Fill(ctx)
	if err != nil {
		log.Error("fill failed", "added", added, "error", err)
		return 1
	}
	log.Info("pool filled", "added", added, "target", cfg.PoolTarget, "low_water", cfg.PoolLowWater)
	return 0
}

// runLoop fills the pool every BATCH_INTERVAL between start and stop. A
// failed fill is logged and retried at the next tick: an outage of Postgres
// or the codes Redis never stops the loop.
func runLoop(lc fx.Lifecycle, cfg config.Config, filler *app.PoolFiller, log *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				ticker := time.NewTicker(cfg.BatchInterval)
				defer ticker.Stop()
				for {
					added, err := filler.Fill(ctx)
					switch {
					case err != nil && ctx.Err() == nil:
						log.Warn("fill failed; retrying at the next tick", "added", added, "error", err)
					case added > 0:
						log.Info("pool filled", "added", added)
					}
					select {
					case <-ctx.Done():
						return
					case <-ticker.C:
					}
				}
			}()
			return nil
		},
		OnStop: func(stopCtx context.Context) error {
			cancel()
			select {
			case <-done:
				return nil
			case <-stopCtx.Done():
				return stopCtx.Err()
			}
		},
	})
}
