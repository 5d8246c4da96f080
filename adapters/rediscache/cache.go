// Package rediscache is the redirect cache the replicas share: links in
// Redis under a key prefix, with brief negative entries for codes no link
// holds, behind a breaker that sends lookups to the store while Redis is
// slow. (The api keeps hot links in its own memory in front of it,
// app.LinkCaches; rueidis client-side caching, which only Redis can
// invalidate, is off there.)
package rediscache

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Options configure a Cache. TTL, NegativeTTL and Timeout must be positive
// (cmd maps them from the configuration, which holds their defaults); the
// other zero fields take the defaults noted.
type Options struct {
	// URL is the cache Redis, for Module; New takes a client instead.
	URL string
	// KeyPrefix namespaces the cache's keys; default "shortlink:link:".
	KeyPrefix string
	// VisitorKeyPrefix namespaces the day keys of visitor hashes (DayKey);
	// default "shortlink:visitorkey:".
	VisitorKeyPrefix string
	// TTL caps how long a link stays cached (CACHE_TTL).
	TTL time.Duration
	// NegativeTTL is how long a code is remembered as unknown (NEGATIVE_CACHE_TTL).
	NegativeTTL time.Duration
	// Timeout bounds each operation (REDIS_TIMEOUT).
	Timeout time.Duration
	// ClientSideCache serves repeat reads from process memory (the client
	// must be dialled with client-side caching for it to take effect). The
	// api leaves it off: Redis alone invalidates that memory, so a frozen
	// Redis would freeze it too.
	ClientSideCache bool
	// LocalCacheBytes bounds that process memory (LOCAL_CACHE_BYTES), for Module.
	LocalCacheBytes uint64
	// LocalTTL caps how long a link stays in process memory; default 1m,
	// never more than TTL. Redis invalidates the copy when any client
	// writes or deletes the key, or it expires; Get checks the link's own
	// expiry, so LocalTTL bounds memory, not correctness.
	LocalTTL time.Duration
	// BreakerFailures is how many operations in a row may fail (time out,
	// or find Redis down) before the cache skips Redis for
	// BreakerCoolDown, failing at once, and then probes it with one
	// operation; defaults 2 and 1s.
	BreakerFailures int
	BreakerCoolDown time.Duration
}

func (o Options) withDefaults() Options {
	if o.VisitorKeyPrefix == "" {
		o.VisitorKeyPrefix = visitorKeyPrefix
	}
	if o.KeyPrefix == "" {
		o.KeyPrefix = "shortlink:link:"
	}
	if o.BreakerFailures <= 0 {
		o.BreakerFailures = 2
	}
	if o.BreakerCoolDown <= 0 {
		o.BreakerCoolDown = time.Second
	}
	if o.LocalTTL <= 0 {
		o.LocalTTL = time.Minute
	}
	o.LocalTTL = min(o.LocalTTL, o.TTL)
	return o
}

// Cache implements ports.LinkCache. A cached link never outlives the link
// itself, in Redis or in process memory; a negative entry never replaces a
// cached link, and caching a link replaces a negative entry.
type Cache struct {
	client  rueidis.Client
	opts    Options
	breaker *redisclient.Breaker

	hits, localHits, misses, negativeHits atomic.Uint64
}

var _ ports.LinkCache = (*Cache)(nil)

// New returns a cache over client, which the caller owns and closes.
func New(client rueidis.Client, opts Options) (*Cache, error) {
	if opts.TTL <= 0 || opts.NegativeTTL <= 0 || opts.Timeout <= 0 {
		return nil, fmt.Errorf("rediscache: TTL (%s), NegativeTTL (%s) and Timeout (%s) must be positive",
			opts.TTL, opts.NegativeTTL, opts.Timeout)
	}
	opts = opts.withDefaults()
	return &Cache{client: client, opts: opts, breaker: redisclient.NewBreaker(opts.BreakerFailures, opts.BreakerCoolDown)}, nil
}

// Hits counts lookups that found a link.
func (c *Cache) Hits() uint64 { return c.hits.Load() }

// LocalHits counts the hits answered from process memory (client-side
// caching) without a round trip to Redis.
func (c *Cache) LocalHits() uint64 { return c.localHits.Load() }

// Misses counts lookups that found nothing usable. Failed lookups are not
// counted: the caller counts those.
func (c *Cache) Misses() uint64 { return c.misses.Load() }

// NegativeHits counts lookups that found a negative entry.
func (c *Cache) NegativeHits() uint64 { return c.negativeHits.Load() }

// ReadinessCheck is Ping under the name /v1/ready reports.
func (c *Cache) ReadinessCheck() ports.DependencyCheck {
	return ports.DependencyCheck{Name: "redis-cache", Ping: c.Ping}
}

// Ping checks that the cache Redis answers.
func (c *Cache) Ping(ctx context.Context) error {
	return redisclient.Ping(ctx, c.client, c.opts.Timeout, "cache redis")
}

func (c *Cache) key(code domain.Code) string { return c.opts.KeyPrefix + string(code) }

// BreakerOpen reports whether the cache is skipping Redis.
func (c *Cache) BreakerOpen() bool { return c.breaker.Open() }

// do sends cmd through the breaker: at once ErrBreakerOpen while it is
// open, else Redis's answer, whose outcome the breaker learns.
func (c *Cache) do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	if !c.breaker.Allow() {
		return rueidis.NewErrorResult(redisclient.ErrBreakerOpen)
	}
	resp := c.client.Do(ctx, cmd)
	c.breaker.Report(resp.Error())
	return resp
}
