package httpapi

import (
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// Module wires the HTTP API into an fx application and runs its server for
// the application's lifetime. Creates pass the rate limit (when
// CREATE_RATE_LIMIT > 0 and a ports.RateLimiter is provided), then the API
// key check (when API_KEYS is set).
var Module = fx.Module("httpapi",
	fx.Provide(
		func(cfg config.Config, c *app.Creator, r *app.Resolver, ready *app.Readiness, log *slog.Logger) *Handler {
			return NewHandler(c, r, ready, cfg.PublicBaseURL, cfg.RequestTimeout, log)
		},
		fx.Annotate(
			func(cfg config.Config, h *Handler, reg *prometheus.Registry, limiter ports.RateLimiter, log *slog.Logger) (*gin.Engine, error) {
				proxies, err := cfg.TrustedProxyPrefixes()
				if err != nil {
					return nil, err
				}
				var guards []gin.HandlerFunc
				if cfg.CreateRateLimit > 0 && limiter != nil {
					guards = append(guards, RateLimit(limiter, cfg.CreateRateLimit, log))
				}
				if len(cfg.APIKeys) > 0 {
					guards = append(guards, RequireAPIKey(cfg.APIKeys))
				}
				return NewRouter(h, RouterOptions{
					TrustedProxies: proxies, LogRequests: cfg.LogRequests,
					Registerer: reg, Gatherer: reg, CreateGuards: guards,
				})
			},
			fx.ParamTags(``, ``, ``, `optional:"true"`),
		),
		func(cfg config.Config, engine *gin.Engine, log *slog.Logger) *Server {
			return NewServer(cfg.APIAddr, engine, log)
		},
	),
	fx.Invoke(func(lc fx.Lifecycle, s *Server) { lc.Append(fx.StartStopHook(s.Start, s.Stop)) }),
)
