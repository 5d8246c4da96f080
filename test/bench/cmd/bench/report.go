package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (b *bench) report() string {
	o := b.opts
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	v := b.version

	title := "shortlink bench"
	if o.quick {
		title = "shortlink bench -quick"
	}
	p("# %s — %s", title, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("")
	p("- machine: %d CPUs (%s), %s; %s", runtime.NumCPU(), v["cpu"], v["kernel"], v["go"])
	p("- tools: %s; %s; %s; %s; %s", v["wrk"], v["nginx"], v["redis"], v["pgbench"], v["postgres"])
	order := make([]string, len(b.steps))
	for i, s := range b.steps {
		order[i], _, _ = strings.Cut(s.key, " ")
	}
	p("- load: %d rounds of %s, %s each (after a %s unmeasured warm-up of every step); loopback only",
		o.rounds, strings.Join(order, "→"), o.stepDuration, o.warmup)
	p("- wrk -t%d -c%d --timeout 2s for the cached redirects (`lua/redirect.lua`: random picks among %d codes created through the api); "+
		"wrk -t%d -c%d for 4 (`lua/create.lua`); pgbench -n -M prepared -c%d -j%d for 5 and 5C; "+
		"wrk -t%d -c%d for 6 (`lua/cold.lua`: links seeded in SQL, %d of them, none asked twice) and pgbench -c%d -j%d for 6P",
		o.threads, o.redirectConns, o.links, o.createThreads, o.createConns, o.createConns, o.createThreads,
		o.createThreads, o.missConns, o.missLinks, o.missConns, o.createThreads)
	p("- request mix of every wrk step, the bare server's included (`lua/common.lua`): 68 user agents (`lua/useragents.txt`: browsers on desktops, " +
		"phones and tablets 85 %%, bots 15 %%), the client's address in X-Forwarded-For (6 000 addresses of ISPs in ten regions, a fifth IPv6; " +
		"TRUSTED_PROXIES=127.0.0.1/32,::1/128), Accept-Language with q-values and a Referer (or none) for browsers")
	if o.quick {
		p("- apis: `api` and `api-work` run the defaults (only the servers' addresses set: access log on, to a file; visit counting on; "+
			"LOCAL_CACHE_BYTES=16MiB; GOMEMLIMIT=48MiB; GOMAXPROCS=%d); `api` serves only cached redirects (2), like its twin `api-dims` (VISIT_DIMENSIONS=true, 2V), `api-work` the creates and misses (4, 6)",
			runtime.NumCPU())
	} else {
		p("- apis: `api` and `api-work` run the defaults (only the servers' addresses set: access log on, to a file; visit counting on; "+
			"LOCAL_CACHE_BYTES=16MiB; GOMEMLIMIT=48MiB; GOMAXPROCS=%d); `api` serves only cached redirects (2, 3), like its twins "+
			"`api-dims` (VISIT_DIMENSIONS=true, 2V), `api-quiet` (LOG_REQUESTS=false, 2Q) and `api-novisits` (also VISIT_PENDING_KEYS=0, 2N); `api-work` takes the creates and "+
			"the misses (4, 6), which fill its cache, and 2W; `api-128mib` is the defaults with LOCAL_CACHE_BYTES=128MiB", runtime.NumCPU())
		p("- nginx: compose/nginx/shortlink.conf (upstream and listen rewritten), worker_processes %s, access_log off", o.nginxWorkers)
	}
	p("- short domains: three, `%s` (PUBLIC_BASE_URL, the default; every seeded link is on it) and %s registered (short_domain rows, as `POST /v1/domains` stores them) "+
		"before the apis start, so the redirect path resolves each request's Host; every request to an api or nginx names Host `%s` "+
		"(wrk -H, the driver's Go clients, the load tool's -header), and before the steps each api (and nginx) answered 404 for Host 127.0.0.1 "+
		"and for the other two domains (three 404s an api, in the servers' counts below), 302 for `%s`", publicHost, "`"+strings.Join(extraDomains, "` and `")+"`", publicHost, publicHost)
	p("- code pool filled with %d codes first; load average %s at start, %s at the end", o.poolTarget, b.loadStart, b.loadEnd)
	p("")
	p("| step | req/s median (min–max) | p50 ms | p99 ms | errors | api RSS | server CPU µs/req (min–max) |")
	p("|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range b.steps {
		rss := median(b.column(s.key, func(m measurement) float64 { return float64(m.RSSKiB) }))
		p("| %s %s | %s | %.2f | %.2f | %d | %s | %s |", strings.SplitN(s.key, " ", 2)[0], s.label,
			withSpread(b.column(s.key, rps), "%.0f"), median(b.column(s.key, p50)), median(b.column(s.key, p99)),
			b.errors(s.key), mib(int64(rss)), cpuWithSpread(b.column(s.key, cpu)))
	}
	p("")
	p("Medians over the rounds, the lowest and highest round in brackets; errors (answers ≥ 400, socket errors, timeouts; failed transactions) " +
		"summed over the rounds. Server CPU: user+system time of the server processes (bareserver; api; nginx workers + api for 3) per request: " +
		"the steadiest figure when other load shares the machine.")
	p("")

	if o.dimsOnly {
		p("Ratios, median of the %d per-round ratios (lowest–highest; each round's):", o.rounds)
		p("- every visit dimension (countries, devices, browsers, OSes, campaigns, unique visitors): server CPU per cached redirect 2V/2 %s (%s vs %s µs; bare %s µs)",
			b.ratio(stepDims, stepDefaults, cpu), micros(median(b.column(stepDims, cpu))), micros(median(b.column(stepDefaults, cpu))), micros(median(b.column(stepBare, cpu))))
		p("- requests/s 2V/2 %s; 2/1 %s", b.ratio(stepDims, stepDefaults, rps), b.ratio(stepDefaults, stepBare, rps))
		p("- api RSS after each step, 2V/2: %s", b.ratio(stepDims, stepDefaults, func(m measurement) float64 { return float64(m.RSSKiB) }))
		p("")
		return w.String()
	}
	rDefaults := b.ratio(stepDefaults, stepBare, rps)
	rCreate := b.ratio(stepCreate, stepInsert, rps)
	rClaim := b.ratio(stepCreate, stepClaim, rps)
	rMiss := b.ratio(stepMiss, stepLookup, rps)
	cVisits := b.ratio(stepQuiet, stepNoVisits, cpu)
	p("Ratios, median of the %d per-round ratios (lowest–highest; each round's):", o.rounds)
	p("- 2/1 cached redirect, defaults ÷ bare: %s", rDefaults)
	if !o.quick {
		p("- 2Q/1 with LOG_REQUESTS=false: %s; 3/1 through nginx: %s", b.ratio(stepQuiet, stepBare, rps), b.ratio(stepNginx, stepBare, rps))
		p("- server CPU per cached redirect: defaults %s µs, bare %s µs; access log 2/2Q %s; visit counting 2Q/2N %s",
			micros(median(b.column(stepDefaults, cpu))), micros(median(b.column(stepBare, cpu))), b.ratio(stepDefaults, stepQuiet, cpu), cVisits)
		p("- 2W cached redirect on `api-work`, its cache full of the misses' links: ÷ bare %s; server CPU 2W/2 %s",
			b.ratio(stepWorked, stepBare, rps), b.ratio(stepWorked, stepDefaults, cpu))
	} else {
		p("- server CPU per cached redirect: defaults %s µs, bare %s µs; 2/1 %s",
			micros(median(b.column(stepDefaults, cpu))), micros(median(b.column(stepBare, cpu))), b.ratio(stepDefaults, stepBare, cpu))
	}
	p("- 2R/2 links with 3 redirect rules ÷ without (same api, interleaved): requests/s %s; server CPU per redirect %s",
		b.ratio(stepRules, stepDefaults, rps), b.ratio(stepRules, stepDefaults, cpu))
	p("- every visit dimension (countries, devices, browsers, OSes, campaigns, unique visitors): server CPU per cached redirect 2V/2 %s (%s vs %s µs)",
		b.ratio(stepDims, stepDefaults, cpu), micros(median(b.column(stepDims, cpu))), micros(median(b.column(stepDefaults, cpu))))
	p("- 4/5 create ÷ pgbench INSERT: %s; 4/5C create ÷ pgbench claim_and_insert_links: %s", rCreate, rClaim)
	p("- 6/6P cache-miss redirect ÷ pgbench lookup: %s", rMiss)
	p("")
	b.bulkReport(p)

	if len(b.goBench) > 0 {
		p("In-process engine, `go test ./test/bench -bench '^BenchmarkEngine$' -benchmem` (`alloc_test.go`: the router with its middleware and "+
			"access log, the handler, the in-process cache, visit counting; no network or HTTP parsing), run %d times before the servers start; "+
			"`TestAllocsPerRedirect` in `make test` holds the allocations to their budget:", goBenchCount)
		p("")
		p("| benchmark | ns/op median (min–max) | B/op | allocs/op |")
		p("|---|---:|---:|---:|")
		for _, r := range b.goBench {
			p("| %s | %s | %.0f | %.0f |", r.name, withSpread(r.nsPerOp, "%.0f"), r.bytesPerOp, r.allocsPerOp)
		}
		p("")
	}

	if len(b.zipf) > 0 {
		p("Hit rate of the api's own memory (client-side cache) under `lua/zipf.lua` (rank ⌊N^u⌋ over the %d seeded links: "+
			"the link of rank r is asked for 1/r as often as the first), wrk -t1 -c32, %s of warm-up then %s measured, each api in turn:",
			b.stack.links, o.zipfWarm, o.zipfDuration)
		p("")
		p("| api | LOCAL_CACHE_BYTES | redirects | answered from memory | req/s | p99 ms | errors | server CPU µs/req | VmRSS after | of which anon |")
		p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, z := range b.zipf {
			p("| %s | %s | %d | %.1f %% | %.0f | %.2f | %d | %.1f | %s | %s |", z.api, z.budget, z.requests, 100*z.hitRate(), z.rps, z.p99, z.errors, z.serverCPU, mib(z.rssKiB), mib(z.anonKiB))
		}
		p("")
	}
	zipfRatio := math.NaN()
	if len(b.zipf) == 2 && b.zipf[1].hitRate() > 0 {
		zipfRatio = b.zipf[0].hitRate() / b.zipf[1].hitRate()
	}
	if len(b.soaks) > 0 {
		p("Mixed soak, the project's load tool (`test/load -scenario mixed`: %d VUs, 20 %% creates, 80 %% redirects of its own links), %s on each mode; "+
			"RSS sampled every second by the tool:", o.soakVUs, o.soak)
		p("")
		p("| mode | requests | failed | req/s | p95 ms | cache hit rate | from memory | VmRSS end | of which anon | of which file | VmRSS peak | thresholds |")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
		for _, s := range b.soaks {
			p("| %s | %d | %d | %.0f | %.2f | %.1f %% | %.1f %% | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %s |", s.mode, s.requests, s.failed, s.rps, s.p95,
				100*float64(s.cacheHits)/float64(max(s.lookups, 1)), 100*float64(s.localHits)/float64(max(s.lookups, 1)),
				s.rssEndMiB, s.anonMiB, s.fileMiB, s.rssPeak, passed(s.passed))
		}
		p("")
		p("anon is the process's own memory (RssAnon: Go heap, stacks, runtime); file is pages of files it maps (RssFile: " +
			"the binary's code and read-only data, and in embedded mode the data file, which bbolt reads through mmap): " +
			"page cache the kernel can reclaim and, for the binary, share between processes.")
		p("")
	}

	f := b.final
	p99Defaults := median(b.column(stepDefaults, p99))
	p99Miss := median(b.column(stepMiss, p99))
	var allErrs int64
	for _, s := range b.steps {
		allErrs += b.errors(s.key)
	}
	for _, z := range b.zipf {
		allErrs += z.errors
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	// The one table of the performance issue of round three: every
	// measure of this run beside its floor or ceiling. The scale rows
	// (10 M links) come from make bench-scale's own report.
	p("| measure | this run | target | |")
	p("|---|---|---|---|")
	p("| cached redirect, defaults ÷ bare 302 | %.2f × | ≥ 0.75 × | %s |", rDefaults.median, verdict(rDefaults.median >= 0.75))
	p("| … its p99 | %.2f ms | ≤ 10 ms | %s |", p99Defaults, verdict(p99Defaults <= 10))
	for _, r := range b.goBench {
		switch r.name {
		case "BenchmarkEngine/cached":
			p("| allocations per cached redirect (`BenchmarkEngine`, every dimension counted) | %.0f (%.0f B) | ≤ 4 | %s |", r.allocsPerOp, r.bytesPerOp, verdict(r.allocsPerOp <= 4))
		case "BenchmarkEngine/miss":
			p("| allocations per cache miss (`BenchmarkEngine`) | %.0f (%.0f B) | ≤ 3 (half of round three's 6) | %s |", r.allocsPerOp, r.bytesPerOp, verdict(r.allocsPerOp <= 3))
		}
	}
	p("| cold miss (%d links, each once) ÷ pgbench lookup, c%d | %.2f × | ≥ 0.30 × | %s |", o.missLinks, o.missConns, rMiss.median, verdict(rMiss.median >= 0.30))
	p("| … its p99 | %.2f ms | ≤ 10 ms | %s |", p99Miss, verdict(p99Miss <= 10))
	p("| create ÷ pgbench running the same `claim_and_insert_links`, c%d | %.2f × | ≥ 1.0 × | %s |", o.createConns, rClaim.median, verdict(rClaim.median >= 1.0))
	p("| create ÷ pgbench plain INSERT, c%d (reported) | %.2f × | — | |", o.createConns, rCreate.median)
	dims := b.ratio(stepDims, stepDefaults, cpu)
	p("| every visit dimension: server CPU per cached redirect, 2V ÷ 2 | %+.1f %% | ≤ +5 %% | %s |", 100*(dims.median-1), verdict(dims.median <= 1.05))
	if !o.quick {
		p("| visit counting with all dimensions: server CPU per cached redirect, 2Q ÷ 2N | %+.1f %% | ≤ +5 %% | %s |", 100*(cVisits.median-1), verdict(cVisits.median <= 1.05))
		p("| 16 MiB keeps ≥ 0.90 of 128 MiB's Zipf hit rate | %.2f × | ≥ 0.90 × | %s |", zipfRatio, verdict(zipfRatio >= 0.90))
	}
	for _, s := range b.soaks {
		anonMax := 40.0
		if s.mode != "server" {
			anonMax = 64
		}
		p("| soak (%s mixed), %s mode: RssAnon / VmRSS (end; peak) | %.1f / %.1f MiB (%.1f) | ≤ %.0f / ≤ 64 MiB | %s |",
			o.soak, s.mode, s.anonMiB, s.rssEndMiB, s.rssPeak, anonMax, verdict(s.anonMiB <= anonMax && max(s.rssEndMiB, s.rssPeak) <= 64 && s.failed == 0))
	}
	p("| errors in every step%s | %d | 0 | %s |", map[bool]string{true: "", false: " (Zipf included)"}[o.quick], allErrs, verdict(allErrs == 0))
	p("| duplicate codes: count(*) − count(DISTINCT code) over %d rows | %d | 0 | %s |", f.rows, f.duplicates, verdict(f.duplicates == 0))
	p("| misses at 10 M links: p99; creates at 10 M rows ÷ empty; misses at 36 partitions ÷ 1; list page p95 | `make bench-scale`, `make bench-scale-spread` | ≤ 20 ms; ≥ 0.90 ×; ≥ 0.90 ×; ≤ 50 ms | |")
	p("")
	m := f.metrics["api-work"]
	p("Also, from the apis' /metrics: %d creates answered 201 (seeds included) for %d rows in short_link; "+
		"%d answers ≥ 400 seen by the servers themselves; pool fallbacks to the Postgres counter: %s; "+
		"codes left in the pool: %s; visits recorded by `api-work` %s, dropped %s; %d visits in Postgres after the last flushes. "+
		"Of the %d visits of the wrk steps, the user-agent detector called %.1f %% bots' (the mix sends 15 %% bots' agents).",
		f.creates201, f.rows, f.serverErrors, num(m["shortlink_pool_fallbacks_total"]), num(m["shortlink_pool_size"]),
		num(m["shortlink_visits_recorded_total"]), num(m["shortlink_visits_dropped_total"]), f.visitsCounted,
		f.mixVisits, 100*float64(f.mixBots)/float64(max(f.mixVisits, 1)))
	if len(f.errorSeries) > 0 {
		p("")
		p("Answers ≥ 400 by series: %s.", strings.Join(f.errorSeries, "; "))
	}
	for _, n := range b.notes {
		p("")
		p("**Note:** %s.", n)
	}
	p("")
	p("## Every round")
	p("")
	p("| round | step | req/s | p50 ms | p99 ms | errors | api RSS | server CPU µs/req |")
	p("|---:|---|---:|---:|---:|---:|---:|---:|")
	for i, r := range b.rounds {
		for _, s := range b.steps {
			x := r[s.key]
			p("| %d | %s | %.0f | %.2f | %.2f | %d | %s | %s |", i+1, s.key, x.RPS, x.P50, x.P99, x.Errors, mib(x.RSSKiB), micros(x.CPUPerReq))
		}
	}
	return w.String()
}

// roundRatios is a ratio of two steps over the rounds: the median of the
// per-round ratios, their spread and each round's.
type roundRatios struct {
	median float64
	each   []float64
}

// String prints **median** (min–max; each round's).
func (r roundRatios) String() string {
	if len(r.each) == 0 {
		return "n/a"
	}
	each := make([]string, len(r.each))
	for i, x := range r.each {
		each[i] = fmt.Sprintf("%.2f", x)
	}
	lo, hi := slices.Min(r.each), slices.Max(r.each)
	return fmt.Sprintf("**%.2f** (%.2f–%.2f; %s)", r.median, lo, hi, strings.Join(each, ", "))
}

// withSpread prints the median of xs and, when there are several, their
// lowest and highest in brackets.
func withSpread(xs []float64, format string) string {
	if len(xs) == 0 {
		return "—"
	}
	m := fmt.Sprintf(format, median(xs))
	if len(xs) < 2 {
		return m
	}
	return fmt.Sprintf("%s ("+format+"–"+format+")", m, slices.Min(xs), slices.Max(xs))
}

// cpuWithSpread is withSpread for CPU per request, where 0 is "not measured".
func cpuWithSpread(xs []float64) string {
	if len(xs) == 0 || median(xs) == 0 || math.IsNaN(median(xs)) {
		return "—"
	}
	return withSpread(xs, "%.1f")
}

// ratio is f(num)/f(den) in each round that has both, and their median.
func (b *bench) ratio(num, den string, f func(measurement) float64) roundRatios {
	var r roundRatios
	for _, round := range b.rounds {
		n, ok1 := round[num]
		d, ok2 := round[den]
		if ok1 && ok2 && f(d) > 0 {
			r.each = append(r.each, f(n)/f(d))
		}
	}
	r.median = median(r.each)
	return r
}

func (b *bench) errors(key string) int64 {
	var n int64
	for _, r := range b.rounds {
		n += r[key].Errors
	}
	return n
}

func passed(ok bool) string {
	if ok {
		return "passed"
	}
	return "breached"
}

func rps(m measurement) float64 { return m.RPS }
func p50(m measurement) float64 { return m.P50 }
func p99(m measurement) float64 { return m.P99 }
func p95(m measurement) float64 { return m.P95 }

// num prints a metric value, which Prometheus may write as 1.5e+06, as an integer.
func num(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func micros(v float64) string {
	if v == 0 || math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.1f", v)
}

func cpu(m measurement) float64 { return m.CPUPerReq }

func mib(kib int64) string {
	if kib == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

// versions names the tools measured with, for the report.
func versions(ctx context.Context) map[string]string {
	v := map[string]string{}
	first := func(name string, args ...string) string {
		out, _ := exec.CommandContext(ctx, name, args...).CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return line
	}
	v["go"] = first("go", "version")
	v["wrk"] = first("wrk", "--version")
	v["nginx"] = first("nginx", "-v")
	v["redis"] = first("redis-server", "--version")
	v["pgbench"] = first("pgbench", "--version")
	v["kernel"] = first("uname", "-sr")
	if cpu, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(cpu)) {
			if k, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				v["cpu"] = strings.TrimSpace(val)
				break
			}
		}
	}
	return v
}

func lookPath(name string) (string, error) { return exec.LookPath(name) }

// loadAverage is the 1-minute load average: how busy the machine was.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	first, _, _ := strings.Cut(string(raw), " ")
	return first
}
