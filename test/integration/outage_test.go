//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestRedisOutagesDegradeAndHeal takes the codes Redis, then the cache Redis
// too, away from a running api binary: creates still answer 201 (the codes
// come from the Postgres counter, counted as fallbacks), existing links
// still redirect (from Postgres), /v1/ready names what is down, and no
// reply is a 500 or leaks internals. When both come back, the same process
// uses them again: new links are cache hits and creates take pool codes.
func TestRedisOutagesDegradeAndHeal(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"POOL_TARGET": "2000", "POOL_LOW_WATER": "500", "POOL_TAKE_BATCH": "10"})
	testenv.RunBinary(t, bin, "batch", env, "--once")
	api := testenv.StartAPI(t, bin, env)
	base := api.BaseURL()
	links := map[string]string{} // code → target
	newLink := func(step string, i int) string {
		t.Helper()
		target := fmt.Sprintf("https://example.com/%s/%d", step, i)
		r := create(base, target)
		noProblem(t, "create during "+step, r)
		if r.Status != http.StatusCreated {
			t.Fatalf("create during %s: %v, want 201", step, r)
		}
		links[r.Field("code")] = target
		return r.Field("code")
	}
	resolveAll := func(step string) {
		t.Helper()
		for code, target := range links {
			r := resolve(base, code)
			noProblem(t, "resolve during "+step, r)
			if r.Status != http.StatusFound || r.Location() != target {
				t.Fatalf("resolve %s during %s: %v, Location %q; want 302 to %s", code, step, r, r.Location(), target)
			}
		}
	}
	for i := range 20 {
		newLink("healthy", i)
	}
	resolveAll("healthy")

	fallbacks := testkit.Metric(t, base, "shortlink_pool_fallbacks_total")
	s.Codes.Stop()
	for i := range 30 {
		newLink("codes-down", i)
	}
	if got := testkit.Metric(t, base, "shortlink_pool_fallbacks_total"); got <= fallbacks {
		t.Fatalf("creates without the codes Redis did not fall back to the counter: fallbacks %v→%v", fallbacks, got)
	}
	if status, down := ready(t, base); status != http.StatusServiceUnavailable || !slices.Equal(down, []string{"redis-codes"}) {
		t.Fatalf("/v1/ready with the codes Redis down = %d %v, want 503 naming redis-codes", status, down)
	}
	resolveAll("codes-down")

	s.Cache.Stop()
	resolveAll("both-down")
	for i := range 10 {
		newLink("both-down", i)
	}
	resolveAll("both-down")
	if status, down := ready(t, base); status != http.StatusServiceUnavailable || !slices.Equal(down, []string{"redis-cache", "redis-codes"}) {
		t.Fatalf("/v1/ready with both Redis down = %d %v, want 503 naming both", status, down)
	}

	// Both come back empty, as a restarted Redis without persistence does;
	// the batch restocks the pool. The api is not restarted.
	s.Cache.Start()
	s.Codes.Start()
	testenv.RunBinary(t, bin, "batch", env, "--once")
	pool := poolMembers(t, redisClient(t, s.Codes))
	took := testkit.Eventually(t, 10*time.Second, "/v1/ready after both Redis came back", func() error {
		if status, down := ready(t, base); status != http.StatusOK {
			return fmt.Errorf("%d %v", status, down)
		}
		return nil
	})
	t.Logf("ready again %v after both Redis restarted", took.Round(time.Millisecond))

	hits := testkit.Metric(t, base, "shortlink_cache_hits_total")
	testkit.Eventually(t, 10*time.Second, "a new link is a cache hit again", func() error {
		code := newLink("recovered", len(links))
		testkit.ExpectRedirect(t, base+"/"+code, links[code])
		if got := testkit.Metric(t, base, "shortlink_cache_hits_total"); got <= hits {
			return fmt.Errorf("cache hits still %v", got)
		}
		return nil
	})
	fromPool := 0
	for i := range 40 { // more than what the api's buffer can still hold from the outage
		if pool[newLink("recovered-pool", i)] {
			fromPool++
		}
	}
	if fromPool == 0 {
		t.Fatalf("none of 40 creates after the codes Redis came back used a pool code")
	}
	resolveAll("recovered")
	t.Logf("after recovery %d of 40 creates used pool codes; %d links all resolve", fromPool, len(links))
}

// TestPostgresOutageIs503AndHeals stops a private Postgres under an
// in-process api: creates answer 503 with the generic message, /v1/ready
// answers 503 naming postgres alone, a cached link still redirects, and
// once Postgres is back creates succeed again without a restart.
func TestPostgresOutageIs503AndHeals(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgresServer(t)
	api := startInProcess(t, testenv.NewStack(t, pg.Database("shortlink")))
	const before = "https://example.com/before-outage"
	code := mustCreate(t, api.BaseURL, before)

	pg.Stop()
	for i := range 5 {
		r := create(api.BaseURL, fmt.Sprintf("https://example.com/during/%d", i))
		noProblem(t, "create with Postgres down", r)
		if r.Status != http.StatusServiceUnavailable {
			t.Fatalf("create with Postgres down: %v, want 503", r)
		}
	}
	if status, down := ready(t, api.BaseURL); status != http.StatusServiceUnavailable || !slices.Equal(down, []string{"postgres"}) {
		t.Fatalf("/v1/ready with Postgres down = %d %v, want 503 naming postgres", status, down)
	}
	testkit.ExpectRedirect(t, api.BaseURL+"/"+code, before) // cached at create
	r := resolve(api.BaseURL, "Unknwn1")
	noProblem(t, "resolve of an uncached code with Postgres down", r)
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("resolve of an uncached code with Postgres down: %v, want 503 (it cannot know the code is unknown)", r)
	}

	pg.Start()
	const after = "https://example.com/after-outage"
	var newCode string
	took := testkit.Eventually(t, 15*time.Second, "create after Postgres came back", func() error {
		r := create(api.BaseURL, after)
		if p := problem(r); p != "" {
			t.Errorf("create while Postgres comes back: %s", p)
		}
		if r.Status != http.StatusCreated {
			return fmt.Errorf("%v", r)
		}
		newCode = r.Field("code")
		return nil
	})
	t.Logf("first 201 %v after Postgres started", took.Round(time.Millisecond))
	testkit.ExpectRedirect(t, api.BaseURL+"/"+newCode, after)
	if status, down := ready(t, api.BaseURL); status != http.StatusOK {
		t.Fatalf("/v1/ready after Postgres came back = %d %v", status, down)
	}
}
