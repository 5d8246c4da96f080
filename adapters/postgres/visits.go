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
	"strconv"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// VisitSlots is how many rows per link and hour (and day) absorb the
// writes of concurrent replicas; each batch goes to one, chosen by its id.
const VisitSlots = 4

var _ ports.VisitStore = (*Store)(nil)

// addVisitsQuery applies one batch in one statement, so in one implicit
// transaction: the batch id is recorded, and only if it was not already
// are the hour and day counters added to. A concurrent retry of the same
// batch waits on the id's index entry and then adds nothing.
const addVisitsQuery = `
WITH batch AS (
    INSERT INTO visit_batch (id, made_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id
), hours AS (
    INSERT INTO visit_hour AS v (link_month, link_id, hour, slot, humans, bots, referrers)
    SELECT (to_timestamp(m) AT TIME ZONE 'UTC')::date, l, to_timestamp(t), $3, hu, bo, r
    FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::jsonb[]) AS u(m, l, t, hu, bo, r)
    WHERE EXISTS (SELECT FROM batch)
    ON CONFLICT (link_id, hour, slot, link_month) DO UPDATE SET
        humans = v.humans + EXCLUDED.humans, bots = v.bots + EXCLUDED.bots,
        referrers = merge_visit_referrers(v.referrers, EXCLUDED.referrers, $16)
), days AS (
    INSERT INTO visit_day AS v (link_month, link_id, day, slot, humans, bots, referrers)
    SELECT (to_timestamp(m) AT TIME ZONE 'UTC')::date, l, to_timestamp(t), $3, hu, bo, r
    FROM unnest($10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::jsonb[]) AS u(m, l, t, hu, bo, r)
    WHERE EXISTS (SELECT FROM batch)
    ON CONFLICT (link_id, day, slot, link_month) DO UPDATE SET
        humans = v.humans + EXCLUDED.humans, bots = v.bots + EXCLUDED.bots,
        referrers = merge_visit_referrers(v.referrers, EXCLUDED.referrers, $16)
)
SELECT EXISTS (SELECT FROM batch)`

// counterRows are the arrays of one table's rows of a batch: months and
// starts in Unix seconds, referrers as JSON objects.
type counterRows struct {
	months, starts, links, humans, bots pq.Int64Array
	referrers                           pq.StringArray
}

func newCounterRows(n int) counterRows {
	return counterRows{
		months: make(pq.Int64Array, 0, n), starts: make(pq.Int64Array, 0, n), links: make(pq.Int64Array, 0, n),
		humans: make(pq.Int64Array, 0, n), bots: make(pq.Int64Array, 0, n), referrers: make(pq.StringArray, 0, n),
	}
}

// add appends c's row starting at start, in the partition of start's
// month: counters are kept by the month of the visit (VISIT_RETENTION).
func (r *counterRows) add(c domain.VisitCounts, start time.Time, referrers string) {
	r.months = append(r.months, FirstOfMonth(start).Unix())
	r.links = append(r.links, int64(c.Link))
	r.starts = append(r.starts, start.Unix())
	r.humans = append(r.humans, c.Humans)
	r.bots = append(r.bots, c.Bots)
	r.referrers = append(r.referrers, referrers)
}

// referrersJSON appends refs, capped, to buf as a JSON object.
func referrersJSON(buf []byte, refs []domain.ReferrerCount) ([]byte, error) {
	hosts := 0
	for _, r := range refs {
		if r.Host != domain.ReferrerOther {
			hosts++
		}
	}
	if hosts > domain.MaxReferrers {
		refs = domain.AddReferrers(nil, refs, domain.MaxReferrers)
	}
	buf = append(buf, '{')
	for i, r := range refs {
		if i > 0 {
			buf = append(buf, ',')
		}
		if plainHost(r.Host) {
			buf = append(append(append(buf, '"'), r.Host...), '"')
		} else {
			quoted, err := json.Marshal(r.Host)
			if err != nil {
				return nil, err
			}
			buf = append(buf, quoted...)
		}
		buf = strconv.AppendInt(append(buf, ':'), r.Visits, 10)
	}
	return append(buf, '}'), nil
}

// plainHost reports whether host needs no escaping in JSON (every host
// domain.ReferrerHost returns).
func plainHost(host string) bool {
	for i := 0; i < len(host); i++ {
		if c := host[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// AddVisits implements ports.VisitStore in one round trip (a prepared
// statement: Bind, Execute and Sync leave together, so an answer lost after
// that leaves the write uncertain, never half sent). Rows go in (link, start) order,
// the same in every batch, so concurrent batches lock shared rows in one
// order and never deadlock.
func (s *Store) AddVisits(ctx context.Context, batch domain.VisitBatch) error {
	hours, days, err := visitRows(batch.Counts)
	if err != nil {
		return fmt.Errorf("add visits: %w: %w", domain.ErrNotApplied, err)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	slot := int(batch.ID[0]) % VisitSlots
	_, err = await(ctx, "add visits", func() (bool, error) {
		stmt, err := s.addVisitsStmt.get(ctx)
		if err != nil {
			return false, err
		}
		var applied bool
		err = stmt.QueryRowContext(ctx, batch.ID.String(), batch.Made, slot,
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
	hours, days = newCounterRows(len(sorted)), newCounterRows(len(sorted))
	var buf []byte
	for i := 0; i < len(sorted); {
		c := sorted[i]
		buf, err = referrersJSON(buf[:0], c.Referrers)
		if err != nil {
			return hours, days, err
		}
		refs := string(buf)
		hours.add(c, c.Hour, refs)
		// The other hours of the link and day, if any (a batch across midnight).
		day := c.Hour.UTC().Truncate(24 * time.Hour)
		j := i + 1
		for j < len(sorted) && sorted[j].Link == c.Link && sorted[j].Hour.UTC().Truncate(24*time.Hour).Equal(day) {
			j++
		}
		if j == i+1 { // one hour of the day: the day row is the same
			days.add(c, day, refs)
			i = j
			continue
		}
		sum := domain.VisitCounts{Link: c.Link, LinkCreatedAt: c.LinkCreatedAt, Referrers: slices.Clone(c.Referrers)}
		for _, h := range sorted[i:j] {
			sum.Humans += h.Humans
			sum.Bots += h.Bots
			if h.Hour != c.Hour {
				buf, err = referrersJSON(buf[:0], h.Referrers)
				if err != nil {
					return hours, days, err
				}
				hours.add(h, h.Hour, string(buf))
				sum.Referrers = domain.AddReferrers(sum.Referrers, h.Referrers, domain.MaxReferrers)
			}
		}
		if buf, err = referrersJSON(buf[:0], sum.Referrers); err != nil {
			return hours, days, err
		}
		days.add(sum, day, string(buf))
		i = j
	}
	return hours, days, nil
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

// dayStatsQuery sums the slots of a link's day rows: the buckets, then the
// top referrers, tagged by which of start and host is NULL. One statement:
// one snapshot. A slot's "other" may be negative (a batch that named a host
// late took its visits back from it) and sum to nothing: left out then.
// The rows are in the partitions of the window's months ($6 to $7), or,
// written by an earlier release, in that of the link's creation month ($1).
const dayStatsQuery = `
WITH d AS (
    SELECT day AS start, humans, bots, referrers FROM visit_day
    WHERE (link_month = $1 OR (link_month >= $6 AND link_month < $7)) AND link_id = $2 AND day >= $3 AND day < $4
)
(SELECT start, sum(humans)::bigint, sum(bots)::bigint, NULL::text FROM d GROUP BY start)
UNION ALL
(SELECT NULL, NULL, sum(e.value::bigint)::bigint, e.key FROM d, jsonb_each(d.referrers) AS e
 GROUP BY e.key HAVING sum(e.value::bigint) > 0 ORDER BY 3 DESC, 4 LIMIT $5)`

// hourStatsQuery is dayStatsQuery for an hourly series: the buckets from
// the hour rows, the referrers of the whole days in the window ($8 to $9)
// from the day rows, which hold a day's in a twenty-fourth of the rows,
// and those of the hours at its ends from the hour rows.
const hourStatsQuery = `
WITH h AS (
    SELECT hour AS start, humans, bots, referrers FROM visit_hour
    WHERE (link_month = $1 OR (link_month >= $6 AND link_month < $7)) AND link_id = $2 AND hour >= $3 AND hour < $4
), refs AS (
    SELECT referrers FROM visit_day
    WHERE (link_month = $1 OR (link_month >= $6 AND link_month < $7)) AND link_id = $2 AND day >= $8 AND day < $9
    UNION ALL
    SELECT referrers FROM h WHERE start < $8 OR start >= $9
)
(SELECT start, sum(humans)::bigint, sum(bots)::bigint, NULL::text FROM h GROUP BY start)
UNION ALL
(SELECT NULL, NULL, sum(e.value::bigint)::bigint, e.key FROM refs, jsonb_each(refs.referrers) AS e
 GROUP BY e.key HAVING sum(e.value::bigint) > 0 ORDER BY 3 DESC, 4 LIMIT $5)`

// VisitStats implements ports.VisitStore in one statement.
func (s *Store) VisitStats(ctx context.Context, q domain.VisitQuery) (domain.VisitStats, error) {
	w := q.Window
	query, args := dayStatsQuery, []any{FirstOfMonth(q.LinkCreatedAt).Format(time.DateOnly), int64(q.Link), w.From, w.To, domain.TopReferrers,
		FirstOfMonth(w.From).Format(time.DateOnly), FirstOfMonth(w.To).AddDate(0, 1, 0).Format(time.DateOnly)}
	if w.Interval == domain.IntervalHour {
		const day = 24 * time.Hour
		firstDay, lastDay := w.From.Truncate(day), w.To.Truncate(day)
		if firstDay.Before(w.From) {
			firstDay = firstDay.Add(day)
		}
		query, args = hourStatsQuery, append(args, firstDay, lastDay)
	}
	return await(ctx, "visit stats", func() (domain.VisitStats, error) {
		rows, err := s.db.QueryContext(ctx, query, args...)
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
func (s *Store) ForgetVisitBatches(ctx context.Context, before time.Time) error {
	_, err := await(ctx, "forget visit batches", func() (struct{}, error) {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM visit_batch WHERE made_at < $1`, before); err != nil {
			return struct{}{}, translate("forget visit batches", err)
		}
		return struct{}{}, nil
	})
	return err
}
