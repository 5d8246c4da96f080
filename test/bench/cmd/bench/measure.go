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
			b.logf("round %d/%d %-16s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  cpu %5.1f µs/req  rss %s",
				r+1, b.opts.rounds, s.key, m.RPS, m.P50, m.P99, m.Errors, m.CPUPerReq, mib(m.RSSKiB))
		}
		b.rounds = append(b.rounds, results)
	}
	return nil
}

// finish tops the main api up to minRedirects redirects, reads its memory,
// and checks the database.
func (b *bench) finish(ctx context.Context) error {
	served := func() int64 {
		return sumMetric(testkit.Scrape(ctx, b.apiURL), "shortlink_http_requests_total", `status="302"`)
	}
	rps := median(b.column(stepRedirect, func(m measurement) float64 { return m.RPS }))
	for range 5 {
		left := b.opts.minRedirects - served()
		if left <= 0 {
			break
		}
		d := time.Duration(float64(left)/max(rps, 1000)*1.1*float64(time.Second)) + time.Second
		d = min(max(d, 2*time.Second), 90*time.Second)
		b.logf("top-up: %d redirects to go before reading RSS; %s more of step 2", left, d.Round(time.Second))
		m, err := b.runStep(ctx, b.steps[1], d)
		if err != nil {
			return err
		}
		b.topUp = append(b.topUp, m)
	}
	f := &b.final
	f.redirectsServed = served()
	var err error
	if f.rssKiB, f.hwmKiB, err = testkit.MemStatus(b.api.pid()); err != nil {
		return err
	}
	f.metrics = map[string]map[string]string{"api": testkit.Scrape(ctx, b.apiURL), "api-logged": testkit.Scrape(ctx, b.apiLURL), "api-visits": testkit.Scrape(ctx, b.apiVURL)}
	if f.duplicates, err = b.queryInt(ctx, "SELECT count(*) - count(DISTINCT code) FROM short_link"); err != nil {
		return err
	}
	if f.rows, err = b.queryInt(ctx, "SELECT count(*) FROM short_link"); err != nil {
		return err
	}
	for _, name := range []string{"api", "api-logged", "api-visits"} {
		f.creates201 += sumMetric(f.metrics[name], "shortlink_http_requests_total", `status="201"`)
		for series, value := range f.metrics[name] {
			if strings.HasPrefix(series, "shortlink_http_requests_total{") &&
				(strings.Contains(series, `status="4`) || strings.Contains(series, `status="5`)) {
				n, _ := strconv.ParseFloat(value, 64)
				f.serverErrors += int64(n)
				f.errorSeries = append(f.errorSeries, fmt.Sprintf("%s %s=%.0f", name, strings.TrimPrefix(series, "shortlink_http_requests_total"), n))
			}
		}
	}
	slices.Sort(f.errorSeries)
	if f.visitsCounted, err = b.queryInt(ctx, "SELECT coalesce(sum(humans + bots), 0) FROM visit_hour"); err != nil {
		return err
	}
	b.loadEnd = loadAverage()
	return nil
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
