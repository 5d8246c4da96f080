package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// measure runs every step once unmeasured, then -rounds rounds of all of
// them, alternating, so drift of the machine hits every step alike.
func (b *bench) measure(ctx context.Context) error {
	if b.opts.warmup > 0 {
		b.logf("warm-up: every step for %s, not counted", b.opts.warmup)
		for _, s := range b.steps {
			if _, err := b.runStep(ctx, s, b.opts.warmup); err != nil {
				return err
			}
		}
	}
	for r := range b.opts.rounds {
		results := map[string]measurement{}
		for _, s := range b.steps {
			time.Sleep(b.opts.pause)
			m, err := b.runStep(ctx, s, b.opts.stepDuration)
			if err != nil {
				return err
			}
			results[s.key] = m
			if m.Errors > 0 {
				b.note(fmt.Sprintf("step %s had errors (answers ≥ 400, a 404 included: a Host that is no registered domain, or an unknown code; "+
					"socket errors, timeouts; failed transactions): its figures are not those of the answers it names", s.key))
			}
			b.logf("round %d/%d %-14s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  cpu %5.1f µs/req  rss %s",
				r+1, b.opts.rounds, s.key, m.RPS, m.P50, m.P99, m.Errors, m.CPUPerReq, mib(m.RSSKiB))
		}
		b.rounds = append(b.rounds, results)
	}
	if b.opts.dimsOnly {
		return nil
	}
	if b.api == nil { // bench-scale and bench-scale-spread: no api of the main stack to compare bulk creates on
		return nil
	}
	return b.measureBulk(ctx)
}

// finish measures the Zipf hit rates and the soaks (not with -quick),
// then checks the database and the apis' own counts.
func (b *bench) finish(ctx context.Context) error {
	if !b.opts.quick {
		if err := b.measureZipf(ctx); err != nil {
			return err
		}
	}
	if err := b.countBots(ctx); err != nil {
		return err
	}
	if !b.opts.quick {
		if b.opts.soak > 0 {
			if err := b.soakBothModes(ctx); err != nil {
				return err
			}
		}
	}
	f := &b.final
	f.metrics = map[string]map[string]string{}
	for _, a := range b.apis() {
		f.metrics[a.name] = testkit.Scrape(ctx, a.url)
	}
	var err error
	db := b.stack.dbURL
	if f.duplicates, err = queryInt(ctx, db, "SELECT count(*) - count(DISTINCT code) FROM short_link"); err != nil {
		return err
	}
	if f.rows, err = queryInt(ctx, db, "SELECT count(*) FROM short_link"); err != nil {
		return err
	}
	for name, m := range f.metrics {
		f.creates201 += sumMetric(m, "shortlink_http_requests_total", `status="201"`)
		for series, value := range m {
			if strings.HasPrefix(series, "shortlink_http_requests_total{") &&
				(strings.Contains(series, `status="4`) || strings.Contains(series, `status="5`)) {
				n, _ := strconv.ParseFloat(value, 64)
				f.serverErrors += int64(n)
				f.errorSeries = append(f.errorSeries, fmt.Sprintf("%s %s=%.0f", name, strings.TrimPrefix(series, "shortlink_http_requests_total"), n))
			}
		}
	}
	slices.Sort(f.errorSeries)
	if f.visitsCounted, err = queryInt(ctx, db, "SELECT coalesce(sum(humans + bots), 0) FROM visit_hour"); err != nil {
		return err
	}
	b.loadEnd = loadAverage()
	return nil
}

// countBots reads, once the apis have flushed the visits of the wrk steps
// (every second by default) and before the soak adds its own (the load
// tool is a bot to the detector), how many of them the user-agent
// detector called bots': the mix sends 15 % bots' agents.
func (b *bench) countBots(ctx context.Context) error {
	time.Sleep(2 * time.Second)
	var err error
	db := b.stack.dbURL
	if b.final.mixVisits, err = queryInt(ctx, db, "SELECT coalesce(sum(humans + bots), 0) FROM visit_hour"); err != nil {
		return err
	}
	b.final.mixBots, err = queryInt(ctx, db, "SELECT coalesce(sum(bots), 0) FROM visit_hour")
	return err
}

// sumMetric adds the values of the series of metric whose labels contain match.
func sumMetric(series map[string]string, metric, match string) int64 {
	var total float64
	for name, value := range series {
		if (name == metric || strings.HasPrefix(name, metric+"{")) && strings.Contains(name, match) {
			v, _ := strconv.ParseFloat(value, 64)
			total += v
		}
	}
	return int64(total)
}

func (b *bench) column(key string, f func(measurement) float64) []float64 {
	var xs []float64
	for _, r := range b.rounds {
		if m, ok := r[key]; ok {
			xs = append(xs, f(m))
		}
	}
	return xs
}
