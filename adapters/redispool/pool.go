// Package redispool is the shared pool of pre-minted codes: a Redis set the
// batch adds to and api instances take from.
package redispool

import (
	"context"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/internal/redisclient"
	"github.com/shortlink/shortlink/ports"
)

// addChunk is how many codes one SADD carries: big enough to amortise the
// round trip, small enough not to stall Redis.
const addChunk = 5000

// Options configure a Pool. Zero fields take the defaults noted.
type Options struct {
	// Key names the set; default "shortlink:codes".
	Key string
	// Timeout bounds each operation, and each chunk of an Add; default 200ms.
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
func New(client rueidis.Client, opts Options) *Pool {
	if opts.Key == "" {
		opts.Key = "shortlink:codes"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 200 * time.Millisecond
	}
	return &Pool{client: client, key: opts.Key, timeout: opts.Timeout}
}

// Dial returns a client for the codes Redis at url, without client-side
// caching; see redisclient.Dial.
func Dial(url string, timeout time.Duration) (rueidis.Client, error) {
	return redisclient.Dial(url, timeout, false)
}

// Ping checks that the codes Redis answers.
func (p *Pool) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if err := p.client.Do(ctx, p.client.B().Ping().Build()).Error(); err != nil {
		return redisclient.Wrap("ping codes redis", err)
	}
	return nil
}
