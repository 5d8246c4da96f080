// Package redislimit is the shared rate limiter: fixed-window counters in
// the cache Redis, so every api instance counts against the same limit.
package redislimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/ports"
)

// Options configure a Limiter.
type Options struct {
	// URL is the Redis holding the counters (the cache Redis), for Module.
	URL string
	// KeyPrefix namespaces the counters; default "shortlink:ratelimit:".
	KeyPrefix string
	// Timeout bounds each operation (REDIS_TIMEOUT); it must be positive.
	Timeout time.Duration
}

// Limiter implements ports.RateLimiter with one counter key per key and
// window, expiring with its window.
type Limiter struct {
	client  rueidis.Client
	prefix  string
	timeout time.Duration
}

var (
	_ ports.RateLimiter     = (*Limiter)(nil)
	_ ports.BulkRateLimiter = (*Limiter)(nil)
)

// New returns a limiter over client, which the caller owns and closes.
func New(client rueidis.Client, opts Options) (*Limiter, error) {
	if opts.Timeout <= 0 {
		return nil, fmt.Errorf("redislimit: Timeout (%s) must be positive", opts.Timeout)
	}
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = "shortlink:ratelimit:"
	}
	return &Limiter{client: client, prefix: opts.KeyPrefix, timeout: opts.Timeout}, nil
}

// Allow implements ports.RateLimiter in one round trip: INCR, start the
// window's expiry if it has none (PEXPIRE NX), read what is left of it.
// Redis keeps the window's time, so now is not needed here.
func (r *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration, _ time.Time) (bool, time.Duration, error) {
	ctx, cancel := redisclient.WithTimeout(ctx, r.timeout)
	defer cancel()
	k := r.prefix + key
	results := r.client.DoMulti(ctx,
		r.client.B().Incr().Key(k).Build(),
		r.client.B().Pexpire().Key(k).Milliseconds(window.Milliseconds()).Nx().Build(),
		r.client.B().Pttl().Key(k).Build(),
	)
	count, err := results[0].AsInt64()
	if err != nil {
		return false, 0, redisclient.Wrap("rate limit incr", err)
	}
	pttl, err := results[2].AsInt64()
	if err != nil {
		return false, 0, redisclient.Wrap("rate limit pttl", err)
	}
	if count <= int64(limit) {
		return true, 0, nil
	}
	return false, time.Duration(max(pttl, 0)) * time.Millisecond, nil
}

// Exceeded implements ports.RateLimiter in one round trip: GET and PTTL of
// the window's counter.
func (r *Limiter) Exceeded(ctx context.Context, key string, limit int, _ time.Duration, _ time.Time) (bool, time.Duration, error) {
	ctx, cancel := redisclient.WithTimeout(ctx, r.timeout)
	defer cancel()
	k := r.prefix + key
	results := r.client.DoMulti(ctx, r.client.B().Get().Key(k).Build(), r.client.B().Pttl().Key(k).Build())
	count, err := results[0].AsInt64()
	if rueidis.IsRedisNil(err) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, redisclient.Wrap("rate limit get", err)
	}
	pttl, err := results[1].AsInt64()
	if err != nil {
		return false, 0, redisclient.Wrap("rate limit pttl", err)
	}
	if count < int64(limit) || pttl <= 0 {
		return false, 0, nil
	}
	return true, time.Duration(pttl) * time.Millisecond, nil
}

// AllowN implements ports.BulkRateLimiter in one round trip, as Allow with
// INCRBY n.
func (r *Limiter) AllowN(ctx context.Context, key string, n, limit int, window time.Duration, _ time.Time) (int, time.Duration, error) {
	ctx, cancel := redisclient.WithTimeout(ctx, r.timeout)
	defer cancel()
	k := r.prefix + key
	results := r.client.DoMulti(ctx,
		r.client.B().Incrby().Key(k).Increment(int64(n)).Build(),
		r.client.B().Pexpire().Key(k).Milliseconds(window.Milliseconds()).Nx().Build(),
		r.client.B().Pttl().Key(k).Build(),
	)
	count, err := results[0].AsInt64()
	if err != nil {
		return 0, 0, redisclient.Wrap("rate limit incrby", err)
	}
	pttl, err := results[2].AsInt64()
	if err != nil {
		return 0, 0, redisclient.Wrap("rate limit pttl", err)
	}
	allowed := int(min(int64(n), max(0, int64(limit)-(count-int64(n)))))
	if allowed == n {
		return n, 0, nil
	}
	return allowed, time.Duration(max(pttl, 0)) * time.Millisecond, nil
}
