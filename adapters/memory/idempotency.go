package memory

import (
	"bytes"
	"context"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var _ ports.IdempotencyStore = (*LinkStore)(nil)

// ClaimIdempotency implements ports.IdempotencyStore.
func (s *LinkStore) ClaimIdempotency(_ context.Context, c ports.IdempotencyClaim) (ports.IdempotencyRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return ports.IdempotencyRecord{}, false, domain.ErrUnavailable
	}
	if r, ok := s.idem[c.Key]; ok && !r.StartedAt.Before(c.ExpiredBefore) && (r.Answer != nil || !r.StartedAt.Before(c.StaleBefore)) {
		return cloneRecord(r), false, nil
	}
	if s.idem == nil {
		s.idem = map[string]ports.IdempotencyRecord{}
	}
	r := ports.IdempotencyRecord{Fingerprint: bytes.Clone(c.Fingerprint), StartedAt: c.Now}
	s.idem[c.Key] = r
	return cloneRecord(r), true, nil
}

// CompleteIdempotency implements ports.IdempotencyStore.
func (s *LinkStore) CompleteIdempotency(_ context.Context, key string, startedAt time.Time, answer []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ErrUnavailable
	}
	if r, ok := s.idem[key]; ok && r.StartedAt.Equal(startedAt) && r.Answer == nil {
		r.Answer = bytes.Clone(answer)
		s.idem[key] = r
	}
	return nil
}

// ForgetIdempotency implements ports.IdempotencyStore.
func (s *LinkStore) ForgetIdempotency(_ context.Context, before time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, r := range s.idem {
		if r.StartedAt.Before(before) {
			delete(s.idem, k)
		}
	}
	return nil
}

func cloneRecord(r ports.IdempotencyRecord) ports.IdempotencyRecord {
	r.Fingerprint, r.Answer = bytes.Clone(r.Fingerprint), bytes.Clone(r.Answer)
	return r
}
