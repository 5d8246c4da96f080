package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// The capacity steps (-capacity) measure what one request of each kind
// costs every server it touches, in CPU time: the per-core figures the
// capacity model in docs/operations.md is built from.
const (
	capHit        = "hit"
	capHitCounted = "hit-counted"
	capMiss       = "miss"
	capCreate     = "create"
	missLua       = "test/bench/lua/miss.lua"
)

// components are the servers whose CPU a capacity step reports, in order.
var components = []string{"api", "postgres", "redis-cache", "redis-codes"}

// capacityResult is one capacity step of one round.
type capacityResult struct {
	measurement
	cpu map[string]float64 // µs of CPU per request, by component
}

// capacity runs the hit, miss and create steps -rounds times each, with
// the CPU every server spent on them, and writes the report to -out.
func (b *bench) capacity(ctx context.Context) error {
	// The api without access log and visit counting: what a request costs
	// at least. The one step on the defaults' api (access log, visit
	// counting) shows what counting costs the other servers: the api's
	// own share is in make bench's 2Q ÷ 2N.
	api := b.novisits
	pgRoot, err := b.postmasterPID(ctx)
	if err != nil {
		return fmt.Errorf("find the Postgres server's processes (the bench must run on its machine): %w", err)
	}
	o := b.opts
	steps := []struct {
		key string
		api *server
		run func(context.Context, time.Duration) (measurement, error)
	}{
		{capHit, api, b.redirectStep(api.url, b.codes)},
		{capHitCounted, b.api, b.redirectStep(b.api.url, b.codes)},
		{capMiss, api, func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.createThreads, o.createConns, d, missLua, api.url)
		}},
		{capCreate, api, b.createStep(api.url)},
	}
	results := map[string][]capacityResult{}
	for r := range o.rounds {
		for _, s := range steps {
			cpu := map[string]func() (time.Duration, error){
				"api":         func() (time.Duration, error) { return cpuTime(s.api.pid()) },
				"postgres":    func() (time.Duration, error) { return treeCPU(pgRoot) },
				"redis-cache": func() (time.Duration, error) { return cpuTime(b.stack.cache.pid()) },
				"redis-codes": func() (time.Duration, error) { return cpuTime(b.stack.codes.pid()) },
			}
			time.Sleep(o.pause)
			before := map[string]time.Duration{}
			for _, c := range components {
				if before[c], err = cpu[c](); err != nil {
					return fmt.Errorf("%s CPU: %w", c, err)
				}
			}
			m, err := s.run(ctx, o.stepDuration)
			if err != nil {
				return fmt.Errorf("capacity step %s: %w", s.key, err)
			}
			res := capacityResult{measurement: m, cpu: map[string]float64{}}
			for _, c := range components {
				after, err := cpu[c]()
				if err != nil {
					return fmt.Errorf("%s CPU: %w", c, err)
				}
				res.cpu[c] = float64(after-before[c]) / float64(time.Microsecond) / float64(max(m.Requests, 1))
			}
			results[s.key] = append(results[s.key], res)
			b.logf("capacity round %d/%d %-6s %7.0f req/s  p99 %6.2f ms  errors %d  cpu µs/req: api %.1f, postgres %.1f, redis-cache %.1f, redis-codes %.1f",
				r+1, o.rounds, s.key, m.RPS, m.P99, m.Errors, res.cpu["api"], res.cpu["postgres"], res.cpu["redis-cache"], res.cpu["redis-codes"])
		}
	}
	errors := sumMetric(testkit.Scrape(ctx, api.url), "shortlink_http_requests_total", `status="5`)
	links, bytesPerLink, err := b.storagePerLink(ctx)
	if err != nil {
		return err
	}
	report := b.capacityReport(results, errors) + fmt.Sprintf(
		"\nPostgres storage after the run: %d links, %.0f bytes per link (short_link partitions and code_claim, tables and indexes, after VACUUM ANALYZE).\n",
		links, bytesPerLink)
	fmt.Print(report)
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(o.out, []byte(report), 0o644)
}

func (b *bench) capacityReport(results map[string][]capacityResult, serverErrors int64) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# shortlink capacity steps (%s)\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&s, "`go run ./test/bench/cmd/bench -capacity`: %d rounds of %s per step, medians. All servers and wrk share this machine (%s); "+
		"CPU is user + system time of each server's processes (Postgres: the postmaster and every backend) per completed request.\n\n",
		b.opts.rounds, b.opts.stepDuration, loadNote(b.loadStart))
	s.WriteString("| step | what one request does | req/s | p99 ms | errors | api µs | postgres µs | redis-cache µs | redis-codes µs |\n")
	s.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	what := map[string]string{
		capHit:        fmt.Sprintf("GET of one of %d cached links (wrk -c%d)", b.opts.links, b.opts.redirectConns),
		capHitCounted: "the same on `api`, the defaults: access log on, each visit counted and written to Postgres every VISIT_FLUSH_INTERVAL",
		capMiss:       fmt.Sprintf("GET of a random unknown code: cache miss, Postgres lookup, negative entry (wrk -c%d)", b.opts.createConns),
		capCreate:     fmt.Sprintf("POST of a random URL, generated code (wrk -c%d)", b.opts.createConns),
	}
	for _, key := range []string{capHit, capHitCounted, capMiss, capCreate} {
		rs := results[key]
		col := func(f func(capacityResult) float64) float64 {
			xs := make([]float64, len(rs))
			for i, r := range rs {
				xs[i] = f(r)
			}
			return median(xs)
		}
		var errs int64
		for _, r := range rs {
			errs += r.Errors
		}
		fmt.Fprintf(&s, "| %s | %s | %.0f | %.2f | %d | %.1f | %.1f | %.1f | %.1f |\n", key, what[key],
			col(func(r capacityResult) float64 { return r.RPS }), col(func(r capacityResult) float64 { return r.P99 }), errs,
			col(func(r capacityResult) float64 { return r.cpu["api"] }), col(func(r capacityResult) float64 { return r.cpu["postgres"] }),
			col(func(r capacityResult) float64 { return r.cpu["redis-cache"] }), col(func(r capacityResult) float64 { return r.cpu["redis-codes"] }))
	}
	fmt.Fprintf(&s, "\n5xx answers counted by the api over the run: %d. Versions: %s.\n", serverErrors, versionLine(b.version))
	return s.String()
}

func loadNote(load string) string {
	if load == "" {
		return "load average unknown"
	}
	return "1-minute load average " + load + " at the start"
}

func versionLine(v map[string]string) string {
	parts := make([]string, 0, len(v))
	for _, k := range []string{"go", "postgres", "redis", "nginx"} {
		if v[k] != "" {
			parts = append(parts, v[k])
		}
	}
	return strings.Join(parts, ", ")
}

// storagePerLink is the links in the database and the bytes each takes in
// the tables and indexes that grow with them.
func (b *bench) storagePerLink(ctx context.Context) (int64, float64, error) {
	db := b.stack.dbURL
	if err := execAll(ctx, db, "VACUUM ANALYZE"); err != nil {
		return 0, 0, err
	}
	links, err := queryInt(ctx, db, "SELECT count(*) FROM short_link")
	if err != nil {
		return 0, 0, err
	}
	bytes, err := queryInt(ctx, db, `SELECT (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits
		WHERE inhparent = 'short_link'::regclass) + pg_total_relation_size('code_claim')`)
	if err != nil {
		return 0, 0, err
	}
	return links, float64(bytes) / float64(max(links, 1)), nil
}

// postmasterPID reads the Postgres server's pid from its data directory.
func (b *bench) postmasterPID(ctx context.Context) (int, error) {
	db, err := sql.Open("postgres", b.stack.dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var dir string
	if err := db.QueryRowContext(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		return 0, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// treeCPU is the CPU time of root, of its children that have exited (its
// cutime and cstime: the postmaster reaps its backends) and of those alive.
// Between two readings it grows by what the whole server spent, backends
// that came and went included.
func treeCPU(root int) (time.Duration, error) {
	total, err := statTicks(root, 11, 12, 13, 14) // utime, stime, cutime, cstime
	if err != nil {
		return 0, err
	}
	for _, child := range testkit.ChildrenOf(root) {
		if t, err := statTicks(child, 11, 12); err == nil { // a child may exit meanwhile
			total += t
		}
	}
	return time.Duration(total) * time.Second / clockTicks, nil
}

// statTicks sums the given fields of /proc/<pid>/stat, counted from the
// field after the command name (0 is the state).
func statTicks(pid int, fields ...int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := strings.LastIndexByte(string(raw), ')')
	all := strings.Fields(string(raw[i+1:]))
	var ticks int64
	for _, f := range fields {
		if i < 0 || f >= len(all) {
			return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
		}
		n, err := strconv.ParseInt(all[f], 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return ticks, nil
}
