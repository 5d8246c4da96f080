package postgres

import (
	"cmp"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// VisitSlots is how many rows per link and hour (and day) absorb the
// writes of concurrent replicas; each batch goes to one, chosen by its id.
const VisitSlots = 4

var _ ports.VisitStore = (*LinkStore)(nil)

// addVisitsQuery applies one batch in one statement, so in one implicit
// transaction: the batch id is recorded, and only if it was not already
// are the hour and day counters added to. A concurrent retry of the same
// batch waits on the id's index entry and then adds nothing.
const addVisitsQuery = `
WITH batch AS (
    INSERT INTO visit_batch (id, made_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id
), hours AS (
    INSERT INTO visit_hour AS v (link_month, link_id, hour, slot, humans, bots, referrers)
    SELECT m, l, t, $3, hu, bo, r
    FROM unnest($4::date[], $5::bigint[], $6::timestamptz[], $7::bigint[], $8::bigint[], $9::jsonb[]) AS u(m, l, t, hu, bo, r)
    WHERE EXISTS (SELECT FROM batch)
    ON CONFLICT (link_id, hour, slot, link_month) DO UPDATE SET
        humans = v.humans + EXCLUDED.humans, bots = v.bots + EXCLUDED.bots,
        referrers = merge_visit_referrers(v.referrers, EXCLUDED.referrers, $16)
), days AS (
    INSERT INTO visit_day AS v (link_month, link_id, day, slot, humans, bots, referrers)
    SELECT m, l, t, $3, hu, bo, r
    FROM unnest($10::date[], $11::bigint[], $12::timestamptz[], $13::bigint[], $14::bigint[], $15::jsonb[]) AS u(m, l, t, hu, bo, r)
    WHERE EXISTS (SELECT FROM batch)
    ON CONFLICT (link_id, day, slot, link_month) DO UPDATE SET
        humans = v.humans + EXCLUDED.humans, bots = v.bots + EXCLUDED.bots,
        referrers = merge_visit_referrers(v.referrers, EXCLUDED.referrers, $16)
)
SELECT EXISTS (SELECT FROM batch)`

// counterRows are the arrays of one table's rows of a batch.
type counterRows struct {
	months, starts, referrers pq.StringArray
	links, humans, bots       pq.Int64Array
}

func (r *counterRows) add(c domain.VisitCounts, start time.Time) error {
	refs := make(map[string]int64, len(c.Referrers))
	for _, ref := range c.Referrers {
		refs[ref.Host] += ref.Visits
	}
	raw, err := json.Marshal(refs)
	if err != nil {
		return err
	}
	r.months = append(r.months, FirstOfMonth(c.LinkCreatedAt).Format(time.DateOnly))
	r.links = append(r.links, int64(c.Link))
	r.starts = append(r.starts, start.UTC().Format(time.RFC3339))
	r.humans = append(r.humans, c.Humans)
	r.bots = append(r.bots, c.Bots)
	r.referrers = append(r.referrers, string(raw))
	return nil
}

// AddVisits implements ports.VisitStore. Rows go in (link, start) order,
// the same in every batch, so concurrent batches lock shared rows in one
// order and never deadlock.
func (s *LinkStore) AddVisits(ctx context.Context, batch domain.VisitBatch) error {
	hours, days, err := visitRows(batch.Counts)
	if err != nil {
		return fmt.Errorf("add visits: %w: %w", domain.ErrNotApplied, err)
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	slot := int(batch.ID[0]) % VisitSlots
	_, err = await(ctx, "add visits", func() (bool, error) {
		var applied bool
		err := s.db.QueryRowContext(ctx, addVisitsQuery, batch.ID.String(), batch.Made, slot,
			hours.months, hours.links, hours.starts, hours.humans, hours.bots, hours.referrers,
			days.months, days.links, days.starts, days.humans, days.bots, days.referrers,
			domain.MaxReferrers).Scan(&applied)
		return applied, err
	})
	if err != nil {
		if notSent(err) {
			return fmt.Errorf("add visits: %w: %w", domain.ErrNotApplied, translate("add visits", err))
		}
		return translate("add visits", err)
	}
	return nil
}

// visitRows lays counts out as hour rows and day rows (the hours of a
// link and day summed), each in (link, start) order.
func visitRows(counts []domain.VisitCounts) (hours, days counterRows, err error) {
	sorted := slices.Clone(counts)
	slices.SortFunc(sorted, func(a, b domain.VisitCounts) int {
		return cmp.Or(cmp.Compare(a.Link, b.Link), a.Hour.Compare(b.Hour))
	})
	var day *domain.VisitCounts
	flushDay := func() error {
		if day == nil {
			return nil
		}
		return days.add(*day, day.Hour)
	}
	for _, c := range sorted {
		if err := hours.add(c, c.Hour); err != nil {
			return hours, days, err
		}
		start := c.Hour.UTC().Truncate(24 * time.Hour)
		if day != nil && day.Link == c.Link && day.Hour.Equal(start) {
			day.Humans += c.Humans
			day.Bots += c.Bots
			day.Referrers = domain.AddReferrers(day.Referrers, c.Referrers, domain.MaxReferrers)
			continue
		}
		if err := flushDay(); err != nil {
			return hours, days, err
		}
		day = &domain.VisitCounts{Link: c.Link, LinkCreatedAt: c.LinkCreatedAt, Hour: start, Humans: c.Humans, Bots: c.Bots,
			Referrers: domain.AddReferrers(nil, c.Referrers, domain.MaxReferrers)}
	}
	return hours, days, flushDay()
}

// notSent reports whether err shows that a statement certainly did not
// commit: it never left (a dial failure, a connection known bad before
// sending), or Postgres refused it with an ERROR, which rolls the implicit
// transaction back. A FATAL, a broken connection or a timeout after
// sending leaves the outcome unknown.
func notSent(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Severity == "ERROR"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return errors.Is(err, driver.ErrBadConn)
}

// visitStatsQuery sums the slots of q's rows: the buckets, then the top
// referrers, tagged by which of start and host is NULL.
const visitStatsQuery = `
WITH r AS (
    SELECT %[2]s AS start, humans, bots, referrers FROM %[1]s
    WHERE link_month = $1 AND link_id = $2 AND %[2]s >= $3 AND %[2]s < $4
)
(SELECT start, sum(humans)::bigint, sum(bots)::bigint, NULL::text FROM r GROUP BY start)
UNION ALL
(SELECT NULL, NULL, sum(value::bigint)::bigint, key FROM r, jsonb_each_text(r.referrers)
 GROUP BY key ORDER BY 3 DESC, 4 LIMIT $5)`

var (
	hourStatsQuery = fmt.Sprintf(visitStatsQuery, "visit_hour", "hour")
	dayStatsQuery  = fmt.Sprintf(visitStatsQuery, "visit_day", "day")
)

// VisitStats implements ports.VisitStore from the hour rows for an hourly
// series and the day rows for a daily one, in one statement (one snapshot).
func (s *LinkStore) VisitStats(ctx context.Context, q domain.VisitQuery) (domain.VisitStats, error) {
	query := dayStatsQuery
	if q.Window.Interval == domain.IntervalHour {
		query = hourStatsQuery
	}
	return await(ctx, "visit stats", func() (domain.VisitStats, error) {
		rows, err := s.db.QueryContext(ctx, query, FirstOfMonth(q.LinkCreatedAt).Format(time.DateOnly), int64(q.Link),
			q.Window.From, q.Window.To, domain.TopReferrers)
		if err != nil {
			return domain.VisitStats{}, translate("visit stats", err)
		}
		defer rows.Close()
		stats := domain.VisitStats{Window: q.Window}
		for rows.Next() {
			var (
				start        *time.Time
				humans, bots *int64
				host         *string
			)
			if err := rows.Scan(&start, &humans, &bots, &host); err != nil {
				return domain.VisitStats{}, translate("read visit stats", err)
			}
			if host != nil {
				stats.Referrers = append(stats.Referrers, domain.ReferrerCount{Host: *host, Visits: *bots})
				continue
			}
			stats.Series = append(stats.Series, domain.VisitBucket{Start: start.UTC(), Humans: *humans, Bots: *bots})
		}
		if err := rows.Err(); err != nil {
			return domain.VisitStats{}, translate("read visit stats", err)
		}
		domain.SortReferrers(stats.Referrers)
		return stats, nil
	})
}

// ForgetVisitBatches implements ports.VisitStore.
func (s *LinkStore) ForgetVisitBatches(ctx context.Context, before time.Time) error {
	_, err := await(ctx, "forget visit batches", func() (struct{}, error) {
		_, err := s.db.ExecContext(ctx, `DELETE FROM visit_batch WHERE made_at < $1`, before)
		return struct{}{}, translate("forget visit batches", err)
	})
	return err
}
