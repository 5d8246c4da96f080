// Package redisclient builds the rueidis clients the Redis adapters and their
// tests share: one place that decides how the service talks to Redis. It is
// a library of the adapters, not an adapter itself.
package redisclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/rueidis"
)

// minWriteTimeout keeps one slow reply from dropping a healthy connection,
// which would also throw away its client-side cache.
const minWriteTimeout = time.Second

// pipelineMultiplex is rueidis' default: 1<<2 = 4 pipelined connections to
// each Redis node, each with a client-side cache of its own.
const pipelineMultiplex = 2

// Dial returns a client for the standalone (or cluster-mode-disabled
// primary) Redis at url, a redis:// or rediss:// URL.
//
// Construction does not fail while Redis is down or busy: the client is
// forced to single-node mode, which keeps the client when its first dial
// fails, so the api starts and reports itself unready instead of exiting.
// Every later command redials a broken or never-opened connection, so an
// outage heals without a restart. Construction does fail when Redis answers
// with a configuration error, such as a wrong password.
//
// timeout bounds each dial, and (no less than minWriteTimeout) how long a
// connection may leave a request or keep-alive PING unanswered before it is
// dropped and redialled; the dial_timeout and write_timeout URL parameters
// override both. Per-operation deadlines belong to the callers' contexts.
//
// Commands are not retried: during an outage they fail at once and callers
// degrade (the cache to Postgres, the pool to the counter) instead of
// spending their whole deadline on backoff.
//
// localCacheBytes, when not 0, turns on server-assisted client-side
// caching (RESP3 CLIENT TRACKING), used by DoCache, bounded to that many
// bytes per Redis node, split among its connections; 0 makes DoCache a
// plain Do.
// Writes, this client's own included, reach the in-process cache as
// invalidations Redis pushes right after it applies them, so a stale local
// entry can outlive an overwrite by about one network delay.
func Dial(url string, timeout time.Duration, localCacheBytes uint64) (rueidis.Client, error) {
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	if opt.Sentinel.MasterSet != "" {
		return nil, errors.New("redis URL: sentinel (master_set) is not supported")
	}
	if opt.Dialer.Timeout == 0 {
		opt.Dialer.Timeout = timeout
	}
	if opt.ConnWriteTimeout == 0 {
		opt.ConnWriteTimeout = max(timeout, minWriteTimeout)
	}
	opt.ForceSingleClient = true
	opt.DisableRetry = true
	// Every connection keeps a reader running, so one the server closes is
	// replaced at once, rather than failing the first command after a blip.
	opt.AlwaysPipelining = true
	opt.DisableCache = opt.DisableCache || localCacheBytes == 0
	opt.PipelineMultiplex = pipelineMultiplex
	opt.CacheSizeEachConn = max(int(localCacheBytes>>pipelineMultiplex), 1<<16)

	client, err := rueidis.NewClient(opt)
	switch {
	case client == nil:
		return nil, fmt.Errorf("redis client: %w", err)
	case err != nil && !Unavailable(err):
		// Redis answered and refused us (bad password or database, no RESP3
		// for client-side caching): a configuration error, not an outage.
		client.Close()
		return nil, fmt.Errorf("redis client: %w", err)
	}
	// A client returned with an outage error failed its first dial only; it
	// redials on first use.
	return client, nil
}

// Ping checks, within timeout, that the Redis behind client answers; what
// names it in the error.
func Ping(ctx context.Context, client rueidis.Client, timeout time.Duration, what string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := client.Do(ctx, client.B().Ping().Build()).Error(); err != nil {
		return Wrap("ping "+what, err)
	}
	return nil
}
