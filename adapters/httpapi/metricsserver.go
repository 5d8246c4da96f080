package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsMaxConns caps the metrics listener's connections: a scraper or
// two, and a person with curl.
const metricsMaxConns = 16

// NewMetricsServer serves reg at /metrics, and nothing else, on addr: the
// listener of its own that METRICS_ADDR names, so the metrics can stay
// off the port clients reach.
func NewMetricsServer(addr string, reg *prometheus.Registry, log *slog.Logger) *Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s := NewServer(addr, metricsMaxConns, mux, log)
	s.name = "metrics"
	return s
}
