package rediscache

import (
	"context"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/internal/redisclient"
)

// RateLimiter implements ports.RateLimiter on the cache Redis with fixed
// windows: one counter key per client, expiring with its window, so every
// api instance shares the count.
type RateLimiter struct {
	client  rueidis.Client
	prefix  string
	timeout time.Duration
}

// NewRateLimiter returns a limiter whose keys start with prefix.
func NewRateLimiter(client rueidis.Client, prefix string, timeout time.Duration) *RateLimiter {
	return &RateLimiter{client: client, prefix: prefix, timeout: timeout}
}

// Allow implements ports.RateLimiter in one round trip: INCR, start the
// window's expiry if it has none (PEXPIRE NX), read what is left of it.
func (r *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
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
