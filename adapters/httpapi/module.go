package httpapi

import (
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
)

// Module wires the HTTP API into an fx application and runs its server for
// the application's lifetime. Guards tagged `group:"create_guards"` run
// before every create.
var Module = fx.Module("httpapi",
	fx.Provide(
		func(cfg config.Config, c *app.Creator, r *app.Resolver, ready *app.Readiness, log *slog.Logger) *Handler {
			return NewHandler(c, r, ready, cfg.PublicBaseURL, cfg.RequestTimeout, log)
		},
		fx.Annotate(
			func(cfg config.Config, h *Handler, reg *prometheus.Registry, guards []gin.HandlerFunc) (*gin.Engine, error) {
				proxies, err := cfg.TrustedProxyPrefixes()
				if err != nil {
					return nil, err
				}
				return NewRouter(h, RouterOptions{
					TrustedProxies: proxies, LogRequests: cfg.LogRequests,
					Registerer: reg, Gatherer: reg, CreateGuards: guards,
				})
			},
			fx.ParamTags(``, ``, ``, `group:"create_guards"`),
		),
		func(cfg config.Config, engine *gin.Engine, log *slog.Logger) *Server {
			return NewServer(cfg.APIAddr, engine, log)
		},
	),
	fx.Invoke(func(lc fx.Lifecycle, s *Server) { lc.Append(fx.StartStopHook(s.Start, s.Stop)) }),
)
