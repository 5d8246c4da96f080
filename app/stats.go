package app

import (
	"context"
	"fmt"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// StatsRequest is a stats query as the client sent it; "" is absent.
type StatsRequest struct {
	From, To, Interval string
	// Dimensions names the dimensions to list the top values of.
	Dimensions string
}

// LinkStats are the statistics of one link.
type LinkStats struct {
	Link  domain.ShortLink
	Stats domain.VisitStats
	// Dimensions are the dimensions asked for, in the order asked.
	Dimensions []string
}

// StatsReader is the statistics use case: the owner of a link (its manage
// token) or an administrator reads its visits, per hour or day, in any
// state the store still keeps it in (disabled, deleted and expired too).
type StatsReader struct {
	manager *Manager
	store   ports.VisitStore
	clock   ports.Clock
	maxSpan time.Duration
}

// NewStatsReader returns the use case; maxSpan (MAX_TTL, or what
// VISIT_RETENTION keeps when MAX_TTL is never) bounds a window.
func NewStatsReader(manager *Manager, store ports.VisitStore, clock ports.Clock, maxSpan time.Duration) *StatsReader {
	return &StatsReader{manager: manager, store: store, clock: clock, maxSpan: maxSpan}
}

// Stats answers with the precedence of every management route (unknown
// code, no credentials, credentials that do not grant the link), then
// checks the window, then reads the counters.
func (s *StatsReader) Stats(ctx context.Context, rawCode, bearer string, who Requester, req StatsRequest) (LinkStats, error) {
	link, err := s.manager.Authorize(ctx, rawCode, bearer, who)
	if err != nil {
		return LinkStats{}, err
	}
	w, err := domain.ParseVisitWindow(req.From, req.To, req.Interval, s.clock.Now(), s.maxSpan)
	if err != nil {
		return LinkStats{}, err
	}
	dims, err := domain.ParseDimensionList(req.Dimensions)
	if err != nil {
		return LinkStats{}, err
	}
	stats, err := s.store.VisitStats(ctx, domain.VisitQuery{Link: link.ID(), LinkCreatedAt: link.CreatedAt(), Window: w})
	if err != nil {
		return LinkStats{}, fmt.Errorf("visit stats of %s: %w", link.Code(), err)
	}
	stats.Window = w
	stats.Series = domain.DenseSeries(w, stats.Series)
	return LinkStats{Link: link, Stats: stats, Dimensions: dims}, nil
}
