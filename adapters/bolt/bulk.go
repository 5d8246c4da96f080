package bolt

import (
	"bytes"
	"context"
	"errors"
	"time"

	"go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var (
	_ ports.BulkInserter     = (*Store)(nil)
	_ ports.IdempotencyStore = (*Store)(nil)
)

// InsertMany implements ports.BulkInserter in one read-write transaction:
// one commit (one fsync) for every link. A taken code is that link's
// ErrCodeTaken; any other failure fails them all (nothing was stored).
func (s *Store) InsertMany(_ context.Context, links []domain.ShortLink, codeFreeAfter []time.Time) ([]domain.ShortLink, []error) {
	stored, errs := make([]domain.ShortLink, len(links)), make([]error, len(links))
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for i, link := range links {
			var err error
			stored[i], err = insertTx(tx, link, codeFreeAfter[i])
			switch {
			case errors.Is(err, domain.ErrCodeTaken):
				errs[i] = domain.ErrCodeTaken
			case err != nil:
				return err
			}
		}
		return nil
	})
	if err != nil {
		err = translate("insert links", err)
		for i := range errs {
			stored[i], errs[i] = domain.ShortLink{}, err
		}
	}
	return stored, errs
}

// idempotencyBucket keeps the answers of requests with an Idempotency-Key
// by the caller's key digest: started (8 bytes, Unix ns) ‖ fingerprint
// length (1 byte) ‖ fingerprint ‖ done (1 byte) ‖ answer.
var idempotencyBucket = []byte("idempotency")

func encodeIdempotency(r ports.IdempotencyRecord) []byte {
	b := make([]byte, 0, 10+len(r.Fingerprint)+len(r.Answer))
	b = appendUint64(b, uint64(r.StartedAt.UnixNano()))
	b = append(b, byte(len(r.Fingerprint)))
	b = append(b, r.Fingerprint...)
	if r.Answer == nil {
		return append(b, 0)
	}
	return append(append(b, 1), r.Answer...)
}

func decodeIdempotency(v []byte) (ports.IdempotencyRecord, error) {
	if len(v) < 9 || len(v) < 10+int(v[8]) {
		return ports.IdempotencyRecord{}, errCorruptRecord
	}
	n := int(v[8])
	r := ports.IdempotencyRecord{StartedAt: time.Unix(0, int64(readUint64(v))).UTC(), Fingerprint: bytes.Clone(v[9 : 9+n])}
	if v[9+n] == 1 {
		r.Answer = bytes.Clone(v[10+n:])
	}
	return r, nil
}

func appendUint64(b []byte, v uint64) []byte {
	return append(b, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func readUint64(b []byte) uint64 {
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// ClaimIdempotency implements ports.IdempotencyStore in one transaction.
func (s *Store) ClaimIdempotency(_ context.Context, c ports.IdempotencyClaim) (ports.IdempotencyRecord, bool, error) {
	var (
		record  ports.IdempotencyRecord
		claimed bool
	)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(idempotencyBucket)
		if err != nil {
			return err
		}
		if v := b.Get([]byte(c.Key)); v != nil {
			r, err := decodeIdempotency(v)
			if err != nil {
				return err
			}
			if !r.StartedAt.Before(c.ExpiredBefore) && (r.Answer != nil || !r.StartedAt.Before(c.StaleBefore)) {
				record = r
				return nil
			}
		}
		record, claimed = ports.IdempotencyRecord{Fingerprint: bytes.Clone(c.Fingerprint), StartedAt: c.Now.UTC()}, true
		return b.Put([]byte(c.Key), encodeIdempotency(record))
	})
	if err != nil {
		return ports.IdempotencyRecord{}, false, translate("claim idempotency key", err)
	}
	return record, claimed, nil
}

// CompleteIdempotency implements ports.IdempotencyStore.
func (s *Store) CompleteIdempotency(_ context.Context, key string, startedAt time.Time, answer []byte) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(idempotencyBucket)
		if err != nil {
			return err
		}
		v := b.Get([]byte(key))
		if v == nil {
			return nil
		}
		r, err := decodeIdempotency(v)
		if err != nil || !r.StartedAt.Equal(startedAt) || r.Answer != nil {
			return err
		}
		r.Answer = answer
		if r.Answer == nil {
			r.Answer = []byte{}
		}
		return b.Put([]byte(key), encodeIdempotency(r))
	})
	return translate("complete idempotency key", err)
}

// ForgetIdempotency implements ports.IdempotencyStore.
func (s *Store) ForgetIdempotency(_ context.Context, before time.Time) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(idempotencyBucket)
		if b == nil {
			return nil
		}
		var drop [][]byte // deleting under a cursor would skip the next key
		err := b.ForEach(func(k, v []byte) error {
			if r, err := decodeIdempotency(v); err != nil || r.StartedAt.Before(before) {
				drop = append(drop, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	return translate("forget idempotency keys", err)
}
