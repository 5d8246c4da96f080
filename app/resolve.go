package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Resolver is the resolve-a-code use case: read-through cache in front of
// the store, with expiry checked on every answer, cached or not.
type Resolver struct {
	store ports.LinkStore
	cache ports.LinkCache
	clock ports.Clock
	log   *slog.Logger

	cacheErrors atomic.Uint64
}

// NewResolver returns the resolve use case.
func NewResolver(store ports.LinkStore, cache ports.LinkCache, clock ports.Clock, log *slog.Logger) *Resolver {
	return &Resolver{store: store, cache: cache, clock: clock, log: log}
}

// Resolve returns the live link for rawCode. Errors: domain.ErrInvalidInput,
// domain.ErrNotFound (unknown and expired alike), domain.ErrUnavailable.
func (r *Resolver) Resolve(ctx context.Context, rawCode string) (domain.ShortLink, error) {
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
	case result == ports.CacheHit && !link.ExpiredAt(now):
		return link, nil
	case result == ports.CacheNegativeHit:
		return domain.ShortLink{}, domain.ErrNotFound
	}

	link, err = r.store.FindLive(ctx, code, now)
	if errors.Is(err, domain.ErrNotFound) {
		if cacheUp {
			if err := r.cache.SetMissing(ctx, code, r.clock.Now()); err != nil {
				r.cacheFailed("negative write", err)
			}
		}
		return domain.ShortLink{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.ShortLink{}, fmt.Errorf("find link %s: %w", code, err)
	}
	if cacheUp {
		if err := r.cache.Set(ctx, link, r.clock.Now()); err != nil {
			r.cacheFailed("write", err)
		}
	}
	return link, nil
}

// CacheErrors counts cache operations that failed and were worked around.
func (r *Resolver) CacheErrors() uint64 { return r.cacheErrors.Load() }

func (r *Resolver) cacheFailed(op string, err error) {
	// Every request meets an outage, so log it at debug; the counter feeds a metric.
	r.cacheErrors.Add(1)
	r.log.Debug("cache "+op+" failed; serving from the store", "error", err)
}
