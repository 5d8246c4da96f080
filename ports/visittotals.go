package ports

import (
	"context"

	"github.com/shortlink/shortlink/domain"
)

// VisitTotals sums the visits kept of many links at once: what an export
// shows beside each link.
type VisitTotals interface {
	// VisitTotals returns, in the order of links, each link's visits
	// (humans and bots) over every hour the store still keeps (visit
	// retention); a link without any has 0.
	VisitTotals(ctx context.Context, links []domain.LinkID) ([]int64, error)
}
