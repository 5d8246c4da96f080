package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// scaleSide is one stack of the scale comparison and its api.
type scaleSide struct {
	label string
	stack *stack
	api   *server
	codes string // codes created through the api, for cached redirects
}

// The kinds of request the scale comparison measures.
var scaleKinds = []string{"create", "redirect", "miss", "stats"}

// runScale is make bench-scale: three stacks alike but for the links
// seeded in SQL (none, -scale-base and -scale-links), one api with the
// defaults on each, and rounds of every kind of request on the sides in
// turn. The large side is compared with the empty one for creates (what
// a bigger table costs a write) and with the base one for the rest, which
// need links to read: misses must not repeat a code, so the reference
// for reads has links enough for the whole run.
func (b *bench) runScale(ctx context.Context) (string, error) {
	o := b.opts
	if err := b.build(ctx); err != nil {
		return "", err
	}
	var sides []*scaleSide
	for _, s := range []struct {
		name  string
		links int
	}{{"empty", 0}, {"base", o.scaleBase}, {"large", o.scaleLinks}} {
		st, err := b.newStack(ctx, s.name, o.dbName+"_"+s.name, s.links, o.poolTarget)
		if err != nil {
			return "", err
		}
		api, err := b.startAPI(ctx, "api-"+s.name, st, "ADMIN_KEYS="+adminKey)
		if err != nil {
			return "", err
		}
		targets, codes, err := b.seedThrough(ctx, api.url, "codes-"+s.name+".txt")
		if err != nil {
			return "", err
		}
		if err := verifyRedirects(ctx, targets, api.url); err != nil {
			return "", err
		}
		sides = append(sides, &scaleSide{label: fmt.Sprintf("%s (%d links)", s.name, s.links), stack: st, api: api, codes: codes})
	}
	empty, base, large := sides[0], sides[1], sides[2]
	// reference is the side each kind's large-side figure is compared with.
	reference := map[string]*scaleSide{"create": empty, "redirect": base, "miss": base, "stats": base}
	sidesOf := func(kind string) []*scaleSide { return []*scaleSide{reference[kind], large} }

	run := map[string]map[*scaleSide]func(context.Context, time.Duration) (measurement, error){}
	for _, kind := range scaleKinds {
		run[kind] = map[*scaleSide]func(context.Context, time.Duration) (measurement, error){}
	}
	for _, side := range sides {
		api, codes, links := side.api, side.codes, side.stack.links
		run["create"][side] = b.createStep(api.url)
		run["redirect"][side] = func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.threads, o.redirectConns, d, redirectLua, api.url, codes)
		}
		run["miss"][side] = b.coldStep(api.url, links, 0, 1)
		run["stats"][side] = func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.createThreads, o.missConns, d, statsLua, api.url, strconv.Itoa(links), adminKey)
		}
	}
	type key struct {
		kind string
		side *scaleSide
	}
	results := map[key][]measurement{}
	step := func(kind string, side *scaleSide, d time.Duration) (measurement, error) {
		cpu0, _ := cpuTime(side.api.pid())
		m, err := run[kind][side](ctx, d)
		if err != nil {
			return m, fmt.Errorf("%s on %s: %w", kind, side.label, err)
		}
		if cpu1, err := cpuTime(side.api.pid()); err == nil && m.Requests > 0 {
			m.CPUPerReq = float64(cpu1-cpu0) / float64(time.Microsecond) / float64(m.Requests)
		}
		if side.api.exited() {
			return m, fmt.Errorf("%s exited; its log:\n%s", side.api.name, side.api.tail())
		}
		return m, nil
	}
	if o.warmup > 0 {
		b.logf("warm-up: every step for %s, not counted", o.warmup)
		for _, kind := range scaleKinds {
			for _, side := range sidesOf(kind) {
				if _, err := step(kind, side, o.warmup); err != nil {
					return "", err
				}
			}
		}
	}
	for r := range o.rounds {
		for _, kind := range scaleKinds {
			for _, side := range sidesOf(kind) {
				time.Sleep(o.pause)
				m, err := step(kind, side, o.stepDuration)
				if err != nil {
					return "", err
				}
				results[key{kind, side}] = append(results[key{kind, side}], m)
				b.logf("round %d/%d %-8s %-22s %7.0f req/s  p99 %6.2f ms  errors %d  cpu %5.1f µs/req",
					r+1, o.rounds, kind, side.label, m.RPS, m.P99, m.Errors, m.CPUPerReq)
			}
		}
	}
	var duplicates []string
	for _, side := range sides {
		n, err := queryInt(ctx, side.stack.dbURL, "SELECT count(*) - count(DISTINCT code) FROM short_link")
		if err != nil {
			return "", err
		}
		rows, err := queryInt(ctx, side.stack.dbURL, "SELECT count(*) FROM short_link")
		if err != nil {
			return "", err
		}
		duplicates = append(duplicates, fmt.Sprintf("%s: %d over %d rows", side.label, n, rows))
	}
	b.loadEnd = loadAverage()

	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	v := b.version
	p("# shortlink bench-scale — %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("")
	p("- machine: %d CPUs (%s), %s; %s; %s; %s", runtime.NumCPU(), v["cpu"], v["kernel"], v["go"], v["postgres"], v["redis"])
	p("- three stacks alike (database, cache Redis, codes Redis, one api with the defaults and ADMIN_KEYS) but for the links seeded in SQL; "+
		"%d links created through each api for the cached redirects; %d rounds of %s per step after a %s warm-up, the sides in turn; "+
		"load average %s at start, %s at the end", o.links, o.rounds, o.stepDuration, o.warmup, b.loadStart, b.loadEnd)
	p("- create: wrk -t%d -c%d `lua/create.lua`; redirect: wrk -t%d -c%d `lua/redirect.lua` over the api-created links; "+
		"miss: wrk -t%d -c%d `lua/cold.lua` over the seeded links, none asked twice; stats: wrk -t%d -c%d `lua/stats.lua`, "+
		"GET /v1/shortlink/{code}/stats of a random seeded link with an admin key",
		o.createThreads, o.createConns, o.threads, o.redirectConns, o.createThreads, o.missConns, o.createThreads, o.missConns)
	p("")
	p("| request | compared with | its req/s | %s req/s | ratio (each round) | p99 ms | server CPU µs/req | errors |", large.label)
	p("|---|---|---:|---:|---|---|---|---:|")
	ratios := map[string]float64{}
	var errs int64
	for _, kind := range scaleKinds {
		a, c := results[key{kind, reference[kind]}], results[key{kind, large}]
		var xs []float64
		var each []string
		var kindErrs int64
		for i := range a {
			if a[i].RPS > 0 {
				xs = append(xs, c[i].RPS/a[i].RPS)
				each = append(each, fmt.Sprintf("%.2f", c[i].RPS/a[i].RPS))
			}
			kindErrs += a[i].Errors + c[i].Errors
		}
		errs += kindErrs
		ratios[kind] = median(xs)
		col := func(ms []measurement, f func(measurement) float64) float64 {
			out := make([]float64, len(ms))
			for i, m := range ms {
				out[i] = f(m)
			}
			return median(out)
		}
		p("| %s | %s | %.0f | %.0f | **%.2f** [%s] | %.2f / %.2f | %.1f / %.1f | %d |", kind, reference[kind].label, col(a, rps), col(c, rps), ratios[kind],
			strings.Join(each, ", "), col(a, p99), col(c, p99), col(a, cpu), col(c, cpu), kindErrs)
	}
	p("")
	verdict := "met"
	if ratios["create"] < 0.90 {
		verdict = "**missed**"
	}
	p("p99 and server CPU: the reference's, then the large side's. Target: creates at %d links ≥ 0.90 × creates on an empty table: **%.2f** — %s. "+
		"Errors over all steps: %d. Duplicate codes: %s.", o.scaleLinks, ratios["create"], verdict, errs, strings.Join(duplicates, "; "))
	return w.String(), nil
}
