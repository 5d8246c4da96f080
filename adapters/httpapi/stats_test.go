package httpapi_test

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

const statsAdminKey = "stats-admin-key-0123456789"

// TestStats runs the visit counting and stats contract against in-memory ports.
func TestStats(t *testing.T) {
	t.Parallel()
	httpsuite.RunStats(t, func(t *testing.T) httpsuite.Env {
		store := memory.NewLinkStore()
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
			Configure: func(cfg *config.Config) { cfg.AdminKeys = []string{statsAdminKey} },
		})
	}, statsAdminKey)
}
