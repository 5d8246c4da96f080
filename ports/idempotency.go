package ports

import (
	"context"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// IdempotencyRecord is what an IdempotencyStore keeps of a request sent
// with an Idempotency-Key: a digest of the request, when it started, and
// its answer once it has one (sealed by the caller: the store cannot read
// it).
type IdempotencyRecord struct {
	Fingerprint []byte
	StartedAt   time.Time
	// Answer is nil while the request is in progress.
	Answer []byte
}

// IdempotencyClaim asks to start the request under Key.
type IdempotencyClaim struct {
	// Key names the caller and its Idempotency-Key (a digest of both).
	Key         string
	Fingerprint []byte
	Now         time.Time
	// ExpiredBefore: a record that started before it is gone (kept a day).
	ExpiredBefore time.Time
	// StaleBefore: a record without an answer that started before it was
	// abandoned (its request ran out of time without answering).
	StaleBefore time.Time
}

// IdempotencyStore keeps the answers of requests sent with an
// Idempotency-Key, so that a retry answers the first result.
type IdempotencyStore interface {
	// ClaimIdempotency records claim's request as started, and returns
	// (the new record, true), when Key has no record, an expired one or a
	// stale one; otherwise it returns (the record there, false). Of
	// concurrent claims of one key, one wins.
	ClaimIdempotency(ctx context.Context, claim IdempotencyClaim) (IdempotencyRecord, bool, error)
	// CompleteIdempotency stores the answer of the request claimed under
	// key at startedAt; it does nothing when another claim has replaced it.
	CompleteIdempotency(ctx context.Context, key string, startedAt time.Time, answer []byte) error
	// ForgetIdempotency drops the records that started before before.
	ForgetIdempotency(ctx context.Context, before time.Time) error
}

// BulkInserter is a LinkStore that stores many links in one commit (the
// embedded store: one fsync rather than one per link). Stores without it
// are given a bulk create's links concurrently, which a store that groups
// concurrent inserts (Postgres) commits in batches.
type BulkInserter interface {
	// InsertMany is Insert of each of links, links[i] claiming its code
	// until codeFreeAfter[i], answered in order; one link's error
	// (domain.ErrCodeTaken) does not keep the others from being stored.
	InsertMany(ctx context.Context, links []domain.ShortLink, codeFreeAfter []time.Time) ([]domain.ShortLink, []error)
}

// BulkRateLimiter is a RateLimiter that records many events at once (a
// bulk create or an import counts each of its items).
type BulkRateLimiter interface {
	// AllowN records n events for key at now and reports how many of them
	// are within limit events per window (the first allowed of n), and,
	// when not all are, when the window ends.
	AllowN(ctx context.Context, key string, n, limit int, window time.Duration, now time.Time) (allowed int, retryAfter time.Duration, err error)
}
