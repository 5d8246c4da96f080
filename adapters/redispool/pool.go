// Package redispool is the shared pool of pre-minted codes: a Redis set the
// batch adds to and api instances take from.
package redispool

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/ports"
)

// addChunk is how many codes one SADD carries: big enough to amortise the
// round trip, small enough not to stall Redis.
const addChunk = 5000

// Options configure a Pool.
type Options struct {
	// URL is the codes Redis, for Module; New takes a client instead.
	URL string
	// Key names the set; default "shortlink:codes".
	Key string
	// Timeout bounds each operation, and each chunk of an Add
	// (REDIS_TIMEOUT); it must be positive.
	Timeout time.Duration
}

// Pool implements ports.CodePool on one Redis set. SPOP removes atomically,
// so no two takers, in any process, ever get the same code.
type Pool struct {
	client  rueidis.Client
	key     string
	timeout time.Duration
}

var _ ports.CodePool = (*Pool)(nil)

// New returns a pool over client, which the caller owns and closes.
func New(client rueidis.Client, opts Options) (*Pool, error) {
	if opts.Timeout <= 0 {
		return nil, fmt.Errorf("redispool: Timeout (%s) must be positive", opts.Timeout)
	}
	if opts.Key == "" {
		opts.Key = "shortlink:codes"
	}
	return &Pool{client: client, key: opts.Key, timeout: opts.Timeout}, nil
}

// ReadinessCheck is Ping under the name /v1/ready reports.
func (p *Pool) ReadinessCheck() ports.DependencyCheck {
	return ports.DependencyCheck{Name: "redis-codes", Ping: p.Ping}
}

// Collector reports the pool's size as the gauge shortlink_pool_size,
// read on scrape; NaN while the codes Redis does not answer.
func (p *Pool) Collector() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "shortlink_pool_size", Help: "Codes in the shared pool (NaN while the codes Redis is unreachable).",
	}, func() float64 {
		n, err := p.Size(context.Background()) // bounded by Options.Timeout
		if err != nil {
			return math.NaN()
		}
		return float64(n)
	})
}

// Ping checks that the codes Redis answers.
func (p *Pool) Ping(ctx context.Context) error {
	return redisclient.Ping(ctx, p.client, p.timeout, "codes redis")
}
