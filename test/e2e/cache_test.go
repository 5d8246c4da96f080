//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/test/httpsuite"
)

// testCacheHit checks the write-through of SPEC §5: the first redirect after
// a create is served from the cache. It must run alone: the counters are
// process-wide.
func testCacheHit(t *testing.T, s *stack) {
	env := s.front()
	code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/hot"}).Field("code")

	hits, misses := metric(t, s, "shortlink_cache_hits_total"), metric(t, s, "shortlink_cache_misses_total")
	r := httpsuite.Get(t, env.BaseURL+"/"+code)
	if r.Status != http.StatusFound {
		t.Fatalf("redirect = %d %s", r.Status, r.Body)
	}
	if got := metric(t, s, "shortlink_cache_hits_total"); got != hits+1 {
		t.Errorf("shortlink_cache_hits_total went from %v to %v across the first redirect, want +1", hits, got)
	}
	if got := metric(t, s, "shortlink_cache_misses_total"); got != misses {
		t.Errorf("shortlink_cache_misses_total went from %v to %v across the first redirect, want no miss", misses, got)
	}
}

// metric reads one unlabelled sample from the api's /metrics, through nginx.
func metric(t *testing.T, s *stack, name string) float64 {
	t.Helper()
	r := httpsuite.Get(t, s.proxyURL+"/metrics")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", r.Status, r.Body)
	}
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		if value, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				t.Fatalf("metric %s = %q: %v", name, value, err)
			}
			return v
		}
	}
	t.Fatalf("/metrics has no sample %s", name)
	return math.NaN()
}
