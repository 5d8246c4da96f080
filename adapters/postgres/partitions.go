package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
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

// pruneBatch is how many links one statement of Prune deletes, so no
// statement holds many row locks or runs long.
const pruneBatch = 5000

// partitionSlack is how long after its month ended a link partition may
// be dropped: no api's clock is that far behind, so none still inserts
// into it.
const partitionSlack = 24 * time.Hour

var _ ports.Pruner = (*Store)(nil)

// Prune implements ports.Pruner: expired links are deleted in batches
// (their codes' claims stay in code_claim), then the monthly partitions of
// short_link left empty are dropped, one transaction each, and the visit
// counters' partitions of months before c.VisitsBefore. The counters are
// partitioned by the month of the visit, so a link that lives on never
// keeps its old months' counters.
func (s *Store) Prune(ctx context.Context, c domain.RetentionCutoffs) (ports.Pruned, error) {
	var out ports.Pruned
	for {
		n, err := s.deleteEndedLinks(ctx, c.LinksEndedBefore)
		if err != nil {
			return out, err
		}
		out.Links += n
		if n < pruneBatch {
			break
		}
	}
	// The audit log is retained like visits.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM audit_log WHERE at < $1`, c.VisitsBefore); err != nil {
		return out, translate("prune audit log", err)
	}
	links, err := s.monthlyPartitions(ctx, "short_link")
	if err != nil {
		return out, err
	}
	for _, p := range links {
		if p.month.AddDate(0, 1, 0).Add(partitionSlack).After(c.Now) {
			continue // its month is not over everywhere yet
		}
		dropped, err := s.dropIfEmpty(ctx, "short_link", p.name)
		if err != nil {
			return out, err
		}
		if dropped {
			out.Partitions = append(out.Partitions, p.name)
		}
	}
	for _, table := range []string{"visit_hour", "visit_day"} {
		parts, err := s.monthlyPartitions(ctx, table)
		if err != nil {
			return out, err
		}
		for _, p := range parts {
			if p.month.AddDate(0, 1, 0).After(c.VisitsBefore) {
				continue
			}
			if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`DROP TABLE %q`, p.name)); err != nil {
				return out, translate("drop partition "+p.name, err)
			}
			out.Partitions = append(out.Partitions, p.name)
		}
		// Rows of months that had no partition yet.
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %q WHERE link_month < $1`, table+"_default"),
			c.VisitsBefore.Format(time.DateOnly)); err != nil {
			return out, translate("prune "+table+"_default", err)
		}
	}
	return out, nil
}

// deleteEndedLinks deletes up to pruneBatch links that ended before
// before, in one transaction that tells the change log's trigger not to
// announce them (no cache holds a link that ended so long ago).
func (s *Store) deleteEndedLinks(ctx context.Context, before time.Time) (int, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, translate("begin prune", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SET LOCAL shortlink.pruning = 'on'`); err != nil {
		return 0, translate("prune", err)
	}
	res, err := tx.ExecContext(ctx, `
		DELETE FROM short_link WHERE (code, created_at) IN (
			SELECT code, created_at FROM short_link WHERE expires_at < $1 LIMIT $2)`, before, pruneBatch)
	if err != nil {
		return 0, translate("delete ended links", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, translate("delete ended links", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, translate("commit prune", err)
	}
	return int(n), nil
}

// monthlyPartition is one month's partition of a table.
type monthlyPartition struct {
	name  string
	month time.Time
}

// monthlyPartitions lists table's monthly partitions, oldest first.
func (s *Store) monthlyPartitions(ctx context.Context, table string) ([]monthlyPartition, error) {
	var names []string
	err := s.db.SelectContext(ctx, &names, `
		SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::regclass AND c.relname ~ ('^' || $1 || '_y[0-9]{4}m[0-9]{2}$')
		ORDER BY c.relname`, table)
	if err != nil {
		return nil, translate("list partitions of "+table, err)
	}
	parts := make([]monthlyPartition, 0, len(names))
	for _, name := range names {
		month, err := time.Parse("y2006m01", name[len(name)-len("y2006m01"):])
		if err != nil {
			return nil, fmt.Errorf("partition name %q: %w", name, err)
		}
		parts = append(parts, monthlyPartition{name: name, month: month})
	}
	return parts, nil
}

// dropIfEmpty drops partition of parent if it holds no row, in one
// transaction that locks the parent first (the order every statement on
// the table takes), so nothing can slip in between the check and the drop.
func (s *Store) dropIfEmpty(ctx context.Context, parent, partition string) (bool, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, translate("begin drop", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		return false, translate("drop "+partition, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`LOCK TABLE %q, %q IN ACCESS EXCLUSIVE MODE`, parent, partition)); err != nil {
		return false, translate("lock "+partition, err)
	}
	var live bool
	if err := tx.GetContext(ctx, &live, fmt.Sprintf(`SELECT EXISTS (SELECT FROM %q)`, partition)); err != nil {
		return false, translate("look into "+partition, err)
	}
	if live {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DROP TABLE %q`, partition)); err != nil {
		return false, translate("drop partition "+partition, err)
	}
	if err := tx.Commit(); err != nil {
		return false, translate("commit drop "+partition, err)
	}
	return true, nil
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
