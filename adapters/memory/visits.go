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
	hours   map[domain.LinkID]map[domain.VisitHour]*visitHour // link → hour → counters
	batches map[domain.VisitBatchID]time.Time                 // applied → made
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
		v.hours, v.batches = map[domain.LinkID]map[domain.VisitHour]*visitHour{}, map[domain.VisitBatchID]time.Time{}
	}
	if _, applied := v.batches[batch.ID]; applied {
		return nil
	}
	v.batches[batch.ID] = batch.Made
	for _, c := range batch.Counts {
		hours := v.hours[c.Link]
		if hours == nil {
			hours = map[domain.VisitHour]*visitHour{}
			v.hours[c.Link] = hours
		}
		h := hours[domain.VisitHourOf(c.Hour)]
		if h == nil {
			h = &visitHour{}
			hours[domain.VisitHourOf(c.Hour)] = h
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
	from, to := domain.VisitHourOf(q.Window.From), domain.VisitHourOf(q.Window.To)
	for hour, h := range s.visits.hours[q.Link] {
		if hour >= from && hour < to {
			sum.Add(hour.Start(), h.humans, h.bots, h.referrers)
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
