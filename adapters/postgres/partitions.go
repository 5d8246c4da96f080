package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// EnsurePartitions creates the monthly partitions of the given months (any
// instant within each month, read in UTC), of the links and of their visit
// counters, and returns their names. Safe to run at any time and from
// several processes at once.
func (s *Store) EnsurePartitions(ctx context.Context, months []time.Time) ([]string, error) {
	names := make([]string, 0, len(months))
	for _, month := range months {
		var name string
		first := FirstOfMonth(month)
		if err := s.db.GetContext(ctx, &name, `SELECT create_short_link_partition($1::date)`, first.Format(time.DateOnly)); err != nil {
			return names, translate("create partition "+first.Format("2006-01"), err)
		}
		names = append(names, name)
		var visits pq.StringArray
		if err := s.db.GetContext(ctx, &visits, `SELECT create_visit_partitions($1::date)`, first.Format(time.DateOnly)); err != nil {
			return names, translate("create visit partitions "+first.Format("2006-01"), err)
		}
		names = append(names, visits...)
	}
	return names, nil
}

// partitionedTables are the tables partitioned by month that retention
// drops together: links, and the visit counters of the links of each month.
var partitionedTables = []string{"short_link", "visit_hour", "visit_day"}

// DropPartitionsBefore drops every monthly partition whose month ended by
// cutoff, of the links and of their visit counters, and deletes the audit
// entries from before cutoff (the audit log is retained like visits). With
// cutoff = now − MAX_TTL, every link in them has expired.
func (s *Store) DropPartitionsBefore(ctx context.Context, cutoff time.Time) ([]string, error) {
	var names []string
	for _, table := range partitionedTables {
		var more []string
		err := s.db.SelectContext(ctx, &more, `
			SELECT c.relname FROM pg_inherits i
			JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = $1::regclass AND c.relname ~ ('^' || $1 || '_y[0-9]{4}m[0-9]{2}$')
			ORDER BY c.relname`, table)
		if err != nil {
			return nil, translate("list partitions of "+table, err)
		}
		names = append(names, more...)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM audit_log WHERE at < $1`, cutoff); err != nil {
		return nil, translate("prune audit log", err)
	}
	var dropped []string
	for _, name := range names {
		month, err := time.Parse("y2006m01", name[len(name)-len("y2006m01"):])
		if err != nil {
			return dropped, fmt.Errorf("partition name %q: %w", name, err)
		}
		if month.AddDate(0, 1, 0).After(cutoff) {
			continue
		}
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`DROP TABLE %q`, name)); err != nil {
			return dropped, translate("drop partition "+name, err)
		}
		dropped = append(dropped, name)
	}
	return dropped, nil
}

// FirstOfMonth returns midnight UTC of the first day of t's month.
func FirstOfMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// MonthsAhead returns the first days of the month of now and the next n−1 months.
func MonthsAhead(now time.Time, n int) []time.Time {
	months := make([]time.Time, n)
	for i := range months {
		months[i] = FirstOfMonth(now).AddDate(0, i, 0)
	}
	return months
}
