package httpsuite

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Parts are the ports an in-process API is assembled from. Pool may be nil.
type Parts struct {
	Store   ports.LinkStore
	Counter ports.CodeCounter
	Cache   ports.LinkCache
	Pool    ports.CodePool
	// Ready lists the dependency checks for /v1/ready.
	Ready []app.DependencyCheck
	// CreateGuards and TrustedProxies go to the router as they are.
	CreateGuards   []gin.HandlerFunc
	TrustedProxies []netip.Prefix
}

// PublicBaseURL is the public base URL in-process APIs are configured with.
const PublicBaseURL = "https://sho.rt"

// StartInProcess assembles the real use cases and HTTP adapter around parts,
// with the default limits and a suite clock, and serves them on a loopback
// port until the test ends.
func StartInProcess(t *testing.T, parts Parts) Env {
	t.Helper()
	clock := NewClock(time.Now())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gen, err := domain.NewCodeGenerator("httpsuite")
	if err != nil {
		t.Fatal(err)
	}
	publicHost, _ := domain.PublicHostOf(PublicBaseURL)
	urls := domain.URLPolicy{MaxLength: 4096, PublicHost: publicHost}
	expiry := domain.ExpiryPolicy{Default: 14 * 24 * time.Hour, Max: 365 * 24 * time.Hour}

	supply := app.NewCodeSupply(parts.Pool, parts.Counter, gen, 16, log)
	creator := app.NewCreator(parts.Store, parts.Cache, supply, clock, urls, expiry, log)
	resolver := app.NewResolver(parts.Store, parts.Cache, clock, log)
	handler := httpapi.NewHandler(creator, resolver, app.NewReadiness(time.Second, parts.Ready...), PublicBaseURL, 5*time.Second, log)
	reg := prometheus.NewRegistry()
	router, err := httpapi.NewRouter(handler, httpapi.RouterOptions{
		Registerer: reg, Gatherer: reg, CreateGuards: parts.CreateGuards, TrustedProxies: parts.TrustedProxies,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return Env{BaseURL: srv.URL, PublicBaseURL: PublicBaseURL, Clock: clock}
}
