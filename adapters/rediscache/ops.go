package rediscache

import (
	"context"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Get implements ports.LinkCache, through the breaker (ErrBreakerOpen
// while it skips Redis). With ClientSideCache, repeat hits are
// answered from process memory, and only hits: Redis invalidates a local
// copy the moment any instance writes the key (a Set after a change), but
// an absence or a negative entry may predate a create whose invalidation is
// still on its way, so negative hits and misses come from Redis.
// A value that does not decode is a miss, and so is a link that has
// expired: Redis counts expiry in whole milliseconds from when it applied
// the write, so it may keep a key a little past the link's expiry.
func (c *Cache) Get(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, ports.CacheResult, error) {
	if !c.breaker.Allow() {
		return domain.ShortLink{}, ports.CacheMiss, redisclient.ErrBreakerOpen
	}
	ctx, cancel := redisclient.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var resp rueidis.RedisResult
	if c.opts.ClientSideCache {
		// A static TTL: rueidis sends the GET alone instead of wrapping it in
		// MULTI, PTTL, EXEC to clamp the local copy to the key's own TTL.
		// Writes and expiries still invalidate the copy (CLIENT TRACKING),
		// and the decoded link's own expiry is checked below, so LocalTTL
		// is a bound on memory, not on correctness.
		resp = c.client.DoCache(ctx, c.client.B().Get().Key(c.key(code)).Cache().ToStaticTTL(), c.opts.LocalTTL)
	} else {
		resp = c.client.Do(ctx, c.client.B().Get().Key(c.key(code)).Build())
	}
	value, err := resp.ToString()
	local := resp.IsCacheHit()
	if local && (rueidis.IsRedisNil(err) || value == missingValue) {
		local = false
		// Memory answers only with links. A remembered absence or negative
		// entry may predate a create, here or on another instance, whose
		// invalidation is still on its way, so Redis confirms it.
		value, err = c.client.Do(ctx, c.client.B().Get().Key(c.key(code)).Build()).ToString()
	}
	c.breaker.Report(err)
	switch {
	case rueidis.IsRedisNil(err):
		c.misses.Add(1)
		return domain.ShortLink{}, ports.CacheMiss, nil
	case err != nil:
		return domain.ShortLink{}, ports.CacheMiss, redisclient.Wrap("cache get "+string(code), err)
	case value == missingValue:
		c.negativeHits.Add(1)
		return domain.ShortLink{}, ports.CacheNegativeHit, nil
	}
	link, ok := decode(code, value)
	if !ok || !link.Cacheable(now) {
		c.misses.Add(1)
		return domain.ShortLink{}, ports.CacheMiss, nil
	}
	c.hits.Add(1)
	if local {
		c.localHits.Add(1)
	}
	return link, ports.CacheHit, nil
}

// Set implements ports.LinkCache: the entry lives min(TTL, the link's time
// to live at now), rounded down to whole milliseconds. It overwrites
// whatever the key held, a negative entry included; a link with no time
// left deletes the key instead. Callers pass the time of the write, not of
// an earlier lookup, so a late write cannot stretch the entry past the link.
func (c *Cache) Set(ctx context.Context, link domain.ShortLink, now time.Time) error {
	ctx, cancel := redisclient.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	ttl := c.entryTTL(link, now)
	cmd := c.client.B().Del().Key(c.key(link.Code())).Build()
	if ttl > 0 {
		cmd = c.client.B().Set().Key(c.key(link.Code())).Value(encode(link)).PxMilliseconds(ttl).Build()
	}
	if err := c.do(ctx, cmd).Error(); err != nil {
		return redisclient.Wrap("cache set "+string(link.Code()), err)
	}
	return nil
}

// Add implements ports.LinkCache with SET NX: a lookup's write-back never
// replaces an entry, above all one a change just Set.
func (c *Cache) Add(ctx context.Context, link domain.ShortLink, now time.Time) error {
	ttl := c.entryTTL(link, now)
	if ttl <= 0 {
		return nil
	}
	ctx, cancel := redisclient.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	cmd := c.client.B().Set().Key(c.key(link.Code())).Value(encode(link)).Nx().PxMilliseconds(ttl).Build()
	if err := c.do(ctx, cmd).Error(); err != nil && !rueidis.IsRedisNil(err) {
		return redisclient.Wrap("cache add "+string(link.Code()), err)
	}
	return nil
}

// SetMissing implements ports.LinkCache with SET NX, so it never replaces
// an entry, above all a link cached since the caller looked. Redis expires
// the entry by its own clock, so now is not needed.
func (c *Cache) SetMissing(ctx context.Context, code domain.Code, _ time.Time) error {
	ctx, cancel := redisclient.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	px := max(c.opts.NegativeTTL.Milliseconds(), 1)
	cmd := c.client.B().Set().Key(c.key(code)).Value(missingValue).Nx().PxMilliseconds(px).Build()
	// A refused NX answers nil, which is success here.
	if err := c.do(ctx, cmd).Error(); err != nil && !rueidis.IsRedisNil(err) {
		return redisclient.Wrap("cache set missing "+string(code), err)
	}
	return nil
}

// Invalidate implements ports.LinkCache with DEL; Redis then invalidates
// the key in every client-side cache that holds it. It goes to Redis even
// while the breaker skips it: only the outbox's drain calls it, in the
// background, and a stale entry should go the moment Redis is back (its
// answer closes the breaker, too).
func (c *Cache) Invalidate(ctx context.Context, code domain.Code) error {
	ctx, cancel := redisclient.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	err := c.client.Do(ctx, c.client.B().Del().Key(c.key(code)).Build()).Error()
	c.breaker.Report(err)
	if err != nil {
		return redisclient.Wrap("cache invalidate "+string(code), err)
	}
	return nil
}

// entryTTL is how long, in whole milliseconds, link may stay cached at now.
func (c *Cache) entryTTL(link domain.ShortLink, now time.Time) int64 {
	return link.CacheFor(now, c.opts.TTL).Milliseconds()
}
