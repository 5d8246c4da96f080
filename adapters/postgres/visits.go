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

	"github.com/shortlink/shortlink/adapters/hll"
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
    INSERT INTO visit_day AS v (link_month, link_id, day, slot, humans, bots, referrers, dimensions)
    SELECT (to_timestamp(m) AT TIME ZONE 'UTC')::date, l, to_timestamp(t), $3, hu, bo, r, dm
    FROM unnest($10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::jsonb[], $17::jsonb[]) AS u(m, l, t, hu, bo, r, dm)
    WHERE EXISTS (SELECT FROM batch)
    ON CONFLICT (link_id, day, slot, link_month) DO UPDATE SET
        humans = v.humans + EXCLUDED.humans, bots = v.bots + EXCLUDED.bots,
        referrers = merge_visit_referrers(v.referrers, EXCLUDED.referrers, $16),
        dimensions = merge_visit_dimensions(v.dimensions, EXCLUDED.dimensions, $16)
)
SELECT EXISTS (SELECT FROM batch)`

// counterRows are the arrays of one table's rows of a batch: months and
// starts in Unix seconds, referrers as JSON objects.
type counterRows struct {
	months, starts, links, humans, bots pq.Int64Array
	referrers                           pq.StringArray
	dimensions                          pq.StringArray // day rows only
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

// dimensionsJSON appends dims, each capped, to buf as a JSON object of
// referrersJSON objects by dimension name; dimensions without values are
// left out.
func dimensionsJSON(buf []byte, dims *[domain.NumDimensions][]domain.ReferrerCount) ([]byte, error) {
	buf = append(buf, '{')
	first := true
	for d, counts := range dims {
		if len(counts) == 0 {
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(append(append(buf, '"'), domain.Dimension(d).String()...), '"', ':')
		var err error
		if buf, err = referrersJSON(buf, counts); err != nil {
			return nil, err
		}
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
			domain.MaxReferrers, days.dimensions).Scan(&applied)
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
	// Pointers sorted, not the counts copied: a VisitCounts is a few
	// hundred bytes, a batch a thousand of them every second.
	sorted := make([]*domain.VisitCounts, len(counts))
	for i := range counts {
		sorted[i] = &counts[i]
	}
	slices.SortFunc(sorted, func(a, b *domain.VisitCounts) int {
		return cmp.Or(cmp.Compare(a.Link, b.Link), a.Hour.Compare(b.Hour))
	})
	hours, days = newCounterRows(len(sorted)), newCounterRows(len(sorted))
	days.dimensions = make(pq.StringArray, 0, len(sorted))
	var buf []byte
	for i := 0; i < len(sorted); {
		c := sorted[i]
		buf, err = referrersJSON(buf[:0], c.Referrers)
		if err != nil {
			return hours, days, err
		}
		refs := string(buf)
		hours.add(*c, c.Hour, refs)
		// The other hours of the link and day, if any (a batch across midnight).
		day := c.Hour.UTC().Truncate(24 * time.Hour)
		j := i + 1
		for j < len(sorted) && sorted[j].Link == c.Link && sorted[j].Hour.UTC().Truncate(24*time.Hour).Equal(day) {
			j++
		}
		if j == i+1 { // one hour of the day: the day row is the same
			days.add(*c, day, refs)
			if buf, err = dimensionsJSON(buf[:0], &c.Dimensions); err != nil {
				return hours, days, err
			}
			days.dimensions = append(days.dimensions, string(buf))
			i = j
			continue
		}
		sum := domain.VisitCounts{Link: c.Link, LinkCreatedAt: c.LinkCreatedAt, Referrers: slices.Clone(c.Referrers)}
		for d := range sum.Dimensions {
			sum.Dimensions[d] = slices.Clone(c.Dimensions[d])
		}
		for _, h := range sorted[i:j] {
			sum.Humans += h.Humans
			sum.Bots += h.Bots
			if h.Hour != c.Hour {
				for d := range sum.Dimensions {
					sum.Dimensions[d] = domain.AddReferrers(sum.Dimensions[d], h.Dimensions[d], domain.MaxReferrers)
				}
				buf, err = referrersJSON(buf[:0], h.Referrers)
				if err != nil {
					return hours, days, err
				}
				hours.add(*h, h.Hour, string(buf))
				sum.Referrers = domain.AddReferrers(sum.Referrers, h.Referrers, domain.MaxReferrers)
			}
		}
		if buf, err = referrersJSON(buf[:0], sum.Referrers); err != nil {
			return hours, days, err
		}
		days.add(sum, day, string(buf))
		if buf, err = dimensionsJSON(buf[:0], &sum.Dimensions); err != nil {
			return hours, days, err
		}
		days.dimensions = append(days.dimensions, string(buf))
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
		return stats, s.dimensionStats(ctx, q, &stats)
	})
}

// uniqueRow is one link and day's visitor hashes in a batch.
type uniqueRow struct {
	month, day time.Time
	link       domain.LinkID
	hashes     []uint64
}

// MergeUniques implements ports.VisitStore in one transaction: it makes
// sure the batch's slot row of each link and day exists, locks them in
// (link, day) order, the order AddVisits locks day rows in, so the two
// never deadlock, unites each row's sketch with the hashes and writes it
// back. A union changes nothing when repeated, so an uncertain outcome is
// simply retried, and one row per slot bounds the storage whatever the
// replicas: VisitSlots sketches of at most 16 KiB per link and day.
func (s *Store) MergeUniques(ctx context.Context, batch domain.VisitBatch) error {
	var rows []uniqueRow
	byKey := map[[2]int64]int{}
	for _, c := range batch.Counts {
		if len(c.Uniques) == 0 {
			continue
		}
		day := domain.DayOf(c.Hour)
		k := [2]int64{int64(c.Link), day.Unix()}
		i, ok := byKey[k]
		if !ok {
			i = len(rows)
			byKey[k] = i
			rows = append(rows, uniqueRow{month: FirstOfMonth(day), day: day, link: c.Link}) // the visit's month, as the counters
		}
		rows[i].hashes = append(rows[i].hashes, c.Uniques...)
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b uniqueRow) int { return cmp.Or(cmp.Compare(a.link, b.link), a.day.Compare(b.day)) })
	months, links, days := make(pq.StringArray, len(rows)), make(pq.Int64Array, len(rows)), make(pq.Int64Array, len(rows))
	for i, r := range rows {
		months[i], links[i], days[i] = r.month.Format(time.DateOnly), int64(r.link), r.day.Unix()
	}
	slot := int(batch.ID[0]) % VisitSlots
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := await(ctx, "merge uniques", func() (struct{}, error) {
		tx, err := s.db.BeginTxx(ctx, nil)
		if err != nil {
			return struct{}{}, translate("begin merge uniques", err)
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO visit_day (link_month, link_id, day, slot, humans, bots, referrers)
			SELECT m, l, to_timestamp(d), $4, 0, 0, '{}' FROM unnest($1::date[], $2::bigint[], $3::bigint[]) AS u(m, l, d)
			ORDER BY l, d
			ON CONFLICT (link_id, day, slot, link_month) DO NOTHING`, months, links, days, slot); err != nil {
			return struct{}{}, translate("make unique rows", err)
		}
		found, err := tx.QueryContext(ctx, `
			SELECT v.link_id, extract(epoch FROM v.day)::bigint, v.uniques FROM visit_day v
			JOIN unnest($1::date[], $2::bigint[], $3::bigint[]) AS u(m, l, d)
			  ON v.link_month = u.m AND v.link_id = u.l AND v.day = to_timestamp(u.d) AND v.slot = $4
			ORDER BY v.link_id, v.day FOR UPDATE OF v`, months, links, days, slot)
		if err != nil {
			return struct{}{}, translate("lock unique rows", err)
		}
		stored := map[[2]int64][]byte{}
		for found.Next() {
			var link, day int64
			var sk []byte
			if err := found.Scan(&link, &day, &sk); err != nil {
				found.Close()
				return struct{}{}, translate("read unique rows", err)
			}
			stored[[2]int64{link, day}] = sk
		}
		if err := found.Close(); err != nil {
			return struct{}{}, translate("read unique rows", err)
		}
		sketches := make([][]byte, len(rows))
		for i, r := range rows {
			if sketches[i], err = hll.Union(stored[[2]int64{int64(r.link), r.day.Unix()}], r.hashes); err != nil {
				return struct{}{}, err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE visit_day v SET uniques = u.s
			FROM unnest($1::date[], $2::bigint[], $3::bigint[], $5::bytea[]) AS u(m, l, d, s)
			WHERE v.link_month = u.m AND v.link_id = u.l AND v.day = to_timestamp(u.d) AND v.slot = $4`,
			months, links, days, slot, pq.ByteaArray(sketches)); err != nil {
			return struct{}{}, translate("write unique rows", err)
		}
		if err := tx.Commit(); err != nil {
			return struct{}{}, translate("commit merge uniques", err)
		}
		return struct{}{}, nil
	})
	return err
}

// dimensionStatsQuery sums the dimension values and gathers the unique-
// visitor sketches of a link's days: rows with a dimension name are
// values, rows without are a day's sketch of one slot. Like
// dayStatsQuery, it reads the partitions of the window's months ($5 to
// $6) and that of the link's creation month ($1).
const dimensionStatsQuery = `
WITH d AS (
    SELECT day, dimensions, uniques FROM visit_day
    WHERE (link_month = $1 OR (link_month >= $5 AND link_month < $6)) AND link_id = $2 AND day >= $3 AND day < $4
)
(SELECT e.key, x.key, sum(x.value::bigint)::bigint, NULL::bigint, NULL::bytea
 FROM d, jsonb_each(d.dimensions) AS e, jsonb_each(e.value) AS x
 GROUP BY e.key, x.key HAVING sum(x.value::bigint) > 0)
UNION ALL
(SELECT NULL, NULL, NULL, extract(epoch FROM day)::bigint, uniques FROM d WHERE uniques IS NOT NULL)`

// dimensionStats adds the dimensions and daily unique visitors of the
// days q's window touches to stats.
func (s *Store) dimensionStats(ctx context.Context, q domain.VisitQuery, stats *domain.VisitStats) error {
	firstDay, lastDay := q.Window.DimensionDays()
	rows, err := s.db.QueryContext(ctx, dimensionStatsQuery, FirstOfMonth(q.LinkCreatedAt).Format(time.DateOnly), int64(q.Link), firstDay, lastDay,
		FirstOfMonth(firstDay).Format(time.DateOnly), FirstOfMonth(lastDay).AddDate(0, 1, 0).Format(time.DateOnly))
	if err != nil {
		return translate("visit dimensions", err)
	}
	defer rows.Close()
	sketches := map[int64][][]byte{}
	for rows.Next() {
		var (
			dim, value *string
			visits     *int64
			day        *int64
			sk         []byte
		)
		if err := rows.Scan(&dim, &value, &visits, &day, &sk); err != nil {
			return translate("read visit dimensions", err)
		}
		if dim == nil {
			sketches[*day] = append(sketches[*day], sk)
			continue
		}
		if d, ok := domain.ParseDimension(*dim); ok {
			stats.Dimensions[d] = append(stats.Dimensions[d], domain.ReferrerCount{Host: *value, Visits: *visits})
		}
	}
	if err := rows.Err(); err != nil {
		return translate("read visit dimensions", err)
	}
	for d := range stats.Dimensions {
		domain.SortReferrers(stats.Dimensions[d])
		if len(stats.Dimensions[d]) > domain.TopReferrers {
			stats.Dimensions[d] = stats.Dimensions[d][:domain.TopReferrers]
		}
	}
	for _, slots := range sketches {
		n, err := hll.Estimate(slots...)
		if err != nil {
			return err
		}
		stats.UniqueVisitors += n
	}
	return nil
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
