package httpapi

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// rateLimit refuses a client more than perMinute creates a minute with 429
// and Retry-After. The client is its address as resolved through trusted
// proxies. When the limiter itself fails, the request goes through: a cache
// outage must not stop creates.
func rateLimit(limiter ports.RateLimiter, perMinute int, clock ports.Clock, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		allowed, retryAfter, err := limiter.Allow(c.Request.Context(), "create:"+clientKey(c.ClientIP()), perMinute, time.Minute, clock.Now())
		if err != nil {
			log.DebugContext(c, "rate limiter unavailable; allowing the request", "error", err)
			c.Next()
			return
		}
		if !allowed {
			writeError(c, log, errRateLimited("too many creates from this address; retry later", retryAfter))
			return
		}
		c.Next()
	}
}

// requireAPIKey admits only requests that carry a key of keys, as
// "Authorization: Bearer <key>" or "X-API-Key: <key>".
func requireAPIKey(keys domain.KeySet, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		presented := c.GetHeader("X-API-Key")
		if presented == "" {
			presented = bearer(c)
		}
		if presented == "" || !keys.Contains(domain.DigestToken(presented)) {
			writeError(c, log, errAPIKeyRequired)
			return
		}
		c.Next()
	}
}
