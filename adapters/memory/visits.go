package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// visitHour is the counters of one link in one hour.
type visitHour struct {
	humans, bots int64
	referrers    []domain.ReferrerCount
}

// visits are the counters and applied batch ids of a LinkStore (under its mutex).
type visits struct {
	hours   map[domain.LinkID]map[int64]*visitHour // link → Unix hour → counters
	batches map[domain.VisitBatchID]time.Time      // applied → made
}

var _ ports.VisitStore = (*LinkStore)(nil)

// AddVisits implements ports.VisitStore.
func (s *LinkStore) AddVisits(_ context.Context, batch domain.VisitBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return fmt.Errorf("add visits: %w: %w", domain.ErrUnavailable, domain.ErrNotApplied)
	}
	v := &s.visits
	if v.hours == nil {
		v.hours, v.batches = map[domain.LinkID]map[int64]*visitHour{}, map[domain.VisitBatchID]time.Time{}
	}
	if _, applied := v.batches[batch.ID]; applied {
		return nil
	}
	v.batches[batch.ID] = batch.Made
	for _, c := range batch.Counts {
		hours := v.hours[c.Link]
		if hours == nil {
			hours = map[int64]*visitHour{}
			v.hours[c.Link] = hours
		}
		h := hours[c.Hour.Unix()/3600]
		if h == nil {
			h = &visitHour{}
			hours[c.Hour.Unix()/3600] = h
		}
		h.humans += c.Humans
		h.bots += c.Bots
		h.referrers = domain.AddReferrers(h.referrers, c.Referrers, domain.MaxReferrers)
	}
	return nil
}

// VisitStats implements ports.VisitStore.
func (s *LinkStore) VisitStats(_ context.Context, q domain.VisitQuery) (domain.VisitStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.VisitStats{}, fmt.Errorf("visit stats: %w", domain.ErrUnavailable)
	}
	sum := domain.NewVisitSum(q.Window)
	from, to := q.Window.From.Unix()/3600, q.Window.To.Unix()/3600
	for hour, h := range s.visits.hours[q.Link] {
		if hour >= from && hour < to {
			sum.Add(time.Unix(hour*3600, 0), h.humans, h.bots, h.referrers)
		}
	}
	return sum.Stats(), nil
}

// ForgetVisitBatches implements ports.VisitStore.
func (s *LinkStore) ForgetVisitBatches(_ context.Context, before time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, made := range s.visits.batches {
		if made.Before(before) {
			delete(s.visits.batches, id)
		}
	}
	return nil
}
