package memory

import (
	"context"
	"fmt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var _ ports.VisitTotals = (*LinkStore)(nil)

// VisitTotals implements ports.VisitTotals.
func (s *LinkStore) VisitTotals(_ context.Context, links []domain.LinkID) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return nil, fmt.Errorf("visit totals: %w", domain.ErrUnavailable)
	}
	totals := make([]int64, len(links))
	for i, link := range links {
		for _, h := range s.visits.hours[link] {
			totals[i] += h.humans + h.bots
		}
	}
	return totals, nil
}
