// Package rediscache is the redirect cache: links in Redis under a key
// prefix, with brief negative entries for codes no link holds, read through
// rueidis client-side caching so repeat hits stay in process.
package rediscache

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/internal/redisclient"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Options configure a Cache. Zero fields take the defaults noted.
type Options struct {
	// KeyPrefix namespaces the cache's keys; default "shortlink:link:".
	KeyPrefix string
	// TTL caps how long a link stays cached (CACHE_TTL); default 1h.
	TTL time.Duration
	// NegativeTTL is how long a code is remembered as unknown; default 10s.
	NegativeTTL time.Duration
	// Timeout bounds each operation; default 200ms.
	Timeout time.Duration
	// ClientSideCache serves repeat reads from process memory (the client
	// must be dialled with client-side caching for it to take effect).
	ClientSideCache bool
	// LocalTTL caps how long a link stays in process memory; default 1m,
	// never more than TTL. rueidis also caps it at the key's remaining PTTL,
	// and Redis invalidates it when any client overwrites the key.
	LocalTTL time.Duration
}

func (o Options) withDefaults() Options {
	if o.KeyPrefix == "" {
		o.KeyPrefix = "shortlink:link:"
	}
	if o.TTL <= 0 {
		o.TTL = time.Hour
	}
	if o.NegativeTTL <= 0 {
		o.NegativeTTL = 10 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 200 * time.Millisecond
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
	client rueidis.Client
	opts   Options

	hits, misses, negativeHits atomic.Uint64
}

var _ ports.LinkCache = (*Cache)(nil)

// New returns a cache over client, which the caller owns and closes.
func New(client rueidis.Client, opts Options) *Cache {
	return &Cache{client: client, opts: opts.withDefaults()}
}

// Dial returns a client for the cache Redis at url; see redisclient.Dial.
func Dial(url string, timeout time.Duration, clientSideCache bool) (rueidis.Client, error) {
	return redisclient.Dial(url, timeout, clientSideCache)
}

// Hits counts lookups that found a link.
func (c *Cache) Hits() uint64 { return c.hits.Load() }

// Misses counts lookups that found nothing usable. Failed lookups are not
// counted: the caller counts those.
func (c *Cache) Misses() uint64 { return c.misses.Load() }

// NegativeHits counts lookups that found a negative entry.
func (c *Cache) NegativeHits() uint64 { return c.negativeHits.Load() }

// Ping checks that the cache Redis answers.
func (c *Cache) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	if err := c.client.Do(ctx, c.client.B().Ping().Build()).Error(); err != nil {
		return redisclient.Wrap("ping cache redis", err)
	}
	return nil
}

func (c *Cache) key(code domain.Code) string { return c.opts.KeyPrefix + string(code) }
