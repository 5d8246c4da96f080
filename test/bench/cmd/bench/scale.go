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
	name  string
	stack *stack
	api   *server
	codes string // codes created through the api, for cached redirects
}

func (s *scaleSide) label() string { return fmt.Sprintf("%s (%d links)", s.name, s.stack.links) }

// The kinds of request the scale comparison measures.
var scaleKinds = []string{"create", "redirect", "miss", "stats"}

// runScale is make bench-scale: three stacks alike but for the links
// seeded in SQL (none, -scale-base and -scale-links), one api with the
// defaults on each, and rounds of every kind of request on the sides in
// turn (the steps and rounds of make bench). The large side is compared
// with the empty one for creates (what a bigger table costs a write) and
// with the base one for the rest, which need links to read: misses must
// not repeat a code, so the reference for reads has links enough for the
// whole run.
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
		sides = append(sides, &scaleSide{name: s.name, stack: st, api: api, codes: codes})
	}
	empty, base, large := sides[0], sides[1], sides[2]
	// reference is the side each kind's large-side figure is compared with.
	reference := map[string]*scaleSide{"create": empty, "redirect": base, "miss": base, "stats": base}
	for _, kind := range scaleKinds {
		for _, side := range []*scaleSide{reference[kind], large} {
			b.steps = append(b.steps, step{key: kind + " " + side.name, label: kind + " → " + side.label(),
				api: side.api, servers: pids(side.api), run: b.scaleRun(kind, side)})
		}
	}
	if err := b.measure(ctx); err != nil {
		return "", err
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
		duplicates = append(duplicates, fmt.Sprintf("%s: %d over %d rows", side.label(), n, rows))
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
	p("| request | compared with | its req/s | %s req/s | ratio (lowest–highest; each round) | p99 ms | server CPU µs/req | errors |", large.label())
	p("|---|---|---:|---:|---|---|---|---:|")
	ratios := map[string]float64{}
	var errs int64
	for _, kind := range scaleKinds {
		ref, big := kind+" "+reference[kind].name, kind+" "+large.name
		r := b.ratio(big, ref, rps)
		ratios[kind] = r.median
		kindErrs := b.errors(ref) + b.errors(big)
		errs += kindErrs
		at := func(key string, f func(measurement) float64) float64 { return median(b.column(key, f)) }
		p("| %s | %s | %.0f | %.0f | %s | %.2f / %.2f | %.1f / %.1f | %d |", kind, reference[kind].label(), at(ref, rps), at(big, rps),
			r, at(ref, p99), at(big, p99), at(ref, cpu), at(big, cpu), kindErrs)
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

// scaleRun is the load of one kind of request against side's api.
func (b *bench) scaleRun(kind string, side *scaleSide) func(context.Context, time.Duration) (measurement, error) {
	o, url, links := b.opts, side.api.url, side.stack.links
	switch kind {
	case "create":
		return b.createStep(url)
	case "redirect":
		return b.redirectStep(url, side.codes)
	case "miss":
		return b.coldStep(url, links, 0, 1)
	default: // stats
		return func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.createThreads, o.missConns, d, statsLua, url, strconv.Itoa(links), adminKey)
		}
	}
}
