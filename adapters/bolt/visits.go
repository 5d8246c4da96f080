package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var (
	// visitsBucket: link id, then the hour's Unix seconds (8 bytes each,
	// big-endian, so a link's hours are adjacent and in order) → counters.
	visitsBucket = []byte("visits")
	// visitBatchesBucket: applied batch id → when it was made (Unix µs).
	visitBatchesBucket = []byte("visit_batches")
)

// recordVisits1 is the layout of an hour's counters: version, humans,
// bots, then per referrer its host's length (1 byte), host and visits.
const recordVisits1 byte = 1

var _ ports.VisitStore = (*Store)(nil)

func visitKey(link domain.LinkID, hour time.Time) []byte {
	key := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(link))
	return binary.BigEndian.AppendUint64(key, uint64(hour.Unix()))
}

type hourCounts struct {
	humans, bots int64
	referrers    []domain.ReferrerCount
}

func encodeHour(h hourCounts) []byte {
	buf := make([]byte, 17, 17+len(h.referrers)*24)
	buf[0] = recordVisits1
	binary.BigEndian.PutUint64(buf[1:9], uint64(h.humans))
	binary.BigEndian.PutUint64(buf[9:17], uint64(h.bots))
	for _, r := range h.referrers {
		buf = append(buf, byte(len(r.Host)))
		buf = append(buf, r.Host...)
		buf = binary.BigEndian.AppendUint64(buf, uint64(r.Visits))
	}
	return buf
}

func decodeHour(raw []byte) (hourCounts, error) {
	if len(raw) < 17 || raw[0] != recordVisits1 {
		return hourCounts{}, errCorruptRecord
	}
	h := hourCounts{humans: int64(binary.BigEndian.Uint64(raw[1:9])), bots: int64(binary.BigEndian.Uint64(raw[9:17]))}
	for rest := raw[17:]; len(rest) > 0; {
		n := int(rest[0])
		if len(rest) < 1+n+8 {
			return hourCounts{}, errCorruptRecord
		}
		h.referrers = append(h.referrers, domain.ReferrerCount{Host: string(rest[1 : 1+n]), Visits: int64(binary.BigEndian.Uint64(rest[1+n : 9+n]))})
		rest = rest[9+n:]
	}
	return h, nil
}

// AddVisits implements ports.VisitStore in one transaction with the batch
// id, so a batch is applied once. A failed bbolt transaction rolls back as
// a whole: its error always means not applied.
func (s *Store) AddVisits(_ context.Context, batch domain.VisitBatch) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		batches, visits := tx.Bucket(visitBatchesBucket), tx.Bucket(visitsBucket)
		if batches.Get(batch.ID[:]) != nil {
			return nil
		}
		for _, c := range batch.Counts {
			key := visitKey(c.Link, c.Hour)
			var h hourCounts
			if raw := visits.Get(key); raw != nil {
				var err error
				if h, err = decodeHour(raw); err != nil {
					return err
				}
			}
			h.humans += c.Humans
			h.bots += c.Bots
			h.referrers = domain.AddReferrers(h.referrers, c.Referrers, domain.MaxReferrers)
			if err := visits.Put(key, encodeHour(h)); err != nil {
				return err
			}
		}
		return batches.Put(batch.ID[:], binary.BigEndian.AppendUint64(nil, uint64(batch.Made.UnixMicro())))
	})
	if err != nil {
		return fmt.Errorf("%w: %w", domain.ErrNotApplied, translate("add visits", err))
	}
	return nil
}

// VisitStats implements ports.VisitStore with one range scan of the link's hours.
func (s *Store) VisitStats(_ context.Context, q domain.VisitQuery) (domain.VisitStats, error) {
	sum := domain.NewVisitSum(q.Window)
	end := visitKey(q.Link, q.Window.To)
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(visitsBucket).Cursor()
		for k, v := c.Seek(visitKey(q.Link, q.Window.From)); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
			h, err := decodeHour(v)
			if err != nil {
				return err
			}
			sum.Add(time.Unix(int64(binary.BigEndian.Uint64(k[8:16])), 0), h.humans, h.bots, h.referrers)
		}
		return nil
	})
	if err != nil {
		return domain.VisitStats{}, translate("visit stats", err)
	}
	return sum.Stats(), nil
}

// ForgetVisitBatches implements ports.VisitStore.
func (s *Store) ForgetVisitBatches(ctx context.Context, before time.Time) error {
	_, err := s.sweepBucket(ctx, visitBatchesBucket, func(_ *bbolt.Tx, _, v []byte) (bool, error) {
		return len(v) == 8 && int64(binary.BigEndian.Uint64(v)) < before.UnixMicro(), nil
	})
	return err
}

// sweepVisits drops the counters of hours before before (VISIT_RETENTION,
// by the month of the visit), whether their link lives on or not.
func (s *Store) sweepVisits(ctx context.Context, before time.Time) (int, error) {
	return s.sweepBucket(ctx, visitsBucket, func(_ *bbolt.Tx, k, _ []byte) (bool, error) {
		return len(k) != 16 || int64(binary.BigEndian.Uint64(k[8:16])) < before.Unix(), nil
	})
}
