//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestFirstResolveAfterCreateIsACacheHit: a create writes the link through
// to the cache Redis, so the very first redirect is a hit and never a miss.
func TestFirstResolveAfterCreateIsACacheHit(t *testing.T) {
	t.Parallel()
	api := startInProcess(t, testenv.NewStack(t, ""))
	const target = "https://example.com/first-hit"
	code := mustCreate(t, api.BaseURL, target)
	hits, misses := api.hits(), api.misses()
	testkit.ExpectRedirect(t, api.BaseURL+"/"+code, target)
	if got := api.hits(); got != hits+1 || api.misses() != misses {
		t.Fatalf("first resolve after the create: hits %d→%d, misses %d→%d; want one hit and no miss",
			hits, got, misses, api.misses())
	}
}

// TestExpiringLinkIsNeverServedFromTheCache creates a link that lives two
// seconds: its cache entry lives no longer than the link, so once the link
// has expired the cache holds nothing for it (in Redis or in process), the
// resolve is a 404 and no cache hit is counted.
func TestExpiringLinkIsNeverServedFromTheCache(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t, "")
	api := startInProcess(t, s)
	cache := redisClient(t, s.Cache)
	api.Clock.FollowWallClock() // Redis expires the entry by real time

	const target = "https://example.com/short-lived"
	expiresAt := time.Now().Add(2 * time.Second).UTC().Truncate(time.Millisecond)
	r := createExpiring(api.BaseURL, target, expiresAt)
	if r.Err != nil || r.Status != http.StatusCreated {
		t.Fatalf("create: %v", r)
	}
	code := r.Field("code")
	pttl, err := do(t, cache, cache.B().Pttl().Key(cachePrefix+code).Build()).AsInt64()
	if err != nil || pttl <= 0 || pttl > 2000 {
		t.Fatalf("cache entry PTTL = %d ms (%v), want within the link's 2 s left to live", pttl, err)
	}
	hits := api.hits()
	testkit.ExpectRedirect(t, api.BaseURL+"/"+code, target)
	if api.hits() != hits+1 {
		t.Fatalf("resolve of a live cached link was not a cache hit")
	}

	time.Sleep(time.Until(expiresAt) + 50*time.Millisecond)
	if n, _ := do(t, cache, cache.B().Exists().Key(cachePrefix+code).Build()).AsInt64(); n != 0 {
		t.Fatalf("cache Redis still holds %s after the link expired", code)
	}
	hits = api.hits()
	for _, path := range []string{"/" + code, "/v1/shortlink/" + code} {
		r := testkit.Send(loadClient, http.MethodGet, api.BaseURL+path, "", nil, nil)
		if r.Err != nil || r.Status != http.StatusNotFound {
			t.Fatalf("GET %s after expiry = %v, want 404", path, r)
		}
	}
	if got := api.hits(); got != hits {
		t.Fatalf("the cache answered %d lookups of an expired link with a hit", got-hits)
	}
}

// TestCreateOverwritesTheNegativeEntryOnEveryInstance runs two api
// binaries on one cache Redis, as replicas behind the proxy. Instance A
// answers 404 for an alias nobody holds yet, twice, so it remembers the
// negative entry in process memory; then the alias is created, on B or on
// A, and A must redirect at once: a 201 means the next redirect works
// (a create overwrites the negative entry), whichever replica
// serves it.
func TestCreateOverwritesTheNegativeEntryOnEveryInstance(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"NEGATIVE_CACHE_TTL": "1m"})
	a, b := testenv.StartAPI(t, bin, env), testenv.StartAPI(t, bin, env)
	const rounds = 100
	for _, creator := range []struct {
		name string
		base string
	}{{"other instance", b.BaseURL()}, {"same instance", a.BaseURL()}} {
		t.Run(creator.name, func(t *testing.T) {
			stale := 0
			for i := range rounds {
				alias := fmt.Sprintf("%s-%d", strings.ReplaceAll(creator.name, " ", "-"), i)
				target := "https://example.com/negative/" + alias
				for range 2 {
					if r := resolve(a.BaseURL(), alias); r.Status != http.StatusNotFound {
						t.Fatalf("GET /%s before the create = %v, want 404", alias, r)
					}
				}
				body, _ := json.Marshal(map[string]string{"url": target, "alias": alias})
				if r := testkit.Send(loadClient, http.MethodPost, creator.base+"/v1/shortlink", "application/json", body, nil); r.Status != http.StatusCreated {
					t.Fatalf("create %s: %v", alias, r)
				}
				if r := resolve(a.BaseURL(), alias); r.Status != http.StatusFound || r.Location() != target {
					stale++
				}
			}
			if stale > 0 {
				t.Fatalf("%d of %d redirects on instance A right after a 201 from the %s answered 404: "+
					"A's in-process cache still held the negative entry the create replaced", stale, rounds, creator.name)
			}
		})
	}
}
