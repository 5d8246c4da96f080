package httpapi_test

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// TestLookupCostsPerRoute counts the store lookups of every route that
// names a code, in the embedded mode's shape (one in-process cache): a
// hot link's QR codes and previews cost none, and a throttled scanner is
// refused on every route before the store is touched.
func TestLookupCostsPerRoute(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	finds := httpsuite.CountFinds(store)
	env := httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: finds, Counter: store, Secrets: store, Visits: store,
		Cache:   testenv.MemoryCache(t, time.Hour, 10*time.Second),
		Limiter: memory.NewRateLimiter(),
		Configure: func(cfg *config.Config) {
			cfg.MissRateLimit = httpsuite.LookupCostMissLimit
		},
	})
	httpsuite.CheckLookupCosts(t, env, finds)
}
