package wiring

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/adapters/geo"
	"github.com/shortlink/shortlink/adapters/useragent"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

// visits is what visit counting needs in every mode: the bot detector and
// the flush histogram, observed by the flusher and served by /metrics.
var visits = fx.Provide(
	func() (ports.BotDetector, error) { return useragent.New(useragent.Options{}) },
	func(lc fx.Lifecycle, opts geo.Options) (ports.GeoLocator, error) {
		l, err := geo.New(opts)
		if err != nil {
			return nil, err
		}
		lc.Append(fx.StopHook(l.Close))
		return l, nil
	},
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
