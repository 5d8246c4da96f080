// Package ports declares what the use cases in app need from the outside
// world. Each interface is shaped by one use case and implemented by an
// adapter; mocks for unit tests live in ports/mocks.
package ports

//go:generate go tool mockgen -destination=mocks/mocks.go -package=mocks . LinkStore,CodeCounter,CodePool,LinkCache

import (
	"context"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// LinkStore is the durable home of links. A nil error from Insert means the
// link is committed.
type LinkStore interface {
	// Insert stores link, or returns domain.ErrCodeTaken when a live link
	// already holds its code; concurrent inserts of one code admit one winner.
	Insert(ctx context.Context, link domain.ShortLink) error
	// FindLive returns the link that holds code at now, or domain.ErrNotFound.
	FindLive(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, error)
}

// CodeCounter is the durable counter generated codes are minted from.
type CodeCounter interface {
	// Reserve returns the first of n consecutive counter values that no
	// caller, in this process or any other, will ever be given again.
	Reserve(ctx context.Context, n int) (first uint64, err error)
}

// CodePool is the shared pool of codes minted ahead of time by the batch.
type CodePool interface {
	// Take removes and returns up to n codes; fewer, or none, when the pool runs low.
	Take(ctx context.Context, n int) ([]domain.Code, error)
	// Add puts freshly minted codes into the pool.
	Add(ctx context.Context, codes []domain.Code) error
	// Size is the number of codes in the pool.
	Size(ctx context.Context) (int64, error)
}

// CacheResult says what a cache lookup found.
type CacheResult int

const (
	// CacheMiss: the cache knows nothing about the code.
	CacheMiss CacheResult = iota
	// CacheHit: the cache holds the link.
	CacheHit
	// CacheNegativeHit: the cache recently saw that no link has the code.
	CacheNegativeHit
)

// LinkCache is the redirect cache. Callers treat its errors as misses, and
// pass the time from their clock: the cache never reads one of its own.
type LinkCache interface {
	// Get looks code up; a cached link that has expired at now is a miss.
	Get(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, CacheResult, error)
	// Set caches link for no longer than it has left to live at now.
	Set(ctx context.Context, link domain.ShortLink, now time.Time) error
	// SetMissing briefly records, from now on, that no link has code,
	// unless the cache already holds an entry for it (a link cached
	// meanwhile must win).
	SetMissing(ctx context.Context, code domain.Code, now time.Time) error
}

// RateLimiter counts events per key in fixed windows.
type RateLimiter interface {
	// Allow records one event for key at now and reports whether it is
	// within limit events per window; when it is not, retryAfter says when
	// the window ends. A shared limiter may keep time itself and ignore now.
	Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (allowed bool, retryAfter time.Duration, err error)
}

// Clock tells the time: the one clock of the service. Use cases read it and
// pass the time into the ports; adapters that run a loop of their own are
// given it. Tests move a fake one.
type Clock interface {
	Now() time.Time
}
