package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func (b *bench) report() string {
	o := b.opts
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	v := b.version

	p("# shortlink bench — %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("")
	p("- machine: %d CPUs (%s), %s; %s", runtime.NumCPU(), v["cpu"], v["kernel"], v["go"])
	p("- tools: %s; %s; %s; %s; %s", v["wrk"], v["nginx"], v["redis"], v["pgbench"], v["postgres"])
	order := make([]string, len(b.steps))
	for i, s := range b.steps {
		order[i], _, _ = strings.Cut(s.key, " ")
	}
	p("- load: %d rounds of %s, %s each (after a %s unmeasured warm-up of every step); loopback only",
		o.rounds, strings.Join(order, "→"), o.stepDuration, o.warmup)
	p("- wrk -t%d -c%d --timeout 2s for 1–3 (`lua/redirect.lua`: random picks among %d seeded codes); wrk -t%d -c%d for 4 (`lua/create.lua`); "+
		"pgbench -n -M prepared -c%d -j%d for 5 (one INSERT into an unpartitioned table of short_link's shape per transaction)",
		o.threads, o.redirectConns, o.links, o.threads, o.createConns, o.createConns, o.threads)
	p("- api: LOG_LEVEL=warn LOG_REQUESTS=false DB_MAX_OPEN_CONNS=16 CREATE_RATE_LIMIT=0, other settings default (POOL_TAKE_BATCH=64, CACHE_TTL=1h, GOMAXPROCS=%d); "+
		"VISIT_PENDING_KEYS=0 (no visit counting) but for 2V; 2N and 2V: twin api processes that serve only their redirects, counting off and on; "+
		"2L/4L: a second api process with LOG_LEVEL=info LOG_REQUESTS=true, JSON lines to a file", runtime.NumCPU())
	p("- nginx: compose/nginx/shortlink.conf (upstream and listen rewritten), worker_processes %s, access_log off; pool filled with %d codes first",
		o.nginxWorkers, o.poolTarget)
	p("")
	p("| step | req/s | p50 ms | p99 ms | errors | api RSS | server CPU µs/req |")
	p("|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range b.steps {
		rss := median(b.column(s.key, func(m measurement) float64 { return float64(m.RSSKiB) }))
		var errs int64
		for _, r := range b.rounds {
			errs += r[s.key].Errors
		}
		p("| %s %s | %.0f | %.2f | %.2f | %d | %s | %s |", strings.SplitN(s.key, " ", 2)[0], s.label,
			median(b.column(s.key, func(m measurement) float64 { return m.RPS })),
			median(b.column(s.key, func(m measurement) float64 { return m.P50 })),
			median(b.column(s.key, func(m measurement) float64 { return m.P99 })),
			errs, mib(int64(rss)), micros(median(b.column(s.key, func(m measurement) float64 { return m.CPUPerReq }))))
	}
	p("")
	p("Medians over the rounds; errors (non-2xx/3xx answers, socket errors, timeouts; failed transactions) summed over the rounds. "+
		"Server CPU: user+system time of the server processes (bareserver; api; nginx workers + api for 3) per request: "+
		"the steadiest figure when other load shares the machine (load average %s at start, %s at the end).", b.loadStart, b.loadEnd)
	p("")
	ratio := func(num, den string) (float64, string) {
		var xs []float64
		var each []string
		for _, r := range b.rounds {
			n, ok1 := r[num]
			d, ok2 := r[den]
			if ok1 && ok2 && d.RPS > 0 {
				xs = append(xs, n.RPS/d.RPS)
				each = append(each, fmt.Sprintf("%.2f", n.RPS/d.RPS))
			}
		}
		return median(xs), strings.Join(each, ", ")
	}
	r21, e21 := ratio(stepRedirect, stepBare)
	r31, e31 := ratio(stepNginx, stepBare)
	r45, e45 := ratio(stepCreate, stepPgbench)
	p("Ratios of req/s, median of the per-round ratios (each round's in brackets):")
	p("- 2/1 cached redirect ÷ bare: **%.2f** [%s]; 3/1 through nginx ÷ bare: %.2f [%s]", r21, e21, r31, e31)
	p("- server CPU per redirect, api ÷ bare: %.2f (%s vs %s µs)",
		median(b.column(stepRedirect, cpu))/median(b.column(stepBare, cpu)),
		micros(median(b.column(stepRedirect, cpu))), micros(median(b.column(stepBare, cpu))))
	cpuV, cpuN := median(b.column(stepRedirectV, cpu)), median(b.column(stepRedirectN, cpu))
	var cpuRatios []float64
	var cpuEach []string
	for _, r := range b.rounds {
		if v, n := r[stepRedirectV], r[stepRedirectN]; n.CPUPerReq > 0 {
			cpuRatios = append(cpuRatios, v.CPUPerReq/n.CPUPerReq)
			cpuEach = append(cpuEach, fmt.Sprintf("%.3f", v.CPUPerReq/n.CPUPerReq))
		}
	}
	visitOverhead := median(cpuRatios) - 1
	r2V, e2V := ratio(stepRedirectV, stepRedirectN)
	p("- visit counting: server CPU per cached redirect 2V ÷ 2N: **%.3f** [%s] (medians %s vs %s µs); req/s 2V/2N %.2f [%s]",
		median(cpuRatios), strings.Join(cpuEach, ", "), micros(cpuV), micros(cpuN), r2V, e2V)
	p("- 4/5 create ÷ pgbench INSERT: **%.2f** [%s]", r45, e45)
	if o.logRounds {
		rl2, el2 := ratio(stepRedirectL, stepRedirect)
		rl4, el4 := ratio(stepCreateL, stepCreate)
		p("- access log on ÷ off: redirects 2L/2 %.2f [%s], creates 4L/4 %.2f [%s]", rl2, el2, rl4, el4)
	}
	p("")

	f := b.final
	p99 := median(b.column(stepRedirect, func(m measurement) float64 { return m.P99 }))
	var redirectErrs, createErrs int64
	for _, r := range b.rounds {
		redirectErrs += r[stepRedirect].Errors
		createErrs += r[stepCreate].Errors
	}
	for _, m := range b.topUp {
		redirectErrs += m.Errors
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	p("| target | measured | |")
	p("|---|---|---|")
	p("| cached redirect ≥ 0.70 × bare req/s | %.2f × | %s |", r21, verdict(r21 >= 0.70))
	p("| cached redirect p99 ≤ 10 ms | %.2f ms | %s |", p99, verdict(p99 <= 10))
	p("| cached redirect: 0 errors | %d (incl. top-up) | %s |", redirectErrs, verdict(redirectErrs == 0))
	p("| visit counting adds ≤ 5 %% server CPU per cached redirect | %+.1f %% (2V ÷ 2N, median of rounds) | %s |", 100*visitOverhead, verdict(visitOverhead <= 0.05))
	p("| create ≥ 0.50 × pgbench tps | %.2f × | %s |", r45, verdict(r45 >= 0.50))
	p("| create: 0 errors | %d | %s |", createErrs, verdict(createErrs == 0))
	p("| no duplicate code | count(*) − count(DISTINCT code) = %d over %d rows | %s |", f.duplicates, f.rows, verdict(f.duplicates == 0))
	mb := float64(f.rssKiB) * 1024 / 1e6
	p("| api RSS ≤ 100 MB after 1 M redirects | %.1f MB VmRSS after %d redirects (peak VmHWM %.1f MB) | %s |",
		mb, f.redirectsServed, float64(f.hwmKiB)*1024/1e6, verdict(mb <= 100 && f.redirectsServed >= o.minRedirects))
	p("")
	m := f.metrics["api"]
	ml := f.metrics["api-logged"]
	p("Also, from the apis' /metrics: %d creates answered 201 (seeds included) for %d rows in short_link; "+
		"%d answers ≥ 400 seen by the servers themselves; pool fallbacks to the Postgres counter: api %s, logged api %s; "+
		"codes left in the pool: %s; api cache hits %s, misses %s.",
		f.creates201, f.rows, f.serverErrors, num(m["shortlink_pool_fallbacks_total"]), num(ml["shortlink_pool_fallbacks_total"]),
		num(m["shortlink_pool_size"]), num(m["shortlink_cache_hits_total"]), num(m["shortlink_cache_misses_total"]))
	mv := f.metrics["api-visits"]
	p("")
	p("Visit counting (api-visits, step 2V): %s visits recorded, %s dropped, %d in Postgres after its last flush; %s flushes.",
		num(mv["shortlink_visits_recorded_total"]), num(mv["shortlink_visits_dropped_total"]), f.visitsCounted,
		num(mv[`shortlink_visit_flush_seconds_count{outcome="applied"}`]))
	if len(f.errorSeries) > 0 {
		p("")
		p("Answers ≥ 400 by series (wrk never sees those it cut off at the end of a step): %s.", strings.Join(f.errorSeries, "; "))
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
	for i, x := range b.topUp {
		p("| top-up %d | %s | %.0f | %.2f | %.2f | %d | %s | %s |", i+1, stepRedirect, x.RPS, x.P50, x.P99, x.Errors, mib(x.RSSKiB), micros(x.CPUPerReq))
	}
	return w.String()
}

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
