package memory

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Cache is a bounded in-process ports.LinkCache with the same TTL rules as
// the Redis cache: an entry never outlives its link. When full, it evicts
// expired entries first, then an arbitrary one.
type Cache struct {
	ttl, negativeTTL time.Duration
	maxEntries       int

	mu      sync.RWMutex
	entries map[domain.Code]cacheEntry

	hits, misses, negativeHits atomic.Uint64
}

type cacheEntry struct {
	link     domain.ShortLink // zero for a negative entry
	negative bool
	until    time.Time
}

// DefaultCacheEntries bounds the embedded mode's in-process redirect cache.
const DefaultCacheEntries = 100_000

// NewCache returns a cache of at most maxEntries entries.
func NewCache(ttl, negativeTTL time.Duration, maxEntries int) *Cache {
	return &Cache{ttl: ttl, negativeTTL: negativeTTL, maxEntries: max(maxEntries, 1), entries: map[domain.Code]cacheEntry{}}
}

// Get implements ports.LinkCache.
func (c *Cache) Get(_ context.Context, code domain.Code, now time.Time) (domain.ShortLink, ports.CacheResult, error) {
	c.mu.RLock()
	e, ok := c.entries[code]
	c.mu.RUnlock()
	switch {
	case !ok || !now.Before(e.until):
		c.misses.Add(1)
		return domain.ShortLink{}, ports.CacheMiss, nil
	case e.negative:
		c.negativeHits.Add(1)
		return domain.ShortLink{}, ports.CacheNegativeHit, nil
	default:
		c.hits.Add(1)
		return e.link, ports.CacheHit, nil
	}
}

// Hits counts lookups that found a link.
func (c *Cache) Hits() uint64 { return c.hits.Load() }

// Misses counts lookups that found nothing.
func (c *Cache) Misses() uint64 { return c.misses.Load() }

// NegativeHits counts lookups that found a negative entry.
func (c *Cache) NegativeHits() uint64 { return c.negativeHits.Load() }

// Set implements ports.LinkCache.
func (c *Cache) Set(_ context.Context, link domain.ShortLink, now time.Time) error {
	ttl := min(c.ttl, link.TimeToLive(now))
	if ttl <= 0 {
		return nil
	}
	c.put(link.Code(), cacheEntry{link: link, until: now.Add(ttl)}, true, now)
	return nil
}

// SetMissing implements ports.LinkCache.
func (c *Cache) SetMissing(_ context.Context, code domain.Code, now time.Time) error {
	c.put(code, cacheEntry{negative: true, until: now.Add(c.negativeTTL)}, false, now)
	return nil
}

func (c *Cache) put(code domain.Code, e cacheEntry, overwrite bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[code]; ok && !overwrite && now.Before(old.until) {
		return
	}
	if len(c.entries) >= c.maxEntries {
		c.evictLocked(now)
	}
	c.entries[code] = e
}

func (c *Cache) evictLocked(now time.Time) {
	for code, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, code)
		}
	}
	for code := range c.entries { // still full: drop any one, map order is random
		if len(c.entries) < c.maxEntries {
			return
		}
		delete(c.entries, code)
	}
}
