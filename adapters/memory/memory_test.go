package memory_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestLinkStoreContract(t *testing.T) {
	t.Parallel()
	porttest.LinkStoreContract(t, func(*testing.T) porttest.Store { return memory.NewLinkStore() })
}

func TestCacheContract(t *testing.T) {
	t.Parallel()
	porttest.LinkCacheContract(t, func(*testing.T) ports.LinkCache {
		return memory.NewCache(time.Hour, 5*time.Second, 100)
	})
}

func TestCacheStaysBounded(t *testing.T) {
	t.Parallel()
	c := memory.NewCache(time.Hour, time.Hour, 10)
	codes := make([]domain.Code, 100)
	for i := range codes {
		codes[i] = domain.Code(fmt.Sprintf("c%d", i))
		_ = c.SetMissing(t.Context(), codes[i], time.Now())
	}
	held := 0
	for _, code := range codes {
		if _, result, _ := c.Get(t.Context(), code, time.Now()); result != ports.CacheMiss {
			held++
		}
	}
	if held == 0 || held > 10 {
		t.Fatalf("cache of 10 holds %d entries", held)
	}
}

func TestRateLimiterContract(t *testing.T) {
	t.Parallel()
	porttest.RateLimiterContract(t, func(*testing.T) ports.RateLimiter { return memory.NewRateLimiter() })
}

func TestCacheCountsLookups(t *testing.T) {
	t.Parallel()
	c := memory.NewCache(time.Hour, time.Hour, 10)
	now := time.Now()
	_ = c.Set(t.Context(), domain.RestoreShortLink("hit", "https://example.com", now, now.Add(time.Hour)), now)
	_ = c.SetMissing(t.Context(), "gone", now)
	for _, code := range []domain.Code{"hit", "hit", "gone", "unknown"} {
		_, _, _ = c.Get(t.Context(), code, now)
	}
	if c.Hits() != 2 || c.NegativeHits() != 1 || c.Misses() != 1 {
		t.Fatalf("hits %d, negative hits %d, misses %d; want 2, 1, 1", c.Hits(), c.NegativeHits(), c.Misses())
	}
}
