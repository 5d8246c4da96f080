// Command bench is `make bench` and `make bench-scale`: throughput,
// latency and memory of the api on this machine, each against a floor or
// ceiling measured in the same run.
//
// It builds the binaries, makes a fresh database shortlink_bench with
// -miss-links links seeded in SQL, runs two private redis-servers, a
// private nginx, a bare net/http server and four api processes on free
// loopback ports, seeds 1 000 links through the api, then runs rounds of
//
//	1   bare     wrk GET  → bareserver (fixed 302: the ceiling)
//	2   defaults wrk GET  → api as a user runs it (access log, visit counting), random picks among the 1 000 codes
//	2Q, 2N       the same against an api with LOG_REQUESTS=false, and one that also counts no visits
//	3   nginx    wrk GET  → nginx → api, same codes
//	4   create   wrk POST → api /v1/shortlink, random URLs, generated codes
//	5   pgbench: one committed INSERT of an equivalent row (the floor); 5C: one claim_and_insert_links
//	6   miss     wrk GET  → api of links seeded in SQL, none asked twice (cache misses)
//	6P  pgbench: the api's lookup of one random seeded code
//
// alternating (five rounds by default), so drift of the machine hits
// every step alike; every wrk step sends the request mix of lua/common.lua
// (user agents, client addresses through a trusted proxy, languages,
// referrers). Then the hit rate of the api's own memory at 16 and 128 MiB under a Zipf-like
// load, and the RSS of the defaults api and of an embedded-mode api after
// a mixed soak with the project's load tool. It reports medians with the
// spread of the rounds, per-round ratios, the server CPU per request, the
// in-process engine benchmarks (allocations per cached redirect and per
// miss), a duplicate-code check and the targets of the performance issue.
// Results go to stdout and test/bench/results/latest.md. Run it from the
// repository root.
//
// With -quick (make bench-quick) it runs only steps 1, 2, 4, 5, 5C, 6 and
// 6P, with shorter steps (4 s) and no Zipf or soak: the headline ratios of a
// change, before and after, in a few minutes (test/bench/results/quick.md).
//
// With -scale (make bench-scale) it instead compares two stacks, one with
// -scale-links links seeded in SQL and one with -scale-base: creates,
// cached redirects, misses and statistics reads (scale.go). With -spread N
// as well (make bench-scale-spread) it compares -scale-links permanent
// links created over N months with the same links created in one month:
// cache-miss redirects, which read a code's claim and then the one
// partition holding its link (spread.go).
//
// With -export N (make bench-export) it seeds N links in SQL and exports
// them all through one api, in CSV and NDJSON, reporting the api's RSS
// growth (SPEC §17: ≤ 32 MiB for 1 M links) and the time (export.go).
//
// With -capacity it runs a cached redirect, a miss (an unknown code) and a
// create, and a cached redirect whose visit is counted, with the CPU each
// cost the api, Postgres and both Redis per request: the per-core figures of the capacity model in docs/operations.md
// (test/bench/results/capacity.md).
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

	"github.com/shortlink/shortlink/test/testkit"
)

type options struct {
	rounds        int
	stepDuration  time.Duration
	warmup        time.Duration
	pause         time.Duration
	threads       int
	createThreads int
	redirectConns int
	createConns   int
	missConns     int
	links         int
	missLinks     int
	poolTarget    int64
	zipfWarm      time.Duration
	zipfDuration  time.Duration
	soak          time.Duration
	soakVUs       int
	nginxWorkers  string
	adminURL      string
	dbName        string
	out           string
	keep          bool
	quick         bool
	dimsOnly      bool
	goBench       bool
	capacity      bool
	scale         bool
	scaleLinks    int
	scaleBase     int
	spread        int
	listClients   int
	listDuration  time.Duration
	export        int
}

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 5, "rounds of all steps; medians are over rounds")
	flag.DurationVar(&o.stepDuration, "d", 8*time.Second, "duration of each step of a round (-quick: 4s unless set)")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "duration of each step's unmeasured warm-up (-quick: 1s unless set)")
	flag.DurationVar(&o.pause, "pause", 500*time.Millisecond, "idle time between steps")
	flag.IntVar(&o.threads, "t", 1, "wrk threads for cached redirects (steps 1-3)")
	flag.IntVar(&o.createThreads, "tc", 2, "wrk threads and pgbench jobs for creates and misses (steps 4-6)")
	flag.IntVar(&o.redirectConns, "c", 64, "wrk connections for cached redirects (steps 1-3)")
	flag.IntVar(&o.createConns, "cc", 32, "wrk connections for creates and pgbench clients (steps 4-5)")
	flag.IntVar(&o.missConns, "cm", 16, "wrk connections for misses and pgbench clients for lookups (step 6)")
	flag.IntVar(&o.links, "links", 1000, "links seeded through the api for the cached redirect steps")
	flag.IntVar(&o.missLinks, "miss-links", 3_000_000, "links seeded in SQL for the miss and Zipf steps")
	flag.Int64Var(&o.poolTarget, "pool", 1_000_000, "codes put in the pool before the run (POOL_TARGET and POOL_LOW_WATER of batch --once)")
	flag.DurationVar(&o.zipfWarm, "zipf-warm", 20*time.Second, "Zipf load on each api before its hit rate is measured")
	flag.DurationVar(&o.zipfDuration, "zipf", 20*time.Second, "Zipf load measured on each api")
	flag.DurationVar(&o.soak, "soak", 2*time.Minute, "mixed soak of the load tool on each mode before RSS is read (0: none)")
	flag.IntVar(&o.soakVUs, "soak-vus", 16, "virtual users of the soak")
	flag.BoolVar(&o.scale, "scale", false, "instead, compare a stack of -scale-links links with one of -scale-base (make bench-scale; -out defaults to test/bench/results/scale.md)")
	flag.IntVar(&o.scaleLinks, "scale-links", 10_000_000, "links seeded in SQL on the large side of -scale")
	flag.IntVar(&o.scaleBase, "scale-base", 1_000_000, "links seeded in SQL on the small side of -scale (enough that misses stay misses)")
	flag.IntVar(&o.listClients, "list-clients", 2, "with -scale, clients of the listing matrix, each waiting for its page before asking the next")
	flag.DurationVar(&o.listDuration, "list-d", 3*time.Second, "with -scale, warm-up and then measured time of each cell of the listing matrix")
	flag.IntVar(&o.spread, "spread", 0, "with -scale, instead compare -scale-links permanent links created over this many months with the same in one month "+
		"(make bench-scale-spread; -out defaults to test/bench/results/spread.md)")
	flag.IntVar(&o.export, "export", 0, "instead, seed this many links in SQL and export them all through one api, in CSV and NDJSON, "+
		"reporting its RSS growth and the time (make bench-export; -out defaults to test/bench/results/export.md)")
	flag.StringVar(&o.nginxWorkers, "nginx-workers", "1", "nginx worker_processes (a number or auto)")
	flag.StringVar(&o.adminURL, "pg", testkit.EnvOr("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"Postgres URL of a database on a server where the bench may drop and create "+"its own (BENCH_PG_URL)")
	flag.StringVar(&o.dbName, "db", "shortlink_bench", "database the bench drops and recreates")
	flag.StringVar(&o.out, "out", "test/bench/results/latest.md", "markdown report")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (logs, configs) after the run")
	flag.BoolVar(&o.quick, "quick", false, "only the headline steps (cached redirect, creates, misses and their references), "+
		"-d 4s, -warmup 1s, no Zipf or soak (make bench-quick; -out defaults to test/bench/results/quick.md)")
	flag.BoolVar(&o.dimsOnly, "dims", false, "only what the visit dimensions cost: steps 1, 2 and 2V, interleaved, with -quick's settings "+
		"(-miss-links 10000, -pool 20000, no -gobench unless set; -out defaults to test/bench/results/dims.md)")
	flag.BoolVar(&o.goBench, "gobench", true, "run the in-process engine benchmarks (BenchmarkEngine in test/bench: allocs/op, B/op, ns/op) first")
	flag.BoolVar(&o.capacity, "capacity", false, "instead of the steps above, measure the CPU a cached redirect, a miss and a create cost the api, "+
		"Postgres and both Redis (the capacity model's figures; -out defaults to test/bench/results/capacity.md)")
	flag.Parse()
	if o.capacity && !flagSet("out") {
		o.out = "test/bench/results/capacity.md"
	}
	if o.scale && !flagSet("out") {
		o.out = "test/bench/results/scale.md"
		if o.spread > 0 {
			o.out = "test/bench/results/spread.md"
		}
	}
	if o.export > 0 && !flagSet("out") {
		o.out = "test/bench/results/export.md"
	}
	if o.dimsOnly {
		o.quick = true
		if !flagSet("out") {
			o.out = "test/bench/results/dims.md"
		}
		if !flagSet("miss-links") {
			o.missLinks = 10_000
		}
		if !flagSet("pool") {
			o.poolTarget = 20_000
		}
		if !flagSet("gobench") {
			o.goBench = false
		}
	}
	if o.quick {
		if !flagSet("out") && !o.dimsOnly {
			o.out = "test/bench/results/quick.md"
		}
		if !flagSet("d") {
			o.stepDuration = 4 * time.Second
		}
		if !flagSet("warmup") {
			o.warmup = time.Second
		}
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
	if o.quick && (o.scale || o.capacity) {
		return fmt.Errorf("-quick is a shorter make bench: it does not combine with -scale or -capacity")
	}
	if !o.capacity && !o.scale && o.export == 0 && o.missLinks < 10_000 {
		return fmt.Errorf("need -miss-links ≥ 10000: the miss and Zipf steps read those links")
	}
	dir, err := os.MkdirTemp("", "shortlink-bench-")
	if err != nil {
		return err
	}
	b := &bench{opts: o, dir: dir, start: time.Now(), version: map[string]string{}}
	defer func() {
		b.cleanup()
		if o.keep {
			fmt.Println("bench: work directory kept:", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	var report string
	switch {
	case o.export > 0:
		if report, err = b.runExport(ctx); err != nil {
			return err
		}
	case o.scale && o.spread > 0:
		if report, err = b.runSpread(ctx); err != nil {
			return err
		}
	case o.scale:
		if report, err = b.runScale(ctx); err != nil {
			return err
		}
	default:
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
		report = b.report()
	}
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
