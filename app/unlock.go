package app

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Attempt limits of unlocks. Per link, so that rotating addresses does
// not help: 5 a minute, then the windows double (10 in 2 minutes, 15 in 4,
// …, 25 in 16), each refusing for the rest of its window once used up, so
// a sustained guesser gets fewer tries per minute the longer it goes on.
// Per client, across links: 30 a minute.
const (
	linkAttemptsPerMinute = 5
	linkAttemptTiers      = 5
	clientAttempts        = 30
	clientAttemptWindow   = time.Minute
)

// TooManyAttemptsError refuses an unlock, before any hash is computed,
// until the link's or the client's window ends.
type TooManyAttemptsError struct{ RetryAfter time.Duration }

func (e *TooManyAttemptsError) Error() string {
	return "too many password attempts; retry later"
}

// Unlocker is the unlock-a-protected-link use case: a visitor's password
// against the link's, with attempts limited per link and per client, and
// the hashing bounded by the ports.PasswordHasher.
type Unlocker struct {
	resolver *Resolver
	store    ports.LinkStore
	hasher   ports.PasswordHasher
	limiter  ports.RateLimiter // nil: no attempt limits
	clock    ports.Clock
	log      *slog.Logger
}

// NewUnlocker returns the unlock use case; limiter may be nil (no limits).
func NewUnlocker(resolver *Resolver, store ports.LinkStore, hasher ports.PasswordHasher, limiter ports.RateLimiter, clock ports.Clock, log *slog.Logger) *Unlocker {
	return &Unlocker{resolver: resolver, store: store, hasher: hasher, limiter: limiter, clock: clock, log: log}
}

// Unlock returns the live link rawCode holds when password is its
// password (or it has none). The link is found as a redirect finds it
// (Resolve: its errors), the hash read from the store, which alone keeps
// it. Errors beyond Resolve's: *TooManyAttemptsError, domain.ErrWrongPassword.
func (u *Unlocker) Unlock(ctx context.Context, rawCode, password string, who Requester) (domain.ShortLink, error) {
	link, err := u.resolver.Resolve(ctx, rawCode, who)
	if err != nil || !link.Protected() {
		return link, err
	}
	now := u.clock.Now()
	if err := u.admit(ctx, link.ID(), who, now); err != nil {
		return domain.ShortLink{}, err
	}
	stored, err := u.store.Find(ctx, link.Code(), now)
	if err != nil {
		return domain.ShortLink{}, fmt.Errorf("find link %s: %w", link.Code(), err)
	}
	if stored.ID() != link.ID() {
		return domain.ShortLink{}, domain.ErrNotFound // the code changed hands meanwhile
	}
	if err := stored.Resolve(now); err != nil {
		return domain.ShortLink{}, err
	}
	if !stored.Protected() { // its password was removed meanwhile
		return stored, nil
	}
	ok, err := u.hasher.Verify(ctx, stored.PasswordHash(), password)
	switch {
	case err != nil:
		// No hash slot within the request's time: the service is saturated
		// (503 with Retry-After, as for a create), not broken (500).
		return domain.ShortLink{}, fmt.Errorf("verify the password of %s: %w: %w", link.Code(), domain.ErrUnavailable, err)
	case !ok:
		return domain.ShortLink{}, domain.ErrWrongPassword
	}
	return stored, nil
}

// admit counts an attempt on link by who, refusing it when the client or
// the link has used up an allowance. Each allowance the attempt is within
// counts it. A limiter that fails lets the attempt through: the hash's
// cost and the hasher's slots still bound what a guesser gets.
func (u *Unlocker) admit(ctx context.Context, link domain.LinkID, who Requester, now time.Time) error {
	if u.limiter == nil {
		return nil
	}
	var wait time.Duration
	allow := func(key string, limit int, window time.Duration) {
		ok, retryAfter, err := u.limiter.Allow(ctx, key, limit, window, now)
		switch {
		case err != nil:
			u.log.Debug("unlock limiter unavailable; allowing the attempt", "error", err)
		case !ok:
			wait = max(wait, retryAfter)
		}
	}
	allow("unlock-client:"+who.ClientKey(), clientAttempts, clientAttemptWindow)
	if wait > 0 { // a client over its allowance spends none of the link's
		return &TooManyAttemptsError{RetryAfter: wait}
	}
	id := strconv.FormatInt(int64(link), 10)
	for tier := range linkAttemptTiers {
		allow("unlock-link:"+id+":"+strconv.Itoa(tier), linkAttemptsPerMinute*(tier+1), time.Minute<<tier)
	}
	if wait > 0 {
		return &TooManyAttemptsError{RetryAfter: wait}
	}
	return nil
}
