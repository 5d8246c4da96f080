// Command bench is `make bench`: throughput, latency and memory of the api
// on this machine, each against a floor or ceiling measured in the same run.
//
// It builds the binaries, makes a fresh database shortlink_bench, runs two
// private redis-servers, a private nginx, a bare net/http server and two
// api processes (access log off and on) on free loopback ports, seeds 1 000
// links, then runs rounds of
//
//	1  bare   wrk GET  → bareserver (fixed 302: the ceiling)
//	2  redir  wrk GET  → api, random picks among the seeded codes (cache hits)
//	2N, 2V    step 2 against twin apis that serve nothing else, visit counting off and on
//	3  nginx  wrk GET  → nginx → api, same codes
//	4  create wrk POST → api /v1/shortlink, random URLs, generated codes
//	5  pgins  pgbench: one committed INSERT of an equivalent row per transaction (the floor)
//	2L, 4L    steps 2 and 4 against the api with LOG_LEVEL=info LOG_REQUESTS=true
//
// With -capacity it runs, instead, a cached redirect, a miss (an unknown
// code) and a create against the api, with the CPU each cost the api,
// Postgres and both Redis per request: the per-core figures of the
// README's capacity model (test/bench/results/capacity.md).
//
// alternating, so drift of the machine hits every step alike, and reports
// the medians, the per-round ratios 2/1, 2V/2N and 4/5, the api's RSS after at
// least 1 M redirects and a duplicate-code check. Results go to stdout and
// test/bench/results/latest.md. Run it from the repository root.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

type options struct {
	rounds        int
	stepDuration  time.Duration
	warmup        time.Duration
	pause         time.Duration
	threads       int
	redirectConns int
	createConns   int
	links         int
	poolTarget    int64
	minRedirects  int64
	nginxWorkers  string
	adminURL      string
	dbName        string
	out           string
	keep          bool
	logRounds     bool
	capacity      bool
}

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 3, "rounds of all steps; medians are over rounds")
	flag.DurationVar(&o.stepDuration, "d", 8*time.Second, "duration of each step of a round")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "duration of each step's unmeasured warm-up")
	flag.DurationVar(&o.pause, "pause", 500*time.Millisecond, "idle time between steps")
	flag.IntVar(&o.threads, "t", 2, "wrk threads and pgbench jobs")
	flag.IntVar(&o.redirectConns, "c", 64, "wrk connections for redirects (steps 1-3)")
	flag.IntVar(&o.createConns, "cc", 16, "wrk connections for creates and pgbench clients (steps 4-5)")
	flag.IntVar(&o.links, "links", 1000, "links seeded for the redirect steps")
	flag.Int64Var(&o.poolTarget, "pool", 1_000_000, "codes put in the pool before the run (POOL_TARGET and POOL_LOW_WATER of batch --once)")
	flag.Int64Var(&o.minRedirects, "min-redirects", 1_000_000, "redirects the api must have served before its RSS is read")
	flag.StringVar(&o.nginxWorkers, "nginx-workers", "1", "nginx worker_processes (a number or auto)")
	flag.StringVar(&o.adminURL, "pg", envOr("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"Postgres URL of a database on a server where the bench may drop and create "+"its own (BENCH_PG_URL)")
	flag.StringVar(&o.dbName, "db", "shortlink_bench", "database the bench drops and recreates")
	flag.StringVar(&o.out, "out", "test/bench/results/latest.md", "markdown report")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (logs, configs) after the run")
	flag.BoolVar(&o.logRounds, "log-steps", true, "also run steps 2L and 4L (access log on) in every round")
	flag.BoolVar(&o.capacity, "capacity", false, "instead of the steps above, measure the CPU a cached redirect, a miss and a create cost the api, "+
		"Postgres and both Redis (the capacity model's figures; -out defaults to test/bench/results/capacity.md)")
	flag.Parse()
	if o.capacity && !flagSet("out") {
		o.out = "test/bench/results/capacity.md"
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	start := time.Now()
	err := run(ctx, o)
	if ctx.Err() != nil {
		err = fmt.Errorf("interrupted; servers stopped (%w)", err)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("bench: done in %s\n", time.Since(start).Round(time.Second))
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, o options) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run from the repository root (no go.mod here)")
	}
	if err := checkTools("go", "wrk", "nginx", "redis-server", "pgbench"); err != nil {
		return err
	}
	if o.rounds < 1 || o.stepDuration < time.Second {
		return fmt.Errorf("need -rounds ≥ 1 and -d ≥ 1s")
	}
	dir, err := os.MkdirTemp("", "shortlink-bench-")
	if err != nil {
		return err
	}
	b := &bench{opts: o, dir: dir, start: time.Now()}
	defer func() {
		b.cleanup()
		if o.keep {
			fmt.Println("bench: work directory kept:", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	if err := b.setUp(ctx); err != nil {
		return err
	}
	if o.capacity {
		return b.capacity(ctx)
	}
	if err := b.measure(ctx); err != nil {
		return err
	}
	if err := b.finish(ctx); err != nil {
		return err
	}
	report := b.report()
	fmt.Print(report)
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
		return err
	}
	fmt.Println("bench: report written to", o.out)
	return nil
}

func checkTools(names ...string) error {
	for _, name := range names {
		if _, err := lookPath(name); err != nil {
			return fmt.Errorf("%s not found on PATH (Debian: apt-get install wrk nginx redis-server postgresql-client): %w", name, err)
		}
	}
	if runtime.GOOS != "linux" {
		return fmt.Errorf("the bench reads /proc and needs Linux")
	}
	return nil
}
