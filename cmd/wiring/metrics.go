package wiring

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/shortlink/shortlink/app"
)

// cacheStats are the counters every link cache keeps.
type cacheStats interface {
	Hits() uint64
	LocalHits() uint64
	Misses() uint64
	NegativeHits() uint64
}

// newRegistry returns the registry /metrics serves with what every mode
// has: Go and process metrics, and the redirect cache's counters, read on
// scrape from the adapters and use cases that keep them, and the visit
// counters.
func newRegistry(cache cacheStats, resolver *app.Resolver, visits []prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		counterFunc("shortlink_cache_hits_total", "Redirect cache lookups that found the link.", cache.Hits),
		counterFunc("shortlink_cache_local_hits_total", "Cache hits answered from the api's own memory, without a round trip.", cache.LocalHits),
		counterFunc("shortlink_cache_misses_total", "Redirect cache lookups that found nothing.", cache.Misses),
		counterFunc("shortlink_cache_negative_hits_total", "Redirect cache lookups that found a cached miss.", cache.NegativeHits),
		counterFunc("shortlink_cache_errors_total", "Cache operations that failed and fell back to the store.", resolver.CacheErrors),
	)
	reg.MustRegister(visits...)
	return reg
}

func counterFunc(name, help string, read func() uint64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(read()) })
}
