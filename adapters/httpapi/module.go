package httpapi

import (
	"log/slog"
	"net"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

// Module wires the HTTP API into an fx application from its Options and
// runs its server for the application's lifetime. Creates pass the rate
// limit (when Options.CreateRateLimit > 0 and a ports.RateLimiter is
// provided), then the API key check (when Options.APIKeys has any).
var Module = fx.Module("httpapi",
	fx.Provide(
		func() *Drain { return &Drain{} },
		newHandlerFx,
		newAccessLogFx,
		NewRouter,
		func(opts Options, engine *gin.Engine, drain *Drain, log *slog.Logger) *Server {
			s := NewServer(opts.Addr, opts.MaxConnections, engine, log)
			s.DrainFirst(opts.ShutdownDrain, drain)
			if opts.Greet != nil {
				s.OnListening(func(addr net.Addr) { opts.Greet(openURL(addr)) })
			}
			return s
		},
	),
	// The metrics listener, when METRICS_ADDR names one, starts before
	// the api's and stops after it, so a drain can be watched to its end.
	fx.Invoke(func(lc fx.Lifecycle, opts Options, reg *prometheus.Registry, log *slog.Logger) {
		if opts.MetricsAddr != "" {
			m := NewMetricsServer(opts.MetricsAddr, reg, log)
			lc.Append(fx.StartStopHook(m.Start, m.Stop))
		}
	}),
	// The server records visits through the handler, so app's visit
	// flusher, whose hooks come with the recorder, stops after it drains.
	fx.Invoke(func(lc fx.Lifecycle, s *Server) {
		lc.Append(fx.StartStopHook(s.Start, s.Stop))
	}),
)

type handlerParams struct {
	fx.In
	Opts      Options
	Creator   *app.Creator
	Resolver  *app.Resolver
	Manager   *app.Manager
	Unlocker  *app.Unlocker `optional:"true"`
	Readiness *app.Readiness
	Visits    *app.VisitRecorder
	Stats     *app.StatsReader
	Clock     ports.Clock
	Limiter   ports.RateLimiter `optional:"true"`
	Log       *slog.Logger
	Drain     *Drain
	Keys      *app.KeyRing
	Spaces    *app.Workspaces
	Lister    *app.Lister
	Audit     *app.Auditor
	WsStats   *app.WorkspaceStats `optional:"true"`
	Exporter  *app.Exporter
	Targets   *app.Targets `optional:"true"`
	Idem      *app.Idempotency
	Domains   *app.Domains `optional:"true"`
}

func newHandlerFx(p handlerParams) *Handler {
	return NewHandler(Deps{
		Creator: p.Creator, Resolver: p.Resolver, Manager: p.Manager, Unlocker: p.Unlocker, Readiness: p.Readiness,
		Visits: p.Visits, Stats: p.Stats,
		Clock: p.Clock, Limiter: p.Limiter, Log: p.Log, Drain: p.Drain,
		Keys: p.Keys, Workspaces: p.Spaces, Lister: p.Lister, Audit: p.Audit, WorkspaceStats: p.WsStats,
		Exporter: p.Exporter, Targets: p.Targets, Idempotency: p.Idem, Domains: p.Domains,
	}, p.Opts)
}

// newAccessLogFx is the access log on stdout when Options.LogRequests, and
// nil otherwise. Provided before the server, its stop hook runs after the
// server's: every request that drained still gets its line written.
func newAccessLogFx(lc fx.Lifecycle, opts Options) *AccessLog {
	if !opts.LogRequests {
		return nil
	}
	out := opts.AccessLogTo
	if out == nil {
		out = os.Stdout
	}
	l := NewAccessLog(out)
	lc.Append(fx.StartStopHook(l.Start, l.Close))
	return l
}
