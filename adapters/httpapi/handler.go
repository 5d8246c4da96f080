// Package httpapi is the HTTP adapter: gin routes for the API, the JSON
// envelope, one error-to-status table, and the server's lifecycle.
package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

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
	// LogClientIP puts the client's address in those lines.
	LogClientIP bool
	// AccessLogTo is where those lines go; nil is standard output.
	AccessLogTo io.Writer
	// CreateRateLimit is creates per minute per client; 0 turns it off.
	CreateRateLimit int
	// APIKeys, when any, are required for creates (or a workspace or admin key).
	APIKeys []string
	// AnonymousCreate lets creates without any key through (unless APIKeys).
	AnonymousCreate bool
	// MaxConnections caps the client connections served at once.
	MaxConnections int
	// MetricsAddr, when set, is a listener of its own that serves /metrics
	// (METRICS_ADDR); the api's listener then does not.
	MetricsAddr string
	// MetricsOffAPI keeps /metrics off the api's listener even without
	// MetricsAddr: embedded mode, with nothing in front of the api.
	MetricsOffAPI bool
	// ShutdownDrain is how long the server, no longer accepting after
	// SIGTERM, keeps serving the connections it has (not ready, closing each
	// after its response) before it closes them (SHUTDOWN_DRAIN).
	ShutdownDrain time.Duration
	// DefaultTTL and MaxTTL are the lifetimes the web page's hints name.
	DefaultTTL, MaxTTL time.Duration
	// MaxURLLength bounds a target with a forwarded query string
	// (MAX_URL_LENGTH); 0 is 4096.
	MaxURLLength int
	// NotFoundURL, when set, is where browsers asking for an unknown or
	// expired code are sent (302) instead of the 404 page (NOT_FOUND_URL).
	NotFoundURL string
	// AllowRobots lets crawlers in (robots.txt) but for /v1/ and /_/;
	// otherwise they are asked to stay out (ROBOTS).
	AllowRobots bool
	// Greet, when set, is called once the server listens, with the URL to
	// open (embedded mode tells the person at the terminal).
	Greet func(url string)
}

// Deps are what the handlers call.
type Deps struct {
	Creator  *app.Creator
	Resolver *app.Resolver
	Manager  *app.Manager
	// Unlocker checks the passwords of protected links; nil answers their
	// unlocks 503.
	Unlocker  *app.Unlocker
	Readiness *app.Readiness
	// Visits counts answered redirects; nil counts nothing.
	Visits *app.VisitRecorder
	// Stats reads visit statistics.
	Stats *app.StatsReader
	Clock ports.Clock
	// Limiter counts creates for Options.CreateRateLimit; nil turns the
	// rate limit off.
	Limiter ports.RateLimiter
	Log     *slog.Logger
	// Drain, once active, makes /v1/ready answer 503; nil never drains.
	Drain *Drain
	// Keys tells credentials; Workspaces, Lister and Audit serve the workspace routes.
	Keys       *app.KeyRing
	Workspaces *app.Workspaces
	Lister     *app.Lister
	Audit      *app.Auditor
	// WorkspaceStats serves GET /v1/stats; nil answers 503.
	WorkspaceStats *app.WorkspaceStats
	// Exporter streams the links a caller may list (nil: 503).
	Exporter *app.Exporter
	// Targets classify the visitors of links with redirect rules.
	Targets *app.Targets
	// Idempotency answers retries of bulk creates and imports sent with an
	// Idempotency-Key; nil refuses such a key as not enabled.
	Idempotency *app.Idempotency
	// Domains are the short domains (SPEC §14); nil: the default only.
	Domains *app.Domains
}

// Handler serves the API's routes.
type Handler struct {
	Deps
	opts Options
	// forwardTooLong counts redirects whose forwarded query string would
	// have made the target longer than MaxURLLength: they went to the
	// plain target.
	forwardTooLong atomic.Uint64
}

// NewHandler returns the route handlers.
func NewHandler(deps Deps, opts Options) *Handler {
	opts.PublicBaseURL = strings.TrimSuffix(opts.PublicBaseURL, "/")
	if opts.MaxURLLength <= 0 {
		opts.MaxURLLength = 4096
	}
	return &Handler{Deps: deps, opts: opts}
}

type createdBody struct {
	Code         string  `json:"code"`
	ShortURL     string  `json:"short_url"`
	URL          string  `json:"url"`
	ExpiresAt    *string `json:"expires_at"` // null: permanent
	ManageToken  string  `json:"manage_token"`
	ForwardQuery bool    `json:"forward_query,omitempty"` // only when on: answers stay the original's
	Protected    bool    `json:"protected,omitempty"`
	// Rules and Targets, only for a link with rules.
	Rules   json.RawMessage `json:"rules,omitempty"`
	Targets []targetBody    `json:"targets,omitempty"`
	// Domain is the registered domain the link is on; absent on the default one.
	Domain string `json:"domain,omitempty"`
}

func (h *Handler) health(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", []byte(`{"status":"ok"}`+"\n"))
}

func (h *Handler) ready(c *gin.Context) {
	if h.Drain.Active() {
		h.fail(c, errDraining)
		return
	}
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
	named := req.Owner.Workspace // "workspace" of the body: admins only
	req.Owner = domain.Ownership{}
	if owner, ok := c.Get(ownerKey); ok {
		req.Owner, _ = owner.(domain.Ownership)
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.opts.RequestTimeout)
	defer cancel()
	if named != "" {
		if err := h.createIn(ctx, c, named, &req); err != nil {
			h.fail(c, err)
			return
		}
	}
	created, err := h.Creator.Create(ctx, req)
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, envelope{Status: http.StatusCreated, Data: h.createdBodyOf(created)})
}

// createdBodyOf is the data of a create's 201.
func (h *Handler) createdBodyOf(created app.Created) createdBody {
	link := created.Link
	rules, targets := rulesBodies(link)
	return createdBody{
		Rules: rules, Targets: targets,
		Code:         link.ShortCode().String(),
		ShortURL:     h.shortURL(link.Code()),
		URL:          link.URL(),
		ExpiresAt:    expiresAt(link),
		ManageToken:  created.ManageToken,
		ForwardQuery: link.ForwardQuery(),
		Protected:    link.Protected(),
		Domain:       string(link.Domain()),
	}
}

// decodeCreate reads and checks the request as HTTP and JSON; the use case
// checks the values. Unknown members are ignored.
func decodeCreate(c *gin.Context) (app.CreateRequest, error) {
	body, err := readJSONObject(c)
	if err != nil {
		return app.CreateRequest{}, err
	}
	return createRequestOf(body)
}

// createRequestOf reads a create's members from body.
func createRequestOf(body jsonObject) (app.CreateRequest, error) {
	var req app.CreateRequest
	url, given, err := body.str("url")
	if err != nil {
		return app.CreateRequest{}, err
	}
	if !given {
		return app.CreateRequest{}, invalidRequest(domain.ReasonMissingField, "url", "url is required")
	}
	req.URL = url
	if req.ExpiresAt, _, err = body.str("expires_at"); err != nil {
		return app.CreateRequest{}, err
	}
	if req.Alias, _, err = body.str("alias"); err != nil {
		return app.CreateRequest{}, err
	}
	if req.Title, _, err = body.str("title"); err != nil {
		return app.CreateRequest{}, err
	}
	if req.Tags, _, err = body.strList("tags"); err != nil {
		return app.CreateRequest{}, err
	}
	forward, given, err := body.boolean("forward_query")
	if err != nil {
		return app.CreateRequest{}, err
	}
	if given {
		req.ForwardQuery = &forward
	}
	if req.Password, _, err = body.str("password"); err != nil {
		return app.CreateRequest{}, err
	}
	// The workspace an admin names; create checks who may.
	ws, _, err := body.str("workspace")
	if err != nil {
		return app.CreateRequest{}, err
	}
	req.Owner.Workspace = domain.WorkspaceID(ws)
	if req.Rules, _, err = body.rules(); err != nil {
		return app.CreateRequest{}, err
	}
	if req.Domain, _, err = body.str("domain"); err != nil {
		return app.CreateRequest{}, err
	}
	return req, nil
}

// createIn puts the link req creates into workspace ws: only an admin key
// may name one (403 for anyone else, a workspace key included), and it
// must exist (400 naming the field).
func (h *Handler) createIn(ctx context.Context, c *gin.Context, ws domain.WorkspaceID, req *app.CreateRequest) error {
	if !c.GetBool(adminCreateKey) || h.Workspaces == nil {
		return errWorkspaceAdminsOnly
	}
	exists, err := h.Workspaces.Exists(ctx, ws)
	if err != nil {
		return err
	}
	if !exists {
		return &domain.ValidationError{Field: "workspace", Reason: domain.ReasonInvalidFilter, Message: "no such workspace"}
	}
	req.Owner = domain.Ownership{Workspace: ws}
	return nil
}

// requester is a request as the resolve use case sees its client.
type requester gin.Context

// ClientKey implements app.Requester.
func (r *requester) ClientKey() string { return clientKey((*gin.Context)(r).ClientIP()) }

// redirect answers a short code with 302 and the target in Location, and no
// body: this is the hot path. A code followed by "+" on the short route is
// the preview page instead.
func (h *Handler) redirect(c *gin.Context) {
	code := c.Param("code")
	short := c.FullPath() == "/:code"
	if short {
		var ok bool
		if code, ok = h.codeOnHost(c, code); !ok {
			h.fail(c, domain.ErrNotFound)
			return
		}
	} else if c.Request.URL.RawQuery != "" { // GET /v1/shortlink/{code}?domain=
		var err error
		if code, err = h.codeKey(c); err != nil {
			h.fail(c, err)
			return
		}
	}
	if strings.HasSuffix(code, "+") && short {
		h.preview(c, code[:len(code)-1])
		return
	}
	// No request-wide deadline: every step of a resolve bounds itself (cache
	// operations by REDIS_TIMEOUT, the store lookup by REQUEST_TIMEOUT), so
	// the redirect path arms no timer per request.
	link, err := h.Resolver.Resolve(c.Request.Context(), code, (*requester)(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	if link.Protected() {
		h.passwordWall(c, link)
		return
	}
	if link.HasRules() {
		h.redirectByRules(c, link)
		return
	}
	to := link.URL()
	if link.ForwardQuery() && c.Request.URL.RawQuery != "" {
		to = h.forwarded(to, c.Request.URL.RawQuery)
	}
	setLocation(c.Writer.Header(), to)
	c.Writer.WriteHeader(http.StatusFound)
	h.countVisit(c, link)
}

// forwarded is target with the short URL's query string appended
// (domain.ForwardedURL), or target alone, counted, when that would be
// longer than MAX_URL_LENGTH.
func (h *Handler) forwarded(target, rawQuery string) string {
	to, ok := domain.ForwardedURL(target, rawQuery, h.opts.MaxURLLength)
	if !ok {
		h.forwardTooLong.Add(1)
	}
	return to
}

// expiresAt is link's expiry as answers show it: RFC 3339, or null (nil)
// for a permanent link.
func expiresAt(link domain.ShortLink) *string {
	if link.Permanent() {
		return nil
	}
	at := link.ExpiresAt().Format(time.RFC3339Nano)
	return &at
}
