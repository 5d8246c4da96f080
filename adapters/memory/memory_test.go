package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

func newCache(t testing.TB, maxBytes uint64) *memory.Cache {
	t.Helper()
	c, err := memory.NewCache(memory.CacheOptions{TTL: time.Hour, NegativeTTL: time.Hour, MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLinkStoreContract(t *testing.T) {
	t.Parallel()
	porttest.LinkStoreContract(t, func(*testing.T) porttest.Store { return memory.NewLinkStore() })
}

func TestCacheContract(t *testing.T) {
	t.Parallel()
	porttest.LocalLinkCacheContract(t, func(t *testing.T) ports.LocalLinkCache { return newCache(t, 1<<20) })
}

func TestChangeFeedContract(t *testing.T) {
	t.Parallel()
	porttest.ChangeFeedContract(t, func(*testing.T) porttest.ChangeFeeds {
		store := memory.NewLinkStore()
		return porttest.ChangeFeeds{Store: store, NewFeed: func(*testing.T) ports.ChangeFeed { return store.ChangeFeed() }}
	})
}

// TestCacheIsBoundedInBytes fills a 1 MiB cache with 20 000 links of 4 KiB
// URLs (80 MiB): once its eviction has caught up with the burst, what it
// holds is within its budget, and so is the heap, where a bound in entries
// let 20 000 big URLs take 290 MB.
func TestCacheIsBoundedInBytes(t *testing.T) {
	t.Parallel()
	const budget = 1 << 20
	c := newCache(t, budget)
	now := time.Now()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 20_000 {
		if err := c.Set(context.Background(), porttest.Link(domain.Code(fmt.Sprintf("c%d", i))).ID(1).URL("https://example.com/"+strings.Repeat("a", 4096)).Created(now).Build(), now); err != nil {
			t.Fatal(err)
		}
	}
	c.CatchUp()
	held := 0
	for i := range 20_000 {
		if _, result, _ := c.Get(context.Background(), domain.Code(fmt.Sprintf("c%d", i)), now); result == ports.CacheHit {
			held++
		}
	}
	if held == 0 || held*4096 > budget {
		t.Fatalf("a %d-byte cache holds %d links of 4 KiB", budget, held)
	}
	if got := c.WeightedBytes(); got > budget {
		t.Fatalf("cache weighs %d bytes, budget %d", got, budget)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 8*budget {
		t.Fatalf("heap grew by %d bytes for a %d-byte cache", grown, budget)
	}
}

func TestCacheCountsLookups(t *testing.T) {
	t.Parallel()
	c := newCache(t, 1<<20)
	now := time.Now()
	_ = c.Set(t.Context(), porttest.Link("hit").ID(1).URL("https://example.com/"+strings.Repeat("a", 1)).Created(now).Build(), now)
	_ = c.SetMissing(t.Context(), "gone", now)
	for _, code := range []domain.Code{"hit", "hit", "gone", "unknown"} {
		_, _, _ = c.Get(t.Context(), code, now)
	}
	if c.Hits() != 2 || c.LocalHits() != 2 || c.NegativeHits() != 1 || c.Misses() != 1 {
		t.Fatalf("hits %d, negative hits %d, misses %d; want 2, 1, 1", c.Hits(), c.NegativeHits(), c.Misses())
	}
}

func TestRateLimiterContract(t *testing.T) {
	t.Parallel()
	porttest.RateLimiterContract(t, func(*testing.T) ports.RateLimiter { return memory.NewRateLimiter() })
}

// BenchmarkCacheSetFull measures an insert into a full cache: eviction is
// O(1), where the map this replaced scanned every entry under its lock.
func BenchmarkCacheSetFull(b *testing.B) {
	c := newCache(b, 4<<20)
	now := time.Now()
	links := make([]domain.ShortLink, 100_000)
	for i := range links {
		links[i] = porttest.Link(domain.Code(fmt.Sprintf("c%d", i))).ID(1).URL("https://example.com/" + strings.Repeat("a", 64)).Created(now).Build()
		_ = c.Set(context.Background(), links[i], now)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = c.Set(context.Background(), links[i%len(links)], now)
	}
}

func TestVisitStoreContract(t *testing.T) {
	t.Parallel()
	porttest.VisitStoreContract(t, func(*testing.T) ports.VisitStore { return memory.NewLinkStore() })
}

func TestWorkspaceStoreContract(t *testing.T) {
	t.Parallel()
	porttest.WorkspaceStoreContract(t, func(*testing.T) porttest.WorkspaceStore { return memory.NewLinkStore() })
}

// TestRetentionContract: the fake prunes as the durable stores do.
func TestRetentionContract(t *testing.T) {
	t.Parallel()
	porttest.RetentionContract(t, memory.NewLinkStore())
}

func TestDomainStoreContract(t *testing.T) {
	t.Parallel()
	porttest.DomainStoreContract(t, func(*testing.T) porttest.DomainStore { return memory.NewLinkStore() })
}
