package wiring

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

// metrics provides the registry /metrics serves: Go and process metrics,
// the collectors modules contribute to the value group "collectors" (the
// Postgres connection pool, the code pool's size), and those of the use
// cases and the redirect cache, which every mode has.
var metrics = fx.Provide(
	newRegistry,
	fx.Annotate(coreCollectors, fx.ResultTags(`group:"collectors,flatten"`)),
)

type registryParams struct {
	fx.In
	Collectors []prometheus.Collector `group:"collectors"`
}

func newRegistry(p registryParams) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(p.Collectors...)
	return reg
}

// cacheStats are the counters every link cache adapter keeps.
type cacheStats interface {
	Hits() uint64
	LocalHits() uint64
	Misses() uint64
	NegativeHits() uint64
}

type coreParams struct {
	fx.In
	Local    ports.LocalLinkCache `optional:"true"`
	Shared   ports.LinkCache      `optional:"true"`
	Resolver *app.Resolver
	Supply   *app.CodeSupply
	Pool     ports.CodePool `optional:"true"`
	Visits   *app.VisitRecorder
	Flushes  *flushHistogram
}

// coreCollectors read, on scrape, the counters the use cases keep, the
// caches' (those that keep them: a test's double may not) and, when there
// is a code pool, the refills that bypassed it.
func coreCollectors(p coreParams) []prometheus.Collector {
	cs := []prometheus.Collector{
		counterFunc("shortlink_cache_errors_total", "Cache operations that failed and fell back to the store.", p.Resolver.CacheErrors),
		p.Flushes,
		counterFunc("shortlink_visits_recorded_total", "Redirects counted as visits in memory.", p.Visits.Recorded),
		counterFunc("shortlink_visits_dropped_total", "Visits dropped because VISIT_PENDING_KEYS (link, hour) keys were pending or VISIT_PENDING_BYTES was used up.", p.Visits.Dropped),
		counterFunc("shortlink_visitor_hashes_dropped_total", "Visitor hashes not kept (unique visitors undercounted) because VISIT_PENDING_BYTES was used up.", p.Visits.DroppedUniques),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "shortlink_visit_pending_keys", Help: "(link, hour) keys of visits held in memory, the batch being written included.",
		}, func() float64 { return float64(p.Visits.PendingKeys()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "shortlink_visit_referrer_hosts", Help: "Referrer hosts the (link, hour) keys' heavy-hitter sketches track.",
		}, func() float64 { return float64(p.Visits.ReferrerHosts()) }),
	}
	if tiers := cacheTiersOf(p.Local, p.Shared); len(tiers) > 0 {
		sum := func(read func(cacheStats) uint64) func() uint64 {
			return func() uint64 {
				var n uint64
				for _, t := range tiers {
					n += read(t)
				}
				return n
			}
		}
		// A lookup the local tier cannot answer goes on to the shared one,
		// when there is one: its misses are the cache's.
		last := tiers[len(tiers)-1]
		cs = append(cs,
			counterFunc("shortlink_cache_hits_total", "Redirect cache lookups that found the link, in any tier.", sum(cacheStats.Hits)),
			counterFunc("shortlink_cache_local_hits_total", "Cache hits answered from the api's own memory, without a round trip.", sum(cacheStats.LocalHits)),
			counterFunc("shortlink_cache_misses_total", "Redirect cache lookups that found nothing in the last tier.", last.Misses),
			counterFunc("shortlink_cache_negative_hits_total", "Redirect cache lookups that found a cached miss.", sum(cacheStats.NegativeHits)),
		)
	}
	if shared, ok := p.Shared.(interface{ BreakerOpen() bool }); ok {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "shortlink_cache_breaker_open", Help: "1 while the shared cache is skipped after repeated failures (lookups go to the store).",
		}, func() float64 {
			if shared.BreakerOpen() {
				return 1
			}
			return 0
		}))
	}
	if p.Pool != nil {
		cs = append(cs, counterFunc("shortlink_pool_fallbacks_total", "Code buffer refills that bypassed an empty or unreachable pool.", p.Supply.Fallbacks))
	}
	return cs
}

// cacheTiersOf are the tiers that keep counters, local first.
func cacheTiersOf(local ports.LocalLinkCache, shared ports.LinkCache) []cacheStats {
	var tiers []cacheStats
	for _, c := range []any{local, shared} {
		if stats, ok := c.(cacheStats); ok {
			tiers = append(tiers, stats)
		}
	}
	return tiers
}

func counterFunc(name, help string, read func() uint64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(read()) })
}
