package bolt_test

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

const statsAdminKey = "stats-admin-key-0123456789"

// TestStatsEmbedded runs the visit counting and stats contract against the
// embedded store.
func TestStatsEmbedded(t *testing.T) {
	t.Parallel()
	httpsuite.RunStats(t, func(t *testing.T) httpsuite.Env {
		store := openStore(t, tempDB(t))
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
			Configure: func(cfg *config.Config) { cfg.AdminKeys = []string{statsAdminKey} },
		})
	}, statsAdminKey)
}
