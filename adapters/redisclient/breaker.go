package redisclient

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// ErrBreakerOpen fails an operation a Breaker did not let through; it wraps
// domain.ErrUnavailable, as any outage does.
var ErrBreakerOpen = fmt.Errorf("redis skipped after repeated failures, until a probe answers: %w", domain.ErrUnavailable)

// Breaker stops sending operations to a Redis that keeps failing (timing
// out while frozen or partitioned, refusing while down): after a number of
// failures in a row it opens, and operations fail at once for its
// cool-down; then it lets one operation through as a probe, whose outcome
// closes it, or opens it for another cool-down (as does a probe that never
// reports). Callers degrade as they do for any outage (the cache to the
// store) without each waiting out its own timeout. Its clock is the
// deadline wheel's (WithTimeout): no timer and no system call per
// operation. Use NewBreaker.
type Breaker struct {
	failures, coolDown int64 // coolDown in nanoseconds

	failed    atomic.Int64 // failures in a row
	openUntil atomic.Int64 // by coarseNow, in nanoseconds; 0 while closed
}

// NewBreaker returns a closed breaker that opens after failures failures
// in a row, for coolDown.
func NewBreaker(failures int, coolDown time.Duration) *Breaker {
	return &Breaker{failures: int64(max(failures, 1)), coolDown: int64(coolDown)}
}

// Allow reports whether an operation may go to Redis: always while the
// breaker is closed; while it is open, only the first once the cool-down
// has passed (the probe). Every operation allowed must Report.
func (b *Breaker) Allow() bool {
	until := b.openUntil.Load()
	if until == 0 {
		return true
	}
	now := int64(coarseNow())
	return now >= until && b.openUntil.CompareAndSwap(until, now+b.coolDown)
}

// Report records the outcome of an operation Allow let through: an outage
// (Unavailable) counts as a failure; anything else, nil included, shows
// that Redis answers, and closes the breaker.
func (b *Breaker) Report(err error) {
	if !Unavailable(err) {
		if b.failed.Load() != 0 || b.openUntil.Load() != 0 {
			b.failed.Store(0)
			b.openUntil.Store(0)
		}
		return
	}
	if b.failed.Add(1) >= b.failures {
		b.openUntil.Store(int64(coarseNow()) + b.coolDown)
	}
}

// Open reports whether the breaker is open.
func (b *Breaker) Open() bool { return b.openUntil.Load() != 0 }
