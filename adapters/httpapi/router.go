package httpapi

import (
	"net/http"
	"net/netip"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// RouterOptions shape the router around the handlers.
type RouterOptions struct {
	// TrustedProxies are the peers whose X-Forwarded-For is believed when
	// working out a client's address (rate limits, logs).
	TrustedProxies []netip.Prefix
	LogRequests    bool
	Registerer     prometheus.Registerer
	Gatherer       prometheus.Gatherer
	// CreateGuards run before a create, in order (API keys, rate limit).
	CreateGuards []gin.HandlerFunc
}

// NewRouter returns the gin engine with every route of the API.
func NewRouter(h *Handler, opts RouterOptions) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	proxies := make([]string, len(opts.TrustedProxies))
	for i, p := range opts.TrustedProxies {
		proxies[i] = p.String()
	}
	if err := r.SetTrustedProxies(proxies); err != nil {
		return nil, err
	}
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	r.Use(h.observe(newRequestIDs(), newRequestMetrics(opts.Registerer), opts.LogRequests))

	r.GET("/v1/health", h.health)
	r.GET("/v1/ready", h.ready)
	r.POST("/v1/shortlink", append(opts.CreateGuards, h.create)...)
	r.GET("/v1/shortlink/:code", h.redirect)
	r.GET("/:code", h.redirect)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{})))
	r.GET("/v1/openapi.yaml", serveOpenAPI)
	r.NoRoute(func(c *gin.Context) {
		writeJSON(c, http.StatusNotFound, envelope{Status: http.StatusNotFound, Data: errorBody{Error: "no such route"}})
	})
	return r, nil
}
