// Package httpapi is the HTTP adapter: gin routes for SPEC §2, the JSON
// envelope, one error-to-status table, and the server's lifecycle.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

// MaxBodyBytes caps create request bodies; larger ones are refused unread.
const MaxBodyBytes = 16 << 10

// Options configure the HTTP API; cmd maps them from the configuration.
type Options struct {
	// Addr is the listen address (API_ADDR).
	Addr string
	// PublicBaseURL prefixes short_url.
	PublicBaseURL string
	// RequestTimeout bounds the work a use case may do for one request.
	RequestTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For is believed when
	// working out a client's address (rate limits, logs).
	TrustedProxies []netip.Prefix
	// LogRequests writes one access-log line per request.
	LogRequests bool
	// CreateRateLimit is creates per minute per client; 0 turns it off.
	CreateRateLimit int
	// APIKeys, when any, are required for creates.
	APIKeys []string
}

// Deps are what the handlers call.
type Deps struct {
	Creator   *app.Creator
	Resolver  *app.Resolver
	Readiness *app.Readiness
	Clock     ports.Clock
	// Limiter counts creates for Options.CreateRateLimit; nil turns the
	// rate limit off.
	Limiter ports.RateLimiter
	Log     *slog.Logger
}

// Handler serves the API's routes.
type Handler struct {
	Deps
	opts Options
}

// NewHandler returns the route handlers.
func NewHandler(deps Deps, opts Options) *Handler {
	opts.PublicBaseURL = strings.TrimSuffix(opts.PublicBaseURL, "/")
	return &Handler{Deps: deps, opts: opts}
}

// createBody is the POST /v1/shortlink request. Pointers tell "absent or
// null" from "empty"; unknown fields are ignored.
type createBody struct {
	URL       *string `json:"url"`
	ExpiresAt *string `json:"expires_at"`
	Alias     *string `json:"alias"`
}

type createdBody struct {
	Code      string `json:"code"`
	ShortURL  string `json:"short_url"`
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
}

func (h *Handler) health(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", []byte(`{"status":"ok"}`+"\n"))
}

func (h *Handler) ready(c *gin.Context) {
	if down := h.Readiness.Down(c.Request.Context()); len(down) > 0 {
		h.fail(c, errNotReady(down))
		return
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: map[string]string{"status": "ready"}})
}

func (h *Handler) create(c *gin.Context) {
	req, err := decodeCreate(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.opts.RequestTimeout)
	defer cancel()
	link, err := h.Creator.Create(ctx, req)
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, envelope{Status: http.StatusCreated, Data: createdBody{
		Code:      link.Code().String(),
		ShortURL:  h.opts.PublicBaseURL + "/" + link.Code().String(),
		URL:       link.URL(),
		ExpiresAt: link.ExpiresAt().Format(time.RFC3339Nano),
	}})
}

// decodeCreate reads and checks the request as HTTP and JSON; the use case
// checks the values.
func decodeCreate(c *gin.Context) (app.CreateRequest, error) {
	if c.Request.ContentLength > MaxBodyBytes {
		return app.CreateRequest{}, errBodyTooLarge
	}
	if mediaType, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mediaType != "application/json" {
		return app.CreateRequest{}, errNotJSON
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return app.CreateRequest{}, errBodyTooLarge
		}
		return app.CreateRequest{}, badRequest("could not read the request body")
	}
	var body createBody
	if err := json.Unmarshal(raw, &body); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return app.CreateRequest{}, badRequest("request body must be a JSON object")
			}
			return app.CreateRequest{}, badRequest("%s: must be a string", typeErr.Field)
		}
		return app.CreateRequest{}, badRequest("request body is not valid JSON")
	}
	if body.URL == nil {
		return app.CreateRequest{}, badRequest("url: is required")
	}
	return app.CreateRequest{URL: *body.URL, ExpiresAt: deref(body.ExpiresAt), Alias: deref(body.Alias)}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// redirect answers a short code with 302 and the target in Location, and no
// body: this is the hot path.
func (h *Handler) redirect(c *gin.Context) {
	// No request-wide deadline: every step of a resolve bounds itself (cache
	// operations by REDIS_TIMEOUT, the store lookup by REQUEST_TIMEOUT), and
	// a timer per request was a third of a cached redirect's CPU.
	link, err := h.Resolver.Resolve(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Writer.Header()["Location"] = []string{link.URL()}
	c.Writer.WriteHeader(http.StatusFound)
}
