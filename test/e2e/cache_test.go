//go:build e2e

package e2e

import (
	"net/http"
	"testing"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// testCacheHit checks the cache's write-through: the first redirect after
// a create is served from the cache. It must run alone: the counters are
// process-wide.
func testCacheHit(t *testing.T, s *stack) {
	env := s.front()
	code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/hot"}).Field("code")

	hits, misses := testkit.Metric(t, s.apiURL, "shortlink_cache_hits_total"), testkit.Metric(t, s.apiURL, "shortlink_cache_misses_total")
	r := httpsuite.Get(t, env.BaseURL+"/"+code)
	if r.Status != http.StatusFound {
		t.Fatalf("redirect = %d %s", r.Status, r.Body)
	}
	if got := testkit.Metric(t, s.apiURL, "shortlink_cache_hits_total"); got != hits+1 {
		t.Errorf("shortlink_cache_hits_total went from %v to %v across the first redirect, want +1", hits, got)
	}
	if got := testkit.Metric(t, s.apiURL, "shortlink_cache_misses_total"); got != misses {
		t.Errorf("shortlink_cache_misses_total went from %v to %v across the first redirect, want no miss", misses, got)
	}
}
