package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/httpsuite"
)

// engine is the whole api in process as the embedded mode assembles it
// (the modules of cmd/api through httpsuite.Assemble): the gin router of
// httpapi.NewRouter with its middleware (request id, metrics, the access
// log on, to io.Discard), the redirect handler, app.Resolver in front of
// the in-process adapters/memory cache with the defaults' size, the
// memory store, and visit counting with the real user-agent detector. It
// is called directly, without a socket, so what it measures is the api's
// own work on top of net/http.
type engine struct {
	router http.Handler
	cache  *memory.Cache
	visits *app.VisitRecorder
	w      *discardWriter
	// cached are requests for links the cache holds; uncached for links
	// only the store holds once evict has run.
	cached, uncached []*http.Request
	uncachedCodes    []domain.Code
	// ruled are requests for cached links with three redirect rules.
	ruled       []*http.Request
	wrongStatus int // answers other than 302
}

const (
	engineCachedLinks   = 1000
	engineUncachedLinks = 4096
	engineRuledLinks    = 200
)

// engineRules are the three redirect rules of the engine's ruled links: by
// OS, by OS and device, by language and country.
var engineRules = []domain.RuleSpec{
	{OS: []string{"ios"}, URL: "https://apps.apple.com/app/id1"},
	{OS: []string{"android"}, Device: []string{"mobile", "tablet"}, URL: "https://play.google.com/store/apps/details?id=x"},
	{Language: []string{"fr"}, Country: []string{"FR", "BE", "CH"}, URL: "https://example.com/fr"},
}

func newEngine(tb testing.TB) *engine { tb.Helper(); return newEngineOn(tb, nil) }

// newEngineOn is newEngine with the short domains hosts registered besides
// the default one; its requests then name the default domain in Host.
func newEngineOn(tb testing.TB, hosts []domain.DomainHost) *engine {
	tb.Helper()
	cache, err := memory.NewCache(wiring.MemoryCacheOptions(config.Defaults()))
	if err != nil {
		tb.Fatal(err)
	}
	store := memory.NewLinkStore()
	for _, h := range hosts {
		if err := store.CreateDomain(context.Background(), domain.ShortDomain{Host: h, CreatedAt: time.Now()}); err != nil {
			tb.Fatal(err)
		}
	}
	api := httpsuite.Assemble(tb, httpsuite.Parts{
		Store: store, Counter: store, Cache: cache,
		Configure: func(cfg *config.Config) {
			// A flush allocates its batch: none may land in a measurement.
			cfg.VisitFlushInterval = time.Hour
			// The whole path: every dimension and the visitor hashes.
			cfg.VisitDimensions = true
		},
	})
	e := &engine{router: api.Router, cache: cache, visits: api.Visits, w: &discardWriter{header: http.Header{}}}
	clients := mixedClients(tb)
	ctx := context.Background()
	for i := range engineCachedLinks + engineUncachedLinks {
		created, err := api.Creator.Create(ctx, app.CreateRequest{URL: fmt.Sprintf("https://example.com/bench/%020x", i)})
		if err != nil {
			tb.Fatal(err)
		}
		code := created.Link.Code()
		path := "/" + code.String()
		if i%3 == 0 { // a campaign's link
			path += fmt.Sprintf("?utm_source=newsletter&utm_medium=email&utm_campaign=week-%d", i%5)
		}
		req := mixedRequest(path, clients[i%len(clients)])
		if len(hosts) > 0 {
			req.Host = strings.TrimPrefix(httpsuite.PublicBaseURL, "https://")
		}
		if i < engineCachedLinks {
			e.cached = append(e.cached, req)
		} else {
			e.uncached = append(e.uncached, req)
			e.uncachedCodes = append(e.uncachedCodes, code)
		}
	}
	for i := range engineRuledLinks {
		created, err := api.Creator.Create(ctx, app.CreateRequest{URL: fmt.Sprintf("https://example.com/ruled/%020x", i), Rules: engineRules})
		if err != nil {
			tb.Fatal(err)
		}
		req := mixedRequest("/"+created.Link.Code().String(), clients[i%len(clients)])
		if len(hosts) > 0 {
			req.Host = strings.TrimPrefix(httpsuite.PublicBaseURL, "https://")
		}
		e.ruled = append(e.ruled, req)
	}
	// Every request once: each user agent's verdict is cached and each
	// link's visit key exists, as on a server that has run for a while.
	for _, req := range append(append(e.cached[:len(e.cached):len(e.cached)], e.uncached...), e.ruled...) {
		e.serve(req)
	}
	if e.wrongStatus > 0 {
		tb.Fatalf("%d of the warm-up's redirects did not answer 302", e.wrongStatus)
	}
	return e
}

// serve answers req as the server would, into a reused ResponseWriter.
func (e *engine) serve(req *http.Request) {
	clear(e.w.header)
	e.w.status = 0
	e.router.ServeHTTP(e.w, req)
	if e.w.status != http.StatusFound {
		e.wrongStatus++
	}
}

// evict drops the uncached links from the cache: the next request for
// each is a local miss that the store answers.
func (e *engine) evict() {
	for _, code := range e.uncachedCodes {
		_ = e.cache.Invalidate(context.Background(), code)
	}
}
