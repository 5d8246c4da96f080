package httpapi

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
)

// logRequest writes the access-log line of a request. It keeps the
// promise visit counting makes: the route pattern, never the path or the
// query (a code is not logged, a target URL never reaches the log); no
// referrer, no user agent; the client's address only with LOG_CLIENT_IP.
// The fields, besides slog's time, level and msg ("request"): request_id,
// method, route, status, duration_ms and, when enabled, client_ip.
func (h *Handler) logRequest(c *gin.Context, id, route string, status int, elapsed time.Duration) {
	attrs := [7]slog.Attr{
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
	}
	n := 5
	if h.opts.LogClientIP {
		attrs[n] = slog.String("client_ip", c.ClientIP())
		n++
	}
	h.Log.LogAttrs(c, slog.LevelInfo, "request", attrs[:n]...)
}
