package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

var browser = http.Header{"Accept": {httpsuite.BrowserAccept}}

// TestNotFoundURLSendsBrowsersOn: with NOT_FOUND_URL, a browser asking for
// an unknown or expired code, by the short URL or its preview, is sent
// there; API clients still get the 404 envelope, and other errors their
// pages.
func TestNotFoundURLSendsBrowsersOn(t *testing.T) {
	t.Parallel()
	const lost = "https://example.com/lost?from=short"
	env := startWebAPI(t, func(cfg *config.Config) { cfg.NotFoundURL = lost })
	for _, path := range []string{"/NoSuch1", "/NoSuch1+"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := testkit.Send(nil, method, env.BaseURL+path, "", nil, browser)
			if r.Status != http.StatusFound || r.Location() != lost || r.Header.Get("Cache-Control") != "no-store" || len(r.Body) != 0 {
				t.Errorf("%s %s for a browser = %s, Location %q, Cache-Control %q; want 302 to %s, not cached",
					method, path, r, r.Location(), r.Header.Get("Cache-Control"), lost)
			}
		}
	}
	testkit.ExpectError(t, testkit.Send(nil, http.MethodGet, env.BaseURL+"/NoSuch1", "", nil, nil), http.StatusNotFound, "not_found", "")
	testkit.ExpectError(t, testkit.Send(nil, http.MethodGet, env.BaseURL+"/v1/shortlink/NoSuch1", "", nil, browser), http.StatusNotFound, "not_found", "")
	if r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/NoSuch1+", "", nil, nil); r.Status != http.StatusNotFound ||
		!strings.Contains(string(r.Body), "This short link does not exist") {
		t.Errorf("the preview of an unknown code for an API client = %s, want the 404 page", r)
	}
	l := httpsuite.CreateLink(t, env, "https://example.com/turned-off")
	httpsuite.Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"disabled": true})
	if r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/"+l.Code, "", nil, browser); r.Status != http.StatusGone ||
		!strings.Contains(string(r.Body), "This short link no longer works") {
		t.Errorf("a disabled link for a browser = %s, want its 410 page, not NOT_FOUND_URL", r)
	}
}

func TestRobotsAllow(t *testing.T) {
	t.Parallel()
	env := startWebAPI(t, func(cfg *config.Config) { cfg.Robots = "allow" })
	r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/robots.txt", "", nil, nil)
	if r.Status != http.StatusOK || string(r.Body) != "User-agent: *\nDisallow: /v1/\nDisallow: /_/\n" {
		t.Fatalf("robots.txt with ROBOTS=allow = %s", r)
	}
}

// TestPagesSayWhatHappened: each error a short URL can answer has its page
// in words, with the same status and the headers the answer needs.
func TestPagesSayWhatHappened(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	env := httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second), Limiter: memory.NewRateLimiter(),
		Configure: func(cfg *config.Config) { cfg.MissRateLimit = 1 },
	})
	first := testkit.Send(nil, http.MethodGet, env.BaseURL+"/NoSuch1", "", nil, browser)
	if first.Status != http.StatusNotFound || !strings.Contains(string(first.Body), `<a class="button" href="/">Make a short link</a>`) {
		t.Fatalf("the 404 page = %s, want a link to make a link", first)
	}
	limited := testkit.Send(nil, http.MethodGet, env.BaseURL+"/NoSuch2", "", nil, browser)
	wait := limited.Header.Get("Retry-After") + " seconds"
	if wait == "1 seconds" {
		wait = "a second"
	}
	if limited.Status != http.StatusTooManyRequests || limited.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(limited.Body), "Try again in "+wait+".") {
		t.Fatalf("over MISS_RATE_LIMIT a browser gets %s (Retry-After %q), want a 429 page saying how long to wait",
			limited, limited.Header.Get("Retry-After"))
	}
}
