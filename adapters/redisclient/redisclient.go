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

// connBufferBytes and connRingScale size each connection's buffers and
// its ring of in-flight commands (2^connRingScale slots); see clientOptions.
const (
	connBufferBytes = 32 << 10
	connRingScale   = 8
)

// Dial returns a client for the Redis at url, a redis:// or rediss:// URL:
// a standalone server (or the primary of a cluster-mode-disabled group), or
// a Redis Cluster named by any of its nodes, in rueidis' URL form
// redis://host1:port1?addr=host2:port2&addr=host3:port3 (one node is
// enough, such as ElastiCache's configuration endpoint; the client
// discovers the others). Which of the two it is, the server says.
//
// Construction does not fail while Redis is down or busy: the api starts
// and reports itself unready instead of exiting. Until a node answers, the
// client fails every command at once and tries again in the background
// (every rebuildEvery); from then on rueidis redials broken connections and
// follows the cluster's topology by itself, so an outage heals without a
// restart. Construction does fail when Redis answers with a configuration
// error, such as a wrong password or a database other than 0 on a cluster.
//
// timeout bounds each dial, and (no less than minWriteTimeout) how long a
// connection may leave a request or keep-alive PING unanswered before it is
// dropped and redialled; the dial_timeout and write_timeout URL parameters
// override both. Per-operation deadlines belong to the callers' contexts.
//
// Commands are not retried: during an outage they fail at once and callers
// degrade (the cache to Postgres, the pool to the counter) instead of
// spending their whole deadline on backoff. Redirections (MOVED, ASK) of a
// cluster whose slots move are followed all the same.
//
// localCacheBytes, when not 0, turns on server-assisted client-side
// caching (RESP3 CLIENT TRACKING), used by DoCache, bounded to that many
// bytes per Redis node (each primary of a cluster), split among its
// connections; 0 makes DoCache a plain Do.
// Writes, this client's own included, reach the in-process cache as
// invalidations Redis pushes right after it applies them, so a stale local
// entry can outlive an overwrite by about one network delay.
func Dial(url string, timeout time.Duration, localCacheBytes uint64) (rueidis.Client, error) {
	opt, err := clientOptions(url, timeout, localCacheBytes)
	if err != nil {
		return nil, err
	}
	client, err := build(opt)
	switch {
	case err == nil:
		return client, nil
	case !Unavailable(err):
		// Redis answered and refused us (bad password or database, no RESP3
		// for client-side caching): a configuration error, not an outage.
		return nil, fmt.Errorf("redis client: %w", err)
	}
	return newLazy(opt, err, build, func() <-chan time.Time { return time.After(rebuildEvery) }), nil
}

// build makes the client for opt, closing whatever a failed attempt left.
func build(opt rueidis.ClientOption) (rueidis.Client, error) {
	client, err := rueidis.NewClient(opt)
	if err != nil && client != nil {
		client.Close()
		client = nil
	}
	return client, err
}

// clientOptions are the rueidis options of every client Dial makes.
func clientOptions(url string, timeout time.Duration, localCacheBytes uint64) (rueidis.ClientOption, error) {
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		return opt, fmt.Errorf("redis URL: %w", err)
	}
	if opt.Sentinel.MasterSet != "" {
		return opt, errors.New("redis URL: sentinel (master_set) is not supported")
	}
	if opt.Dialer.Timeout == 0 {
		opt.Dialer.Timeout = timeout
	}
	if opt.ConnWriteTimeout == 0 {
		opt.ConnWriteTimeout = max(timeout, minWriteTimeout)
	}
	opt.DisableRetry = true
	// Every connection keeps a reader running, so one the server closes is
	// replaced at once, rather than failing the first command after a blip.
	opt.AlwaysPipelining = true
	opt.DisableCache = opt.DisableCache || localCacheBytes == 0
	opt.PipelineMultiplex = pipelineMultiplex
	opt.CacheSizeEachConn = max(int(localCacheBytes>>pipelineMultiplex), 1<<16)
	// Sized to the work: commands and answers are a few hundred bytes, and
	// a few dozen are in flight on a connection at a time. rueidis' defaults
	// (0.5 MiB each way and 1 024 slots per connection) made ~12 MB of the
	// api's live heap, which at GOMEMLIMIT left the collector running half
	// again as often. bufio still carries a longer message in pieces, and a
	// full ring makes a caller wait for a slot, not fail.
	opt.ReadBufferEachConn = connBufferBytes
	opt.WriteBufferEachConn = connBufferBytes
	opt.RingScaleEachConn = connRingScale
	return opt, nil
}

// Ping checks, within timeout, that the Redis behind client answers, every
// node of it for a cluster: one unreachable primary leaves a part of the
// keys uncached. what names it in the error.
func Ping(ctx context.Context, client rueidis.Client, timeout time.Duration, what string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nodes := client.Nodes()
	if client.Mode() != rueidis.ClientModeCluster || len(nodes) == 0 {
		nodes = map[string]rueidis.Client{"": client}
	}
	for addr, node := range nodes {
		if err := node.Do(ctx, node.B().Ping().Build()).Error(); err != nil {
			if addr != "" {
				what += " node " + addr
			}
			return Wrap("ping "+what, err)
		}
	}
	return nil
}
