package memory

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// CacheOptions configure a Cache.
type CacheOptions struct {
	// TTL caps how long a link stays cached; NegativeTTL is how long a code
	// is remembered as unknown. Both must be positive.
	TTL, NegativeTTL time.Duration
	// MaxBytes bounds the memory the entries take, keys and URLs included.
	MaxBytes uint64
}

// Cache is an in-process ports.LinkCache bounded in bytes, with the same
// TTL rules as the Redis cache: an entry never outlives its link. Eviction
// is otter's (W-TinyLFU, O(1)); reads take no global lock.
type Cache struct {
	opts    CacheOptions
	entries *otter.Cache[domain.Code, cacheEntry]

	hits, misses, negativeHits atomic.Uint64
}

type cacheEntry struct {
	link     domain.ShortLink // zero for a negative entry
	negative bool
	until    time.Time     // by the caller's clock: Get judges with it
	ttl      time.Duration // the same span, for otter's own clock to drop the entry
}

// entryOverhead approximates what an entry costs beyond its code and URL:
// the entry struct, the hash table node and the eviction policy's metadata.
const entryOverhead = 160

var _ ports.LinkCache = (*Cache)(nil)

// NewCache returns an empty cache.
func NewCache(opts CacheOptions) (*Cache, error) {
	if opts.TTL <= 0 || opts.NegativeTTL <= 0 || opts.MaxBytes == 0 {
		return nil, fmt.Errorf("memory cache: TTL (%s), NegativeTTL (%s) and MaxBytes (%d) must be positive",
			opts.TTL, opts.NegativeTTL, opts.MaxBytes)
	}
	entries, err := otter.New(&otter.Options[domain.Code, cacheEntry]{
		MaximumWeight: opts.MaxBytes,
		Weigher: func(code domain.Code, e cacheEntry) uint32 {
			return uint32(entryOverhead + 2*len(code) + len(e.link.URL()))
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[domain.Code, cacheEntry]) time.Duration {
			return e.Value.ttl
		}),
	})
	if err != nil {
		return nil, fmt.Errorf("memory cache: %w", err)
	}
	return &Cache{opts: opts, entries: entries}, nil
}

// Get implements ports.LinkCache.
func (c *Cache) Get(_ context.Context, code domain.Code, now time.Time) (domain.ShortLink, ports.CacheResult, error) {
	e, ok := c.entries.GetIfPresent(code)
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

// LocalHits counts the hits answered from process memory: all of them.
func (c *Cache) LocalHits() uint64 { return c.hits.Load() }

// Misses counts lookups that found nothing.
func (c *Cache) Misses() uint64 { return c.misses.Load() }

// NegativeHits counts lookups that found a negative entry.
func (c *Cache) NegativeHits() uint64 { return c.negativeHits.Load() }

// Set implements ports.LinkCache. A link with no time left to live leaves
// no entry, the old one included.
func (c *Cache) Set(_ context.Context, link domain.ShortLink, now time.Time) error {
	if e, ok := c.linkEntry(link, now); ok {
		c.entries.Set(link.Code(), e)
	} else {
		c.entries.Invalidate(link.Code())
	}
	return nil
}

// Add implements ports.LinkCache: it writes only where the cache holds no
// entry that is still good at now.
func (c *Cache) Add(_ context.Context, link domain.ShortLink, now time.Time) error {
	if e, ok := c.linkEntry(link, now); ok {
		c.putUnlessHeld(link.Code(), e, now)
	}
	return nil
}

// SetMissing implements ports.LinkCache.
func (c *Cache) SetMissing(_ context.Context, code domain.Code, now time.Time) error {
	c.putUnlessHeld(code, cacheEntry{negative: true, until: now.Add(c.opts.NegativeTTL), ttl: c.opts.NegativeTTL}, now)
	return nil
}

// Invalidate implements ports.LinkCache.
func (c *Cache) Invalidate(_ context.Context, code domain.Code) error {
	c.entries.Invalidate(code)
	return nil
}

func (c *Cache) linkEntry(link domain.ShortLink, now time.Time) (cacheEntry, bool) {
	ttl := link.CacheFor(now, c.opts.TTL)
	if ttl <= 0 {
		return cacheEntry{}, false
	}
	link = domain.RestoreShortLink(publicRecord(link))
	return cacheEntry{link: link, until: now.Add(ttl), ttl: ttl}, true
}

func (c *Cache) putUnlessHeld(code domain.Code, e cacheEntry, now time.Time) {
	c.entries.Compute(code, func(old cacheEntry, found bool) (cacheEntry, otter.ComputeOp) {
		if found && now.Before(old.until) {
			return old, otter.CancelOp
		}
		return e, otter.WriteOp
	})
}

// publicRecord is what a cache keeps of a link: no owner digest, which
// only management reads, and they go to the store.
func publicRecord(link domain.ShortLink) domain.LinkRecord {
	r := link.Record()
	r.Owner = domain.TokenDigest{}
	return r
}
