package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/shortlink/shortlink/ports"
)

var _ ports.IdempotencyStore = (*Store)(nil)

// ClaimIdempotency implements ports.IdempotencyStore in one statement: the
// insert, or the takeover of an expired or stale row, is decided under the
// row's lock (ON CONFLICT … WHERE), so of concurrent claims one wins; a
// claim that did not win reads the row there.
func (s *Store) ClaimIdempotency(ctx context.Context, c ports.IdempotencyClaim) (ports.IdempotencyRecord, bool, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	for {
		var started time.Time
		err := s.db.QueryRowContext(ctx, `
			INSERT INTO idempotency_key AS k (key, fingerprint, started_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, started_at = excluded.started_at, answer = NULL
				WHERE k.started_at < $4 OR (k.answer IS NULL AND k.started_at < $5)
			RETURNING started_at`, c.Key, c.Fingerprint, c.Now, c.ExpiredBefore, c.StaleBefore).Scan(&started)
		if err == nil {
			return ports.IdempotencyRecord{Fingerprint: c.Fingerprint, StartedAt: started.UTC()}, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return ports.IdempotencyRecord{}, false, translate("claim idempotency key", err)
		}
		var r ports.IdempotencyRecord
		err = s.db.QueryRowContext(ctx, `SELECT fingerprint, started_at, answer FROM idempotency_key WHERE key = $1`, c.Key).
			Scan(&r.Fingerprint, &r.StartedAt, &r.Answer)
		if errors.Is(err, sql.ErrNoRows) {
			continue // forgotten in between: claim again
		}
		if err != nil {
			return ports.IdempotencyRecord{}, false, translate("read idempotency key", err)
		}
		r.StartedAt = r.StartedAt.UTC()
		return r, false, nil
	}
}

// CompleteIdempotency implements ports.IdempotencyStore.
func (s *Store) CompleteIdempotency(ctx context.Context, key string, startedAt time.Time, answer []byte) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if answer == nil {
		answer = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `UPDATE idempotency_key SET answer = $3 WHERE key = $1 AND started_at = $2 AND answer IS NULL`,
		key, startedAt, answer)
	if err != nil {
		return translate("complete idempotency key", err)
	}
	return nil
}

// ForgetIdempotency implements ports.IdempotencyStore.
func (s *Store) ForgetIdempotency(ctx context.Context, before time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_key WHERE started_at < $1`, before)
	if err != nil {
		return translate("forget idempotency keys", err)
	}
	return nil
}
