package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/shortlink/shortlink/adapters/hll"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// visitHour is the counters of one link in one hour.
type visitHour struct {
	humans, bots int64
	referrers    []domain.ReferrerCount
	dims         [domain.NumDimensions][]domain.ReferrerCount
}

// uniqueDay is a link and day of a unique-visitor sketch.
type uniqueDay struct {
	link domain.LinkID
	day  int64 // Unix seconds
}

// visits are the counters and applied batch ids of a LinkStore (under its mutex).
type visits struct {
	hours   map[domain.LinkID]map[domain.VisitHour]*visitHour // link → hour → counters
	batches map[domain.VisitBatchID]time.Time                 // applied → made
	uniques map[uniqueDay][]byte                              // HyperLogLog sketches
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
		for d := range h.dims {
			h.dims[d] = domain.AddReferrers(h.dims[d], c.Dimensions[d], domain.MaxReferrers)
		}
	}
	return nil
}

// MergeUniques implements ports.VisitStore.
func (s *LinkStore) MergeUniques(_ context.Context, batch domain.VisitBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return fmt.Errorf("merge uniques: %w", domain.ErrUnavailable)
	}
	if s.visits.uniques == nil {
		s.visits.uniques = map[uniqueDay][]byte{}
	}
	for _, c := range batch.Counts {
		if len(c.Uniques) == 0 {
			continue
		}
		k := uniqueDay{c.Link, domain.DayOf(c.Hour).Unix()}
		sk, err := hll.Union(s.visits.uniques[k], c.Uniques)
		if err != nil {
			return fmt.Errorf("merge uniques: %w", err)
		}
		s.visits.uniques[k] = sk
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
	firstDay, lastDay := q.Window.DimensionDays()
	for hour, h := range s.visits.hours[q.Link] {
		if hour >= from && hour < to {
			sum.Add(hour.Start(), h.humans, h.bots, h.referrers)
		}
		if start := hour.Start(); !start.Before(firstDay) && start.Before(lastDay) {
			sum.AddDimensions(&h.dims)
		}
	}
	stats := sum.Stats()
	for day := firstDay; day.Before(lastDay); day = day.Add(24 * time.Hour) {
		n, err := hll.Estimate(s.visits.uniques[uniqueDay{q.Link, day.Unix()}])
		if err != nil {
			return domain.VisitStats{}, fmt.Errorf("visit stats: %w", err)
		}
		stats.UniqueVisitors += n
	}
	return stats, nil
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

var _ ports.WorkspaceVisitReader = (*LinkStore)(nil)

// WorkspaceVisits implements ports.WorkspaceVisitReader by scanning the
// links and their hours.
func (s *LinkStore) WorkspaceVisits(_ context.Context, q domain.WorkspaceVisitQuery) (domain.WorkspaceVisits, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.WorkspaceVisits{}, fmt.Errorf("workspace visits: %w", domain.ErrUnavailable)
	}
	sum := domain.NewWorkspaceVisitSum(q.Window)
	from, to := domain.VisitHourOf(q.Window.From), domain.VisitHourOf(q.Window.To)
	for _, link := range s.links {
		if !q.Scope.InScope(link) {
			continue
		}
		for hour, h := range s.visits.hours[link.ID()] {
			if hour >= from && hour < to {
				sum.Add(link.ID(), link.Code(), hour.Start(), h.humans, h.bots)
			}
		}
	}
	return sum.Visits(), nil
}
