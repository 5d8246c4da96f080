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
	// TTL caps how long a link stays cached, and how long the cache
	// remembers a version it was told of (Forget); NegativeTTL is how long
	// a code is remembered as unknown. Both must be positive.
	TTL, NegativeTTL time.Duration
	// MaxBytes bounds the memory the entries take, keys and URLs included.
	MaxBytes uint64
}

// Cache is an in-process ports.LocalLinkCache bounded in bytes, with the
// same TTL rules as the Redis cache: an entry never outlives its link.
// Eviction is otter's (W-TinyLFU, O(1)); reads take no global lock.
type Cache struct {
	opts    CacheOptions
	entries *otter.Cache[domain.Code, cacheEntry]

	hits, misses, negativeHits atomic.Uint64
}

// entryKind is what an entry holds.
type entryKind uint8

const (
	entryLink     entryKind = iota
	entryNegative           // the code was unknown
	entryFence              // no link, but a version: older ones are stale
)

type cacheEntry struct {
	kind  entryKind
	link  domain.ShortLink // entryLink only
	rev   revision         // the link's, or the fence's
	until time.Time        // by the caller's clock: Get judges with it
	ttl   time.Duration    // the same span, for otter's own clock to drop the entry
}

// revision orders the versions of what one code held: a code is claimed
// again only by a link with a later id, and each change of a link counts
// its version up.
type revision struct {
	id      domain.LinkID
	version int64
}

func revisionOf(link domain.ShortLink) revision {
	return revision{id: link.ID(), version: link.Version()}
}

func (r revision) before(o revision) bool {
	return r.id < o.id || (r.id == o.id && r.version < o.version)
}

// entryOverhead approximates what an entry costs beyond its code and URL:
// the entry struct, the hash table node and the eviction policy's metadata
// (measured: about 330 bytes of heap an entry, before links had owners and
// labels; their four string headers add 64), so that MaxBytes bounds the
// heap the cache takes, which GOMEMLIMIT counts.
const entryOverhead = 384

var _ ports.LocalLinkCache = (*Cache)(nil)

// NewCache returns an empty cache.
func NewCache(opts CacheOptions) (*Cache, error) {
	if opts.TTL <= 0 || opts.NegativeTTL <= 0 || opts.MaxBytes == 0 {
		return nil, fmt.Errorf("memory cache: TTL (%s), NegativeTTL (%s) and MaxBytes (%d) must be positive",
			opts.TTL, opts.NegativeTTL, opts.MaxBytes)
	}
	entries, err := otter.New(&otter.Options[domain.Code, cacheEntry]{
		MaximumWeight: opts.MaxBytes,
		Weigher: func(code domain.Code, e cacheEntry) uint32 {
			return uint32(entryOverhead + 2*len(code) + len(e.link.URL()) + e.link.PrivateBytes() + e.link.Rules().Bytes())
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
	case !ok || !now.Before(e.until) || e.kind == entryFence:
		c.misses.Add(1)
		return domain.ShortLink{}, ports.CacheMiss, nil
	case e.kind == entryNegative:
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

// Set implements ports.LinkCache, unless the cache holds a later version
// of the code's link. A link with no time left to live leaves only its
// version behind, so that an earlier one cannot come back.
func (c *Cache) Set(_ context.Context, link domain.ShortLink, now time.Time) error {
	e := c.linkEntry(link, now)
	c.entries.Compute(link.Code(), func(old cacheEntry, found bool) (cacheEntry, otter.ComputeOp) {
		if found && now.Before(old.until) && old.kind != entryNegative && e.rev.before(old.rev) {
			return old, otter.CancelOp
		}
		return e, otter.WriteOp
	})
	return nil
}

// Add implements ports.LinkCache: it writes only where the cache holds no
// entry that is still good at now, or only the version of an earlier one.
func (c *Cache) Add(_ context.Context, link domain.ShortLink, now time.Time) error {
	e := c.linkEntry(link, now)
	if e.kind == entryFence {
		return nil
	}
	c.entries.Compute(link.Code(), func(old cacheEntry, found bool) (cacheEntry, otter.ComputeOp) {
		if found && now.Before(old.until) && (old.kind != entryFence || e.rev.before(old.rev)) {
			return old, otter.CancelOp
		}
		return e, otter.WriteOp
	})
	return nil
}

// SetMissing implements ports.LinkCache.
func (c *Cache) SetMissing(_ context.Context, code domain.Code, now time.Time) error {
	e := cacheEntry{kind: entryNegative, until: now.Add(c.opts.NegativeTTL), ttl: c.opts.NegativeTTL}
	c.entries.Compute(code, func(old cacheEntry, found bool) (cacheEntry, otter.ComputeOp) {
		if found && now.Before(old.until) {
			return old, otter.CancelOp
		}
		return e, otter.WriteOp
	})
	return nil
}

// Invalidate implements ports.LinkCache.
func (c *Cache) Invalidate(_ context.Context, code domain.Code) error {
	c.entries.Invalidate(code)
	return nil
}

// Forget implements ports.LocalLinkCache: the version is remembered for
// TTL, the longest any copy of the link may be cached.
func (c *Cache) Forget(code domain.Code, id domain.LinkID, version int64, now time.Time) {
	fence := cacheEntry{kind: entryFence, rev: revision{id: id, version: version}, until: now.Add(c.opts.TTL), ttl: c.opts.TTL}
	c.entries.Compute(code, func(old cacheEntry, found bool) (cacheEntry, otter.ComputeOp) {
		if found && now.Before(old.until) && old.kind != entryNegative && !old.rev.before(fence.rev) {
			return old, otter.CancelOp
		}
		return fence, otter.WriteOp
	})
}

// Forgotten implements ports.LocalLinkCache.
func (c *Cache) Forgotten(code domain.Code, now time.Time) bool {
	e, ok := c.entries.GetIfPresent(code)
	return ok && now.Before(e.until) && e.kind == entryFence
}

// Clear implements ports.LocalLinkCache.
func (c *Cache) Clear() { c.entries.InvalidateAll() }

// linkEntry is link's entry at now: the link for as long as it may be
// cached, or its version alone (a fence, for TTL) once it may not.
func (c *Cache) linkEntry(link domain.ShortLink, now time.Time) cacheEntry {
	ttl := link.CacheFor(now, c.opts.TTL)
	if ttl <= 0 {
		return cacheEntry{kind: entryFence, rev: revisionOf(link), until: now.Add(c.opts.TTL), ttl: c.opts.TTL}
	}
	public := domain.RestoreShortLink(publicRecord(link))
	return cacheEntry{kind: entryLink, link: public, rev: revisionOf(link), until: now.Add(ttl), ttl: ttl}
}

// publicRecord is what a cache keeps of a link: no owner digest, which
// only management reads, and no password hash, which only an unlock reads;
// they go to the store.
func publicRecord(link domain.ShortLink) domain.LinkRecord {
	r := link.Record()
	r.Owner = domain.TokenDigest{}
	r.PasswordHash = "" // r.Protected stays: a protected link still asks
	return r
}
