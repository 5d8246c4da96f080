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

// Resolver is the resolve-a-code use case, for every public read of a
// link (the redirect, public info, the QR code, the preview page): the
// cache tiers in front of the store, the negative cache and the miss
// limit, with expiry and state checked on every answer, cached or not.
type Resolver struct {
	store  ports.LinkStore
	caches *LinkCaches
	clock  ports.Clock
	misses MissLimit
	log    *slog.Logger

	cacheErrors atomic.Uint64
}

// NewResolver returns the resolve use case.
func NewResolver(store ports.LinkStore, caches *LinkCaches, clock ports.Clock, misses MissLimit, log *slog.Logger) *Resolver {
	return &Resolver{store: store, caches: caches, clock: clock, misses: misses, log: log}
}

// Resolve returns the live link for rawCode. Errors: domain.ErrInvalidInput,
// domain.ErrNotFound (unknown and expired alike), domain.ErrGone (disabled
// or deleted), *TooManyMissesError, domain.ErrUnavailable.
func (r *Resolver) Resolve(ctx context.Context, rawCode string, who Requester) (domain.ShortLink, error) {
	code, err := domain.ParseCodeKey(rawCode)
	if err != nil {
		return domain.ShortLink{}, err
	}
	now := r.clock.Now()

	link, result, back, err := r.caches.get(ctx, code, now)
	switch {
	case err != nil:
		r.cacheFailed("read", err) // degrade to the store, and spare the shared cache the write-back
	case result == ports.CacheHit:
		return link, link.Resolve(now)
	case result == ports.CacheNegativeHit:
		return domain.ShortLink{}, domain.ErrNotFound
	}

	client, err := r.misses.admit(ctx, who, now, r.log)
	if err != nil {
		return domain.ShortLink{}, err
	}
	link, err = r.store.Find(ctx, code, now)
	if err == nil && link.Status(now) == domain.StatusExpired {
		// As good as unknown: cache it as such. A deleted link is past its
		// expiry too (a deletion ends its life), but it answers 410.
		err = domain.ErrNotFound
	}
	if errors.Is(err, domain.ErrNotFound) {
		if err := r.caches.setMissing(ctx, code, r.clock.Now(), back); err != nil {
			r.cacheFailed("negative write", err)
		}
		r.misses.miss(ctx, client, now, r.log)
		return domain.ShortLink{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.ShortLink{}, fmt.Errorf("find link %s: %w", code, err)
	}
	if err := r.caches.add(ctx, link, r.clock.Now(), back); err != nil {
		r.cacheFailed("write", err)
	}
	return link, link.Resolve(now)
}

// CacheErrors counts cache operations that failed and were worked around.
func (r *Resolver) CacheErrors() uint64 { return r.cacheErrors.Load() }

func (r *Resolver) cacheFailed(op string, err error) {
	// Every request meets an outage, so log it at debug; the counter feeds a metric.
	r.cacheErrors.Add(1)
	r.log.Debug("cache "+op+" failed; serving from the store", "error", err)
}
