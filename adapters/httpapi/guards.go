package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

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
			writeError(c, log, errRateLimited("too many creates from this address; retry later",
				max(1, int(math.Ceil(retryAfter.Seconds())))))
			return
		}
		c.Next()
	}
}

// requireAPIKey admits only requests that carry one of keys, as
// "Authorization: Bearer <key>" or "X-API-Key: <key>". Keys are compared as
// SHA-256 digests in constant time, against every key, so the time taken
// tells nothing about how close a guess came or which key matched.
func requireAPIKey(keys []string, log *slog.Logger) gin.HandlerFunc {
	digests := make([][32]byte, 0, len(keys))
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			digests = append(digests, sha256.Sum256([]byte(k)))
		}
	}
	return func(c *gin.Context) {
		presented := c.GetHeader("X-API-Key")
		if auth := c.GetHeader("Authorization"); presented == "" && len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
			presented = strings.TrimSpace(auth[7:])
		}
		got := sha256.Sum256([]byte(presented))
		match := 0
		for _, want := range digests {
			match |= subtle.ConstantTimeCompare(got[:], want[:])
		}
		if presented == "" || match != 1 {
			writeError(c, log, errAPIKeyRequired)
			return
		}
		c.Next()
	}
}
