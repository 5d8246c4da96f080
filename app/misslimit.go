package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/shortlink/shortlink/ports"
)

// Requester is who asks for a lookup, as far as throttling is concerned.
type Requester interface {
	// ClientKey names the client (its canonical address, an IPv6 client's
	// /64); it is asked only when a lookup has to reach the store.
	ClientKey() string
}

// MissLimit throttles clients whose lookups reach the store and find
// nothing: scans of distinct random codes, which no cache can absorb. It
// counts on every route that looks a code up, public or not.
type MissLimit struct {
	// PerMinute is the store misses a client may cause a minute; 0 is off.
	PerMinute int
	Limiter   ports.RateLimiter
}

// missWindow is the window MissLimit.PerMinute counts in.
const missWindow = time.Minute

// TooManyMissesError refuses a lookup the cache cannot answer, without a
// store lookup, until the client's window ends.
type TooManyMissesError struct{ RetryAfter time.Duration }

func (e *TooManyMissesError) Error() string {
	return "too many lookups of unknown codes from this address; retry later"
}

// on reports whether the limit is in force.
func (m MissLimit) on() bool { return m.PerMinute > 0 && m.Limiter != nil }

// admit is asked before a store lookup for who: it returns the key the
// client's misses count under ("" when the limit is off), or a
// *TooManyMissesError when the client has used up its misses. A limiter
// that fails lets the lookup through: throttling is a shield, not a
// dependency.
func (m MissLimit) admit(ctx context.Context, who Requester, now time.Time, log *slog.Logger) (string, error) {
	if !m.on() {
		return "", nil
	}
	client := "miss:" + who.ClientKey()
	exceeded, retryAfter, err := m.Limiter.Exceeded(ctx, client, m.PerMinute, missWindow, now)
	switch {
	case err != nil:
		log.Debug("miss limiter unavailable; allowing the lookup", "error", err)
	case exceeded:
		return "", &TooManyMissesError{RetryAfter: retryAfter}
	}
	return client, nil
}

// miss counts a store lookup that found nothing against client, a key
// admit returned.
func (m MissLimit) miss(ctx context.Context, client string, now time.Time, log *slog.Logger) {
	if client == "" {
		return
	}
	if _, _, err := m.Limiter.Allow(ctx, client, m.PerMinute, missWindow, now); err != nil {
		log.Debug("miss limiter unavailable; miss not counted", "error", err)
	}
}
