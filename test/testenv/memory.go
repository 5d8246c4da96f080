package testenv

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
)

// MemoryCache returns an in-process cache with the given TTLs and room for
// far more than a test stores.
func MemoryCache(t testing.TB, ttl, negativeTTL time.Duration) *memory.Cache {
	t.Helper()
	c, err := memory.NewCache(memory.CacheOptions{TTL: ttl, NegativeTTL: negativeTTL, MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
