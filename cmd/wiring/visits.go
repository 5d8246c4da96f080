package wiring

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/useragent"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

// visits is what visit counting needs in every mode: the bot detector and
// the flush histogram, observed by the flusher and served by /metrics.
var visits = fx.Provide(
	func() (ports.BotDetector, error) { return useragent.New(useragent.Options{}) },
	newFlushHistogram,
	func(h *flushHistogram) app.FlushObserver {
		return func(d time.Duration, outcome string) { h.WithLabelValues(outcome).Observe(d.Seconds()) }
	},
)

// flushHistogram is shortlink_visit_flush_seconds.
type flushHistogram struct{ *prometheus.HistogramVec }

func newFlushHistogram() *flushHistogram {
	return &flushHistogram{prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "shortlink_visit_flush_seconds",
		Help:    "Writes of counted visits by outcome (applied, not_applied, uncertain).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"outcome"})}
}

// visitCollectors are the visit counters of /metrics.
func visitCollectors(rec *app.VisitRecorder, flushes *flushHistogram) []prometheus.Collector {
	return []prometheus.Collector{
		flushes,
		counterFunc("shortlink_visits_recorded_total", "Redirects counted as visits in memory.", rec.Recorded),
		counterFunc("shortlink_visits_dropped_total", "Visits dropped because VISIT_PENDING_KEYS (link, hour) keys were pending.", rec.Dropped),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "shortlink_visit_pending_keys", Help: "(link, hour) keys of visits held in memory, the batch being written included.",
		}, func() float64 { return float64(rec.PendingKeys()) }),
	}
}
