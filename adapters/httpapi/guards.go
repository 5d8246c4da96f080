package httpapi

import (
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
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

// createAccess decides who may create, from "Authorization: Bearer <key>"
// or "X-API-Key: <key>": a workspace key (editor or owner: the link then
// belongs to its workspace; a viewer gets 403; an invalid or revoked key
// 401), an admin key, or a key of apiKeys. Without any of those, a create
// goes through only when apiKeys is empty and anonymous creates are on.
func createAccess(keys *app.KeyRing, apiKeys domain.KeySet, anonymous bool, log *slog.Logger) gin.HandlerFunc {
	open := apiKeys.Empty() && anonymous
	return func(c *gin.Context) {
		presented := c.GetHeader("X-API-Key")
		if presented == "" {
			presented = bearer(c)
		}
		if presented == "" {
			if !open {
				writeError(c, log, errAPIKeyRequired)
				return
			}
			c.Set(creatorKey, "client:"+clientKey(c.ClientIP()))
			c.Next()
			return
		}
		c.Set(creatorKey, "token:"+hex.EncodeToString(func(d domain.TokenDigest) []byte { return d[:] }(domain.DigestToken(presented))))
		if keys == nil { // assembled without workspaces: API_KEYS only
			if !open && !apiKeys.Contains(domain.DigestToken(presented)) {
				writeError(c, log, errAPIKeyRequired)
				return
			}
			c.Next()
			return
		}
		caller, err := keys.Identify(c.Request.Context(), presented, (*requester)(c))
		switch {
		case err != nil:
			writeError(c, log, err)
			return
		case caller.HasKey() && !caller.Key.Role.CanEdit():
			writeError(c, log, errViewerCannotCreate)
			return
		case caller.HasKey():
			c.Set(ownerKey, domain.Ownership{Workspace: caller.Key.Workspace, Key: caller.Key.ID})
			c.Set(creatorKey, "key:"+string(caller.Key.ID))
		case caller.Admin:
			c.Set(adminCreateKey, true)
			c.Set(creatorKey, "admin")
		case !open && !apiKeys.Contains(domain.DigestToken(presented)):
			writeError(c, log, errAPIKeyRequired)
			return
		}
		c.Next()
	}
}

// ownerKey is where createAccess leaves the ownership of the link to create.
const ownerKey = "shortlink.owner"

// adminCreateKey is set by createAccess when an admin key creates: it may
// name the workspace the link goes into.
const adminCreateKey = "shortlink.admin_create"

var errWorkspaceAdminsOnly = &httpError{status: http.StatusForbidden, reason: "forbidden", message: "only an admin key may name the workspace of a new link"}

// creatorKey is where createAccess leaves who creates, as idempotency keys
// are scoped: "key:<id>", "admin", "token:<digest>" (an API_KEYS key, or a
// credential anonymous creates let through) or "client:<address>".
const creatorKey = "shortlink.creator"

var errViewerCannotCreate = &httpError{status: http.StatusForbidden, reason: "forbidden", message: "a viewer key cannot create links"}
