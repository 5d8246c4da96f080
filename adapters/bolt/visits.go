package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/adapters/hll"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var (
	// visitsBucket: link id, then the hour's Unix seconds (8 bytes each,
	// big-endian, so a link's hours are adjacent and in order) → counters.
	visitsBucket = []byte("visits")
	// visitBatchesBucket: applied batch id → when it was made (Unix µs).
	visitBatchesBucket = []byte("visit_batches")
	// visitUniquesBucket: link id, then the day's Unix seconds → the
	// day's unique-visitor sketch (HyperLogLog), one per link and day.
	visitUniquesBucket = []byte("visit_uniques")
)

// recordVisits1 is the layout of an hour's counters: version, humans,
// bots, then per referrer its host's length (1 byte), host and visits.
// recordVisits2 follows the referrers with each dimension's values
// (domain.Dimension order): the number of referrers (1 byte) goes first,
// then per dimension the number of values and the values, each as a
// referrer is. Version 1 records are read as having no dimensions.
const (
	recordVisits1 byte = 1
	recordVisits2 byte = 2
)

var _ ports.VisitStore = (*Store)(nil)

func visitKey(link domain.LinkID, hour time.Time) []byte {
	key := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(link))
	return binary.BigEndian.AppendUint64(key, uint64(hour.Unix()))
}

type hourCounts struct {
	humans, bots int64
	referrers    []domain.ReferrerCount
	dims         [domain.NumDimensions][]domain.ReferrerCount
}

func encodeHour(h hourCounts) []byte {
	buf := make([]byte, 17, 18+(len(h.referrers)+len(h.dims)*4)*24)
	buf[0] = recordVisits2
	binary.BigEndian.PutUint64(buf[1:9], uint64(h.humans))
	binary.BigEndian.PutUint64(buf[9:17], uint64(h.bots))
	appendCounts := func(counts []domain.ReferrerCount) {
		buf = append(buf, byte(len(counts)))
		for _, r := range counts {
			host := r.Host[:min(len(r.Host), 255)]
			buf = append(buf, byte(len(host)))
			buf = append(buf, host...)
			buf = binary.BigEndian.AppendUint64(buf, uint64(r.Visits))
		}
	}
	appendCounts(h.referrers)
	for _, d := range h.dims {
		appendCounts(d)
	}
	return buf
}

func decodeHour(raw []byte) (hourCounts, error) {
	if len(raw) < 17 || (raw[0] != recordVisits1 && raw[0] != recordVisits2) {
		return hourCounts{}, errCorruptRecord
	}
	h := hourCounts{humans: int64(binary.BigEndian.Uint64(raw[1:9])), bots: int64(binary.BigEndian.Uint64(raw[9:17]))}
	rest := raw[17:]
	readCount := func() (domain.ReferrerCount, bool) {
		if len(rest) < 1 {
			return domain.ReferrerCount{}, false
		}
		n := int(rest[0])
		if len(rest) < 1+n+8 {
			return domain.ReferrerCount{}, false
		}
		c := domain.ReferrerCount{Host: string(rest[1 : 1+n]), Visits: int64(binary.BigEndian.Uint64(rest[1+n : 9+n]))}
		rest = rest[9+n:]
		return c, true
	}
	if raw[0] == recordVisits1 {
		for len(rest) > 0 {
			c, ok := readCount()
			if !ok {
				return hourCounts{}, errCorruptRecord
			}
			h.referrers = append(h.referrers, c)
		}
		return h, nil
	}
	readCounts := func() ([]domain.ReferrerCount, bool) {
		if len(rest) < 1 {
			return nil, false
		}
		n := int(rest[0])
		rest = rest[1:]
		var out []domain.ReferrerCount
		for range n {
			c, ok := readCount()
			if !ok {
				return nil, false
			}
			out = append(out, c)
		}
		return out, true
	}
	var ok bool
	if h.referrers, ok = readCounts(); !ok {
		return hourCounts{}, errCorruptRecord
	}
	for d := range h.dims {
		if len(rest) == 0 && d >= int(domain.DimRule) { // written before the rule dimension
			break
		}
		if h.dims[d], ok = readCounts(); !ok {
			return hourCounts{}, errCorruptRecord
		}
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
			for d := range h.dims {
				h.dims[d] = domain.AddReferrers(h.dims[d], c.Dimensions[d], domain.MaxReferrers)
			}
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

// MergeUniques implements ports.VisitStore in one transaction: each link
// and day's sketch is read, united with the batch's hashes and written.
func (s *Store) MergeUniques(_ context.Context, batch domain.VisitBatch) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(visitUniquesBucket)
		for _, c := range batch.Counts {
			if len(c.Uniques) == 0 {
				continue
			}
			key := visitKey(c.Link, domain.DayOf(c.Hour))
			sk, err := hll.Union(b.Get(key), c.Uniques)
			if err != nil {
				return err
			}
			if err := b.Put(key, sk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return translate("merge uniques", err)
	}
	return nil
}

// VisitStats implements ports.VisitStore with range scans of the link's
// hours (of the whole days the window touches, for the dimensions) and
// days (for the unique visitors).
func (s *Store) VisitStats(_ context.Context, q domain.VisitQuery) (domain.VisitStats, error) {
	sum := domain.NewVisitSum(q.Window)
	firstDay, lastDay := q.Window.DimensionDays()
	var uniques int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(visitsBucket).Cursor()
		end := visitKey(q.Link, lastDay)
		for k, v := c.Seek(visitKey(q.Link, firstDay)); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
			h, err := decodeHour(v)
			if err != nil {
				return err
			}
			hour := time.Unix(int64(binary.BigEndian.Uint64(k[8:16])), 0).UTC()
			if !hour.Before(q.Window.From) && hour.Before(q.Window.To) {
				sum.Add(hour, h.humans, h.bots, h.referrers)
			}
			sum.AddDimensions(&h.dims)
		}
		u := tx.Bucket(visitUniquesBucket).Cursor()
		for k, v := u.Seek(visitKey(q.Link, firstDay)); k != nil && bytes.Compare(k, end) < 0; k, v = u.Next() {
			n, err := hll.Estimate(v)
			if err != nil {
				return err
			}
			uniques += n
		}
		return nil
	})
	if err != nil {
		return domain.VisitStats{}, translate("visit stats", err)
	}
	stats := sum.Stats()
	stats.UniqueVisitors = uniques
	return stats, nil
}

// ForgetVisitBatches implements ports.VisitStore.
func (s *Store) ForgetVisitBatches(ctx context.Context, before time.Time) error {
	_, err := s.sweepBucket(ctx, visitBatchesBucket, func(_ *bbolt.Tx, _, v []byte) (bool, error) {
		return len(v) == 8 && int64(binary.BigEndian.Uint64(v)) < before.UnixMicro(), nil
	})
	return err
}

// sweepVisits drops the counters and unique-visitor sketches of hours and
// days before before (VISIT_RETENTION, by the month of the visit), whether
// their link lives on or not.
func (s *Store) sweepVisits(ctx context.Context, before time.Time) (int, error) {
	old := func(_ *bbolt.Tx, k, _ []byte) (bool, error) {
		return len(k) != 16 || int64(binary.BigEndian.Uint64(k[8:16])) < before.Unix(), nil
	}
	n, err := s.sweepBucket(ctx, visitsBucket, old)
	if err != nil {
		return n, err
	}
	m, err := s.sweepBucket(ctx, visitUniquesBucket, old)
	return n + m, err
}

var _ ports.WorkspaceVisitReader = (*Store)(nil)

// WorkspaceVisits implements ports.WorkspaceVisitReader in one read
// transaction: it scans every link and, for those in the scope, seeks
// their hours in the window (embedded mode answers by scanning, like the
// listing).
func (s *Store) WorkspaceVisits(_ context.Context, q domain.WorkspaceVisitQuery) (domain.WorkspaceVisits, error) {
	sum := domain.NewWorkspaceVisitSum(q.Window)
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(visitsBucket).Cursor()
		return tx.Bucket(linksBucket).ForEach(func(_, v []byte) error {
			link, err := decodeLink(v)
			if err != nil {
				return err
			}
			if !q.Scope.InScope(link) {
				return nil
			}
			end := visitKey(link.ID(), q.Window.To)
			for k, v := c.Seek(visitKey(link.ID(), q.Window.From)); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
				h, err := decodeHour(v)
				if err != nil {
					return err
				}
				sum.Add(link.ID(), link.Code(), time.Unix(int64(binary.BigEndian.Uint64(k[8:16])), 0), h.humans, h.bots)
			}
			return nil
		})
	})
	if err != nil {
		return domain.WorkspaceVisits{}, translate("workspace visits", err)
	}
	return sum.Visits(), nil
}
