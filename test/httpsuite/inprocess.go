package httpsuite

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/testkit"
)

// Parts are the ports an in-process API is assembled from. Pool and
// Limiter may be nil. /v1/ready checks each of Store, Cache and Pool that
// offers a ReadinessCheck, as its adapter's fx module would contribute it.
type Parts struct {
	Store   ports.LinkStore
	Counter ports.CodeCounter
	// Cache is the redirect cache: an in-process one (a
	// ports.LocalLinkCache, as in embedded mode), or one replicas share
	// (Redis), in front of which the api keeps an in-process tier of
	// LOCAL_CACHE_BYTES that Changes keeps in step (without Changes, the
	// shared cache alone).
	Cache ports.LinkCache
	// Changes is the store's change feed, for a shared Cache.
	Changes ports.ChangeFeed
	// Local, for a shared Cache, is the in-process tier in front of it;
	// nil makes one of LOCAL_CACHE_BYTES.
	Local   ports.LocalLinkCache
	Pool    ports.CodePool
	Limiter ports.RateLimiter
	// Secrets keeps the code secret; nil takes Store when it is one.
	Secrets ports.CodeSecretStore
	// Outbox, when set, is drained into Cache as in production.
	Outbox ports.CacheOutbox
	// Visits keeps visit counters; nil takes Store when it is one.
	Visits ports.VisitStore
	// Configure, when set, adjusts the configuration (the defaults, with
	// PublicBaseURL, AdminKey as ADMIN_KEYS and a free loopback address)
	// before the app is built.
	// The logger writes to io.Discard at cfg's LOG_LEVEL.
	Configure func(cfg *config.Config)
}

// PublicBaseURL is the public base URL in-process APIs are configured with.
const PublicBaseURL = "https://sho.rt"

// StartInProcess builds the api from the same modules as cmd/api
// (wiring.Core: visit counting, metrics, the use cases and the HTTP
// adapter, configured from the defaults) around parts, with a suite clock,
// and serves it on a loopback port until the test ends.
func StartInProcess(t *testing.T, parts Parts) Env {
	t.Helper()
	return Assemble(t, parts).Env
}

// Assembly is an in-process api: its address and clock, and its parts for
// tests and benchmarks that drive them directly.
type Assembly struct {
	Env
	Router   *gin.Engine
	Creator  *app.Creator
	Resolver *app.Resolver
	Manager  *app.Manager
	// Visits and Flusher count visits; a test flushes at once with Flusher.Flush.
	Visits  *app.VisitRecorder
	Flusher *app.VisitFlusher
}

// Assemble is StartInProcess, returning the assembly.
func Assemble(t testing.TB, parts Parts) Assembly {
	t.Helper()
	cfg := config.Defaults()
	cfg.APIAddr = "127.0.0.1:0"
	cfg.PublicBaseURL = PublicBaseURL
	cfg.ShutdownDrain = 0 // no proxy in front to drain for; tests stop at once
	cfg.AdminKeys = []string{AdminKey}
	if parts.Configure != nil {
		parts.Configure(&cfg)
	}
	clock := NewClock(time.Now())
	if parts.Secrets == nil {
		secrets, ok := parts.Store.(ports.CodeSecretStore)
		if !ok {
			t.Fatalf("httpsuite: Parts.Secrets is nil and the store %T keeps no code secret", parts.Store)
		}
		parts.Secrets = secrets
	}
	if parts.Visits == nil {
		visits, ok := parts.Store.(ports.VisitStore)
		if !ok {
			t.Fatalf("httpsuite: Parts.Visits is nil and the store %T keeps no visits", parts.Store)
		}
		parts.Visits = visits
	}
	provided := []any{
		func() ports.VisitStore { return parts.Visits },
		func() ports.CodeSecretStore { return parts.Secrets },
		func() ports.LinkStore { return parts.Store },
		func() ports.CodeCounter { return parts.Counter },
		func() ports.VisitorKeys { return memory.NewVisitorKeys() }, // as embedded mode: uniques counted
	}
	switch local, ok := parts.Cache.(ports.LocalLinkCache); {
	case ok:
		provided = append(provided, func() ports.LocalLinkCache { return local })
	case parts.Local != nil:
		provided = append(provided, func() ports.LinkCache { return parts.Cache }, func() ports.LocalLinkCache { return parts.Local })
	default:
		provided = append(provided,
			func() ports.LinkCache { return parts.Cache },
			func() (ports.LocalLinkCache, error) { return memory.NewCache(wiring.MemoryCacheOptions(cfg)) })
	}
	if parts.Changes != nil {
		provided = append(provided, func() ports.ChangeFeed { return parts.Changes })
	}
	provided = append(provided, workspaceParts(parts.Store)...)
	if totals, ok := parts.Visits.(ports.VisitTotals); ok {
		provided = append(provided, func() ports.VisitTotals { return totals })
	}
	for _, part := range []any{parts.Store, parts.Cache, parts.Pool} {
		if dependency, ok := part.(interface{ ReadinessCheck() ports.DependencyCheck }); ok {
			provided = append(provided, fx.Annotate(dependency.ReadinessCheck, fx.ResultTags(`group:"readiness"`)))
		}
	}
	if parts.Pool != nil {
		provided = append(provided, func() ports.CodePool { return parts.Pool })
	}
	if parts.Outbox != nil {
		provided = append(provided, func() ports.CacheOutbox { return parts.Outbox })
	}
	if parts.Limiter != nil {
		provided = append(provided, func() ports.RateLimiter { return parts.Limiter })
	}
	var (
		server   *httpapi.Server
		assembly Assembly
	)
	api := fxtest.New(t,
		fx.NopLogger,
		wiring.Settings(cfg), wiring.Core,
		fx.Provide(provided...),
		fx.Decorate(
			func(ports.Clock) ports.Clock { return clock },
			func(*slog.Logger) *slog.Logger { return wiring.NewLoggerTo(cfg, io.Discard) },
			func(o httpapi.Options) httpapi.Options { o.AccessLogTo = io.Discard; return o },
		),
		fx.Populate(&server, &assembly.Router, &assembly.Creator, &assembly.Resolver, &assembly.Manager),
		fx.Populate(&assembly.Visits, &assembly.Flusher),
	)
	api.RequireStart()
	t.Cleanup(api.RequireStop)
	// Cleanups run last first: before the server stops, the suite's client
	// closes its connections to it. Among them may be connections it dialed
	// for a burst and never used, which Shutdown waits 5 s for.
	t.Cleanup(func() { testkit.CloseConnectionsTo(server.Addr().String()) })
	assembly.Env = Env{BaseURL: "http://" + server.Addr().String(), PublicBaseURL: cfg.PublicBaseURL, Clock: clock}
	return assembly
}

// workspaceParts provides the workspace ports that store implements, as its
// adapter's fx module would.
func workspaceParts(store ports.LinkStore) []any {
	var provided []any
	if s, ok := store.(ports.KeyStore); ok {
		provided = append(provided, func() ports.KeyStore { return s })
	}
	if s, ok := store.(ports.KeyUsage); ok {
		provided = append(provided, func() ports.KeyUsage { return s })
	}
	if s, ok := store.(ports.LinkLister); ok {
		provided = append(provided, func() ports.LinkLister { return s })
	}
	if s, ok := store.(ports.WorkspaceVisitReader); ok {
		provided = append(provided, func() ports.WorkspaceVisitReader { return s })
	}
	if s, ok := store.(ports.AuditLog); ok {
		provided = append(provided, func() ports.AuditLog { return s })
	}
	if s, ok := store.(ports.DomainStore); ok {
		provided = append(provided, func() ports.DomainStore { return s })
	}
	return provided
}
