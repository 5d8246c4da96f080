package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// runSpread is make bench-scale-spread: two stacks alike but for when
// their -scale-links permanent links were created, over -spread months (a
// partition each) or all in this month, one api with MAX_TTL=never on
// each, and rounds of cache-miss redirects (codes never asked before) on
// the sides in turn. A lookup reads the code's claim, then the one
// partition its created_at names: the spread side should be as fast.
func (b *bench) runSpread(ctx context.Context) (string, error) {
	o := b.opts
	if err := b.build(ctx); err != nil {
		return "", err
	}
	var sides []*scaleSide
	for _, s := range []struct {
		name   string
		months int
	}{{"one month", 1}, {fmt.Sprintf("%d months", o.spread), o.spread}} {
		db := fmt.Sprintf("%s_spread%d", o.dbName, s.months)
		st, err := b.newStackSeeded(ctx, s.name, db, o.scaleLinks, o.poolTarget, func(ctx context.Context, dbURL string) error {
			return seedSpread(ctx, b, dbURL, o.scaleLinks, s.months)
		})
		if err != nil {
			return "", err
		}
		api, err := b.startAPI(ctx, "api-spread"+fmt.Sprint(s.months), st, "ADMIN_KEYS="+adminKey, "MAX_TTL=never")
		if err != nil {
			return "", err
		}
		sides = append(sides, &scaleSide{name: s.name, stack: st, api: api})
	}
	one, spread := sides[0], sides[1]
	for _, side := range sides {
		b.steps = append(b.steps, step{key: "miss " + side.name, label: "miss → " + side.label(),
			api: side.api, servers: pids(side.api), run: b.scaleRun("miss", side)})
	}
	if err := b.measure(ctx); err != nil {
		return "", err
	}
	partitions := make([]string, 0, len(sides))
	for _, side := range sides {
		n, err := queryInt(ctx, side.stack.dbURL, `SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'short_link'::regclass AND NOT EXISTS (SELECT FROM pg_inherits j WHERE j.inhparent = c.oid)
			AND c.relname <> 'short_link_default'`)
		if err != nil {
			return "", err
		}
		def, err := queryInt(ctx, side.stack.dbURL, "SELECT count(*) FROM short_link_default")
		if err != nil {
			return "", err
		}
		partitions = append(partitions, fmt.Sprintf("%s: %d monthly partitions, %d rows in the default one", side.name, n, def))
	}
	b.loadEnd = loadAverage()

	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	v := b.version
	p("# shortlink bench-scale-spread — %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("")
	p("- machine: %d CPUs (%s), %s; %s; %s; %s", runtime.NumCPU(), v["cpu"], v["kernel"], v["go"], v["postgres"], v["redis"])
	p("- two stacks alike (database, cache Redis, codes Redis, one api with MAX_TTL=never and the other defaults) but for when their "+
		"%d permanent links, seeded in SQL, were created: over %d months, a partition each, or all in this month (%s); "+
		"%d rounds of %s per step after a %s warm-up, the sides in turn; load average %s at start, %s at the end",
		o.scaleLinks, o.spread, strings.Join(partitions, "; "), o.rounds, o.stepDuration, o.warmup, b.loadStart, b.loadEnd)
	p("- miss: wrk -t%d -c%d `lua/cold.lua` over the seeded links, none asked twice: every request misses both cache tiers and reads Postgres",
		o.createThreads, o.missConns)
	p("")
	p("| request | %s req/s | %s req/s | ratio (lowest–highest; each round) | p99 ms | server CPU µs/req | errors |", one.name, spread.name)
	p("|---|---:|---:|---|---|---|---:|")
	ref, big := "miss "+one.name, "miss "+spread.name
	r := b.ratio(big, ref, rps)
	at := func(key string, f func(measurement) float64) float64 { return median(b.column(key, f)) }
	errs := b.errors(ref) + b.errors(big)
	p("| cache-miss redirect | %.0f | %.0f | %s | %.2f / %.2f | %.1f / %.1f | %d |", at(ref, rps), at(big, rps), r,
		at(ref, p99), at(big, p99), at(ref, cpu), at(big, cpu), errs)
	p("")
	verdict := "met"
	if r.median < 0.90 {
		verdict = "**missed**"
	}
	p("p99 and server CPU: one month's, then %s'. Target: cache-miss redirects over %d months ≥ 0.90 × the same links in one month: **%.2f** — %s.",
		spread.name, o.spread, r.median, verdict)
	return w.String(), nil
}

// seedSpread stores links x0000000 … x<n-1> as seedSQL does, but permanent
// and created over months months (link i in the month i mod months back,
// an hour before now's instant in it), after creating those months'
// partitions, then refreshes the planner's statistics.
func seedSpread(ctx context.Context, b *bench, dbURL string, n, months int) error {
	if months > 1 {
		now := time.Now().UTC().Add(-time.Hour)
		stmts := make([]string, 0, months)
		for i := range months {
			stmts = append(stmts, fmt.Sprintf("SELECT create_short_link_partition('%s')", now.AddDate(0, -i, 0).Format(time.DateOnly)))
		}
		if err := execAll(ctx, dbURL, stmts...); err != nil {
			return err
		}
		b.logf("%d monthly partitions ready", months)
	}
	return execAll(ctx, dbURL,
		fmt.Sprintf(`INSERT INTO short_link (code, url, created_at, expires_at)
			SELECT 'x' || lpad(i::text, 7, '0'), 'https://example.com/seeded/' || md5(i::text),
			       now() - interval '1 hour' - (i %% %d) * interval '1 month', '9999-12-31T00:00:00Z'
			FROM generate_series(0, %d) AS i`, months, n-1),
		`INSERT INTO code_claim (code, link_id, free_after, created_at)
			SELECT code, id, '9999-12-31T00:00:00Z', created_at FROM short_link WHERE code LIKE 'x%'`,
		"VACUUM ANALYZE")
}
