package app

import (
	"context"
	"fmt"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// WorkspaceStatsRequest is a workspace stats query as the client sent it;
// "" is absent.
type WorkspaceStatsRequest struct {
	From, To string
	// Scope is what an admin asked for (a workspace key's is its own).
	Scope domain.WorkspaceScope
}

// WorkspaceStats is the use case of a workspace's statistics: the visits
// of its links together, per day, and the links with the most. A
// workspace key (any role) reads its workspace's; an admin any
// workspace's, the anonymous links' or every link's.
type WorkspaceStats struct {
	store   ports.WorkspaceVisitReader
	clock   ports.Clock
	maxSpan time.Duration
}

// NewWorkspaceStats returns the use case (store nil: the assembly has no
// workspaces, and every request is refused as unavailable); maxSpan bounds
// a window as it bounds a link's.
func NewWorkspaceStats(store ports.WorkspaceVisitReader, clock ports.Clock, maxSpan time.Duration) *WorkspaceStats {
	return &WorkspaceStats{store: store, clock: clock, maxSpan: maxSpan}
}

// Stats answers caller's request: 401 without credentials, 403 with a
// manage token only, then the window's checks, then the sums.
func (s *WorkspaceStats) Stats(ctx context.Context, caller Caller, req WorkspaceStatsRequest) (domain.WorkspaceVisits, domain.WorkspaceScope, error) {
	scope := req.Scope
	switch {
	case caller.Admin:
	case caller.HasKey():
		scope = domain.WorkspaceScope{Workspace: caller.Key.Workspace}
	default:
		return domain.WorkspaceVisits{}, scope, forbiddenOrUnauthenticated(caller)
	}
	w, err := domain.ParseVisitWindow(req.From, req.To, string(domain.IntervalDay), s.clock.Now(), s.maxSpan)
	if err != nil {
		return domain.WorkspaceVisits{}, scope, err
	}
	if s.store == nil {
		return domain.WorkspaceVisits{}, scope, domain.ErrUnavailable
	}
	visits, err := s.store.WorkspaceVisits(ctx, domain.WorkspaceVisitQuery{Scope: scope, Window: w})
	if err != nil {
		return domain.WorkspaceVisits{}, scope, fmt.Errorf("workspace visits: %w", err)
	}
	visits.Window = w
	visits.Series = domain.DenseSeries(w, visits.Series)
	return visits, scope, nil
}
