package httpapi

import (
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRouter returns the gin engine with every route of the API; reg
// receives the request metrics and is what /metrics serves.
func NewRouter(h *Handler, reg *prometheus.Registry) (*gin.Engine, error) {
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
	r.Use(h.observe(newRequestIDs(), newRequestMetrics(reg), h.opts.LogRequests))

	var createGuards []gin.HandlerFunc
	if h.opts.CreateRateLimit > 0 && h.Limiter != nil {
		createGuards = append(createGuards, rateLimit(h.Limiter, h.opts.CreateRateLimit, h.Clock, h.Log))
	}
	if len(h.opts.APIKeys) > 0 {
		createGuards = append(createGuards, requireAPIKey(h.opts.APIKeys, h.Log))
	}

	r.GET("/v1/health", h.health)
	r.GET("/v1/ready", h.ready)
	r.POST("/v1/shortlink", append(createGuards, h.create)...)
	r.GET("/v1/shortlink/:code", h.redirect)
	r.GET("/:code", h.redirect)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	r.GET("/v1/openapi.yaml", serveOpenAPI)
	r.NoRoute(func(c *gin.Context) { h.fail(c, errNoRoute) })
	return r, nil
}
