package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Requester is who asks for a resolve, as far as throttling is concerned.
type Requester interface {
	// ClientKey names the client (its canonical address, an IPv6 client's
	// /64); it is asked only when a lookup has to reach the store.
	ClientKey() string
}

// MissLimit throttles clients whose lookups reach the store and find
// nothing: scans of distinct random codes, which no cache can absorb.
type MissLimit struct {
	// PerMinute is the store misses a client may cause a minute; 0 is off.
	PerMinute int
	Limiter   ports.RateLimiter
}

// missWindow is the window MissLimit.PerMinute counts in.
const missWindow = time.Minute

// TooManyMissesError refuses a resolve the cache cannot answer, without a
// store lookup, until the client's window ends.
type TooManyMissesError struct{ RetryAfter time.Duration }

func (e *TooManyMissesError) Error() string {
	return "too many lookups of unknown codes from this address; retry later"
}

// Resolver is the resolve-a-code use case: read-through cache in front of
// the store, with expiry and state checked on every answer, cached or not.
type Resolver struct {
	store  ports.LinkStore
	cache  ports.LinkCache
	clock  ports.Clock
	misses MissLimit
	log    *slog.Logger

	cacheErrors atomic.Uint64
}

// NewResolver returns the resolve use case.
func NewResolver(store ports.LinkStore, cache ports.LinkCache, clock ports.Clock, misses MissLimit, log *slog.Logger) *Resolver {
	return &Resolver{store: store, cache: cache, clock: clock, misses: misses, log: log}
}

// Resolve returns the live link for rawCode. Errors: domain.ErrInvalidInput,
// domain.ErrNotFound (unknown and expired alike), domain.ErrGone (disabled
// or deleted), *TooManyMissesError, domain.ErrUnavailable.
func (r *Resolver) Resolve(ctx context.Context, rawCode string, who Requester) (domain.ShortLink, error) {
	code, err := domain.ParseCode(rawCode)
	if err != nil {
		return domain.ShortLink{}, err
	}
	now := r.clock.Now()

	link, result, err := r.cache.Get(ctx, code, now)
	cacheUp := err == nil
	switch {
	case !cacheUp:
		r.cacheFailed("read", err) // degrade to the store, and spare the cache the write-back
	case result == ports.CacheHit:
		return link, link.Resolve(now)
	case result == ports.CacheNegativeHit:
		return domain.ShortLink{}, domain.ErrNotFound
	}

	throttled := r.misses.PerMinute > 0 && r.misses.Limiter != nil
	var client string
	if throttled {
		client = "miss:" + who.ClientKey()
		if err := r.refuseScanner(ctx, client, now); err != nil {
			return domain.ShortLink{}, err
		}
	}
	link, err = r.store.Find(ctx, code, now)
	if err == nil && link.Status(now) == domain.StatusExpired {
		// As good as unknown: cache it as such. A deleted link is past its
		// expiry too (a deletion ends its life), but it answers 410.
		err = domain.ErrNotFound
	}
	if errors.Is(err, domain.ErrNotFound) {
		if cacheUp {
			if err := r.cache.SetMissing(ctx, code, r.clock.Now()); err != nil {
				r.cacheFailed("negative write", err)
			}
		}
		if throttled {
			r.countMiss(ctx, client, now)
		}
		return domain.ShortLink{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.ShortLink{}, fmt.Errorf("find link %s: %w", code, err)
	}
	if cacheUp {
		if err := r.cache.Add(ctx, link, r.clock.Now()); err != nil {
			r.cacheFailed("write", err)
		}
	}
	return link, link.Resolve(now)
}

// refuseScanner answers a client over its miss limit without a lookup. A
// limiter that fails lets the lookup through: throttling is a shield, not
// a dependency.
func (r *Resolver) refuseScanner(ctx context.Context, client string, now time.Time) error {
	exceeded, retryAfter, err := r.misses.Limiter.Exceeded(ctx, client, r.misses.PerMinute, missWindow, now)
	if err != nil {
		r.log.Debug("miss limiter unavailable; allowing the lookup", "error", err)
		return nil
	}
	if exceeded {
		return &TooManyMissesError{RetryAfter: retryAfter}
	}
	return nil
}

func (r *Resolver) countMiss(ctx context.Context, client string, now time.Time) {
	if _, _, err := r.misses.Limiter.Allow(ctx, client, r.misses.PerMinute, missWindow, now); err != nil {
		r.log.Debug("miss limiter unavailable; miss not counted", "error", err)
	}
}

// CacheErrors counts cache operations that failed and were worked around.
func (r *Resolver) CacheErrors() uint64 { return r.cacheErrors.Load() }

func (r *Resolver) cacheFailed(op string, err error) {
	// Every request meets an outage, so log it at debug; the counter feeds a metric.
	r.cacheErrors.Add(1)
	r.log.Debug("cache "+op+" failed; serving from the store", "error", err)
}
