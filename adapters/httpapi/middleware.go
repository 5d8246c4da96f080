package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// requestMetrics are the per-route request counters and latency histograms.
type requestMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series holds each (route, method, status) series' two children once
	// resolved: a request then costs one map lookup instead of hashing its
	// labels twice and searching both vectors under their locks. Routes,
	// methods (methodLabel) and statuses are fixed sets, so it stays small.
	series sync.Map // seriesKey → *seriesChildren
}

type seriesKey struct {
	route, method string
	status        int
}

type seriesChildren struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// child returns the series of one request, resolving it the first time.
func (m *requestMetrics) child(route, method string, status int) *seriesChildren {
	k := seriesKey{route, method, status}
	if c, ok := m.series.Load(k); ok {
		return c.(*seriesChildren)
	}
	labels := [3]string{route, method, statusText(status)}
	c, _ := m.series.LoadOrStore(k, &seriesChildren{
		requests: m.requests.WithLabelValues(labels[:]...),
		duration: m.duration.WithLabelValues(labels[:]...),
	})
	return c.(*seriesChildren)
}

// methodLabel keeps the method label to a fixed set: net/http accepts any
// token as a method, and each new one would be a new series held forever.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

func newRequestMetrics(reg prometheus.Registerer) *requestMetrics {
	m := &requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shortlink_http_requests_total",
			Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "shortlink_http_request_duration_seconds",
			Help:    "HTTP request latency by route, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// observe is the one middleware every request passes: it assigns the
// request id, recovers panics into a 500 envelope, and records the request
// in the metrics and, when access is not nil, the access log (with the
// client's address only when logClientIP).
func (h *Handler) observe(ids *requestIDs, metrics *requestMetrics, access *AccessLog, logClientIP bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		var id string // the map holds the canonical key: Header.Get would allocate it
		if v := c.Request.Header["X-Request-Id"]; len(v) > 0 && validRequestID(v[0]) {
			id = v[0]
			c.Writer.Header()["X-Request-Id"] = v[:1:1]
		} else {
			var header []string
			id, header = ids.new()
			c.Writer.Header()["X-Request-Id"] = header
		}

		defer func() {
			p := recover()
			if p != nil && p != http.ErrAbortHandler { //nolint:errorlint // the sentinel itself, as net/http compares it
				h.Log.ErrorContext(c, "panic serving request", "request_id", id, "panic", p)
				if !c.Writer.Written() {
					h.fail(c, errInternal)
				}
				c.Abort()
			}
			route := c.FullPath()
			if route == "" {
				route = "unmatched"
			}
			status := c.Writer.Status()
			if status == http.StatusRequestTimeout && c.GetBool(clientGoneKey) {
				status = statusClientClosedRequest
			}
			elapsed := time.Since(start)
			method := methodLabel(c.Request.Method)
			series := metrics.child(route, method, status)
			series.requests.Inc()
			series.duration.Observe(elapsed.Seconds())
			if access != nil {
				e := accessEntry{at: start, id: id, method: method, route: route, status: status, elapsed: elapsed}
				if logClientIP {
					e.clientIP = c.ClientIP()
				}
				access.log(&e)
			}
			if p == http.ErrAbortHandler { //nolint:errorlint // as above
				panic(p) // net/http cuts the connection: a streamed body is cut short, not ended
			}
		}()
		c.Next()
	}
}

// validRequestID accepts a caller's id only when it is short and plain, so
// it cannot forge log lines or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch ch := id[i]; {
		case ch >= '0' && ch <= '9', ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch == '-', ch == '_', ch == '.':
		default:
			return false
		}
	}
	return true
}

var statusTexts = func() map[int]string {
	m := map[int]string{}
	for _, s := range []int{200, 201, 302, 400, 401, 404, 405, 409, 413, 415, 429, 500, 503} {
		m[s] = strconv.Itoa(s)
	}
	return m
}()

func statusText(status int) string {
	if s, ok := statusTexts[status]; ok {
		return s
	}
	return strconv.Itoa(status)
}
