package postgres

import (
	"context"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var _ ports.VisitTotals = (*Store)(nil)

// visitTotalsQuery sums the day rows (each holds its day's hours) of the
// links: an index probe per link and partition of visit_day, which is kept
// by the month of the visit, so no partition can be skipped.
const visitTotalsQuery = `
SELECT link_id, sum(humans + bots)::bigint FROM visit_day
WHERE link_id = ANY($1::bigint[]) GROUP BY link_id`

// VisitTotals implements ports.VisitTotals in one statement.
func (s *Store) VisitTotals(ctx context.Context, links []domain.LinkID) ([]int64, error) {
	totals := make([]int64, len(links))
	if len(links) == 0 {
		return totals, nil
	}
	ids := make(pq.Int64Array, len(links))
	for i, l := range links {
		ids[i] = int64(l)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return await(ctx, "visit totals", func() ([]int64, error) {
		rows, err := s.db.QueryContext(ctx, visitTotalsQuery, ids)
		if err != nil {
			return nil, translate("visit totals", err)
		}
		defer rows.Close()
		sums := make(map[domain.LinkID]int64, len(links))
		for rows.Next() {
			var (
				id  int64
				sum int64
			)
			if err := rows.Scan(&id, &sum); err != nil {
				return nil, translate("read visit totals", err)
			}
			sums[domain.LinkID(id)] = sum
		}
		if err := rows.Err(); err != nil {
			return nil, translate("read visit totals", err)
		}
		for i, l := range links {
			totals[i] = sums[l]
		}
		return totals, nil
	})
}
