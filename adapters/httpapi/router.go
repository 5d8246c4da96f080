package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shortlink/shortlink/domain"
)

// NewRouter returns the gin engine with every route of the API; reg
// receives the request metrics and is what /metrics serves (here unless
// Options.MetricsAddr or MetricsOffAPI say otherwise); access, when not
// nil, gets a line per request.
func NewRouter(h *Handler, reg *prometheus.Registry, access *AccessLog) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	proxies := make([]string, len(h.opts.TrustedProxies))
	for i, p := range h.opts.TrustedProxies {
		proxies[i] = p.String()
	}
	if err := r.SetTrustedProxies(proxies); err != nil {
		return nil, err
	}
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	r.Use(h.observe(newRequestIDs(), newRequestMetrics(reg), access, h.opts.LogClientIP))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "shortlink_forward_query_too_long_total",
		Help: "Redirects of links with forward_query that went to the plain target: with the query string the target would have been longer than MAX_URL_LENGTH.",
	}, func() float64 { return float64(h.forwardTooLong.Load()) }))

	var createGuards []gin.HandlerFunc
	if h.opts.CreateRateLimit > 0 && h.Limiter != nil {
		createGuards = append(createGuards, rateLimit(h.Limiter, h.opts.CreateRateLimit, h.Clock, h.Log))
	}
	mayCreate := createAccess(h.Keys, domain.NewKeySet(h.opts.APIKeys), h.opts.AnonymousCreate || h.Keys == nil, h.Log)
	createGuards = append(createGuards, mayCreate)

	r.HandleMethodNotAllowed = true // 405 with Allow for a known route

	web, err := newWebPage(h.opts, h.Log)
	if err != nil {
		return nil, err
	}

	get := func(path string, handler gin.HandlerFunc) { // HEAD is answered wherever GET is
		r.GET(path, handler)
		r.HEAD(path, handler)
	}
	get("/v1/health", h.health)
	get("/v1/ready", h.ready)
	get("/v1/openapi.yaml", serveOpenAPI)
	if h.opts.MetricsAddr == "" && !h.opts.MetricsOffAPI {
		get("/metrics", gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	} else { // as the front door answers it, not as a code to look up
		get("/metrics", func(c *gin.Context) { h.fail(c, errNoRoute) })
	}
	r.POST("/v1/shortlink", append(createGuards, h.create)...)
	get("/v1/shortlink/:code", h.redirect)
	r.PATCH("/v1/shortlink/:code", h.patch)
	r.DELETE("/v1/shortlink/:code", h.remove)
	get("/v1/shortlink/:code/info", h.info)
	get("/v1/shortlink/:code/stats", h.stats)
	get("/v1/shortlink/:code/qr", h.qrCode)
	r.POST("/v1/workspaces", h.createWorkspace)
	get("/v1/keys", h.listKeys)
	r.POST("/v1/keys", h.createKey)
	r.DELETE("/v1/keys/:id", h.revokeKey)
	get("/v1/shortlinks", h.listLinks)
	get("/v1/shortlinks/export", h.exportLinks)
	get("/v1/tags", h.listTags)
	get("/v1/audit", h.listAudit)
	get("/v1/stats", h.workspaceStats)
	r.POST("/v1/shortlink/:code/unlock", h.unlock)
	// Bulk creates and imports count each item against CREATE_RATE_LIMIT
	// themselves, and have time limits of their own.
	r.POST("/v1/shortlinks/bulk", longRequest(BulkTimeout), mayCreate, h.bulkCreate)
	r.POST("/v1/shortlinks/import", longRequest(ImportTimeout), mayCreate, h.importLinks)
	get("/v1/domains", h.listDomains)
	r.POST("/v1/domains", h.createDomain)
	r.DELETE("/v1/domains/:host", h.removeDomain)
	get("/:code", h.redirect) // and /{code}+, the preview page (a POST to /{code}: NoMethod)
	get("/", web.home)
	get("/_/:asset", web.asset)
	get("/robots.txt", web.robotsFile)
	get("/favicon.ico", web.faviconFile)
	r.NoRoute(func(c *gin.Context) { h.fail(c, errNoRoute) })
	allow := allowedMethods(r.Routes())
	r.NoMethod(func(c *gin.Context) {
		if c.Request.Method == http.MethodPost && h.unlockForm(c) {
			return // a protected link's password form, posted to its short URL
		}
		allowed := allow(c.Request.URL.Path)
		if allowed == "" {
			h.fail(c, errNoRoute)
			return
		}
		c.Writer.Header()["Allow"] = []string{allowed}
		h.fail(c, errMethodNotAllowed)
	})
	return r, nil
}
