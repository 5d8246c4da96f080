//go:build integration

package postgres_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestCreateWorksWithoutPartitionAndPartitionAdoptsRows(t *testing.T) {
	t.Parallel()
	s, db := newStoreAndSQL(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	// A fresh database has no monthly partition: the create must still succeed.
	want := mustInsert(t, s, "early", "https://example.com", now, now.Add(time.Hour))

	all, err := s.EnsurePartitions(ctx, postgres.MonthsAhead(now, 2))
	if err != nil {
		t.Fatal(err)
	}
	names := linkPartitions(all)
	if len(names) != 2 || names[0] != "short_link_"+now.Format("y2006m01") || len(all) != 6 {
		t.Fatalf("partitions = %v, want those of short_link, visit_hour and visit_day for two months", all)
	}
	var where string
	if err := db.GetContext(ctx, &where, `SELECT tableoid::regclass::text FROM short_link WHERE code = 'early'`); err != nil {
		t.Fatal(err)
	}
	if where != names[0] {
		t.Fatalf("row lives in %s, want it moved to %s", where, names[0])
	}
	if got, err := s.Find(ctx, "early", now); err != nil || got != want {
		t.Fatalf("Find after the move = %+v, %v", got, err)
	}
}

func TestEnsurePartitionsIsIdempotentUnderConcurrency(t *testing.T) {
	t.Parallel()
	s, db := newStoreAndSQL(t)
	months := postgres.MonthsAhead(time.Now(), 3)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := s.EnsurePartitions(context.Background(), months); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var count int
	if err := db.GetContext(context.Background(), &count,
		`SELECT count(*) FROM pg_inherits WHERE inhparent = 'short_link'::regclass`); err != nil {
		t.Fatal(err)
	}
	if count != 4 { // three months and the default partition
		t.Fatalf("short_link has %d partitions, want 4", count)
	}
}

// TestRetentionContract: one prune run on Postgres, and the partitions it
// dropped: the month holding only an expired link, and the visit
// counters' months older than VISIT_RETENTION; not the month holding a
// permanent link, nor any month still counting.
func TestRetentionContract(t *testing.T) {
	t.Parallel()
	s, db := newStoreAndSQL(t)
	f := porttest.RetentionContract(t, s)
	// Retention's deletions are not announced: no cache holds such a link.
	var announced int
	if err := db.Get(&announced, `SELECT count(*) FROM change_log WHERE key IN ('ended-old', 'ended-next')`); err != nil || announced != 0 {
		t.Errorf("the change log announced %d pruned links (%v), want none", announced, err)
	}
	month := func(prefix string, t time.Time) string { return prefix + t.Format("y2006m01") }
	dropped := f.Pruned.Partitions
	for _, want := range []string{month("short_link_", f.NextMonth), month("visit_hour_", f.OldMonth), month("visit_day_", f.OldMonth),
		month("visit_hour_", f.NextMonth), month("visit_day_", f.NextMonth)} {
		if !slices.Contains(dropped, want) {
			t.Errorf("dropped %v, want %s among them", dropped, want)
		}
	}
	for _, kept := range []string{month("short_link_", f.OldMonth), month("visit_hour_", f.NewVisit), month("short_link_", f.Now)} {
		if slices.Contains(dropped, kept) {
			t.Errorf("dropped %s, which holds what retention keeps", kept)
		}
	}
}

// TestALookupReadsOnlyItsLinksPartition checks that the lookup, as a
// generic prepared plan, batched or locking one link for an update, reads
// only the partition its code's claim names, however old, of 36 months.
func TestALookupReadsOnlyItsLinksPartition(t *testing.T) {
	t.Parallel()
	s, db := newStoreAndSQL(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	months := make([]time.Time, 36)
	for i := range months {
		months[i] = now.AddDate(0, -i, 0)
	}
	names := linkPartitions(mustEnsure(t, s, months))
	old := months[30].Add(-time.Hour)
	mustInsert(t, s, "abc", "https://example.com/old", old, domain.PermanentExpiry)
	mustInsert(t, s, "def", "https://example.com/new", now, now.Add(time.Hour))
	oldPart, newPart := "short_link_"+old.Format("y2006m01"), "short_link_"+now.Format("y2006m01")
	if len(names) != 36 || !slices.Contains(names, oldPart) || !slices.Contains(names, newPart) {
		t.Fatalf("partitions %v", names)
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range []string{
		`SET plan_cache_mode = force_generic_plan`,
		`PREPARE find_links(text[]) AS ` + postgres.FindQuery,
		`PREPARE lock_link(text[]) AS ` + postgres.FindQuery + ` FOR UPDATE OF l`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	for execute, read := range map[string][]string{
		`EXECUTE find_links('{abc}')`:     {oldPart},
		`EXECUTE find_links('{abc,def}')`: {oldPart, newPart},
		`EXECUTE lock_link('{abc}')`:      {oldPart},
	} {
		var plan []string
		if err := conn.SelectContext(ctx, &plan, `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) `+execute); err != nil {
			t.Fatal(err)
		}
		var scanned []string
		for _, line := range plan {
			if strings.Contains(line, " on short_link_y") && !strings.Contains(line, "never executed") {
				for _, name := range names {
					if strings.Contains(line, " on "+name+" ") {
						scanned = append(scanned, name)
					}
				}
			}
		}
		slices.Sort(scanned)
		slices.Sort(read)
		if !slices.Equal(scanned, read) {
			t.Fatalf("%s read the partitions %v, want %v:\n%s", execute, scanned, read, strings.Join(plan, "\n"))
		}
	}
	for code, want := range map[string]string{"abc": "https://example.com/old", "def": "https://example.com/new"} {
		if got, err := s.Find(ctx, domain.Code(code), now); err != nil || got.URL() != want {
			t.Fatalf("Find(%s) = %+v, %v", code, got, err)
		}
	}
}

func mustEnsure(t *testing.T, s *postgres.Store, months []time.Time) []string {
	t.Helper()
	names, err := s.EnsurePartitions(context.Background(), months)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// linkPartitions are the partitions of short_link among names.
func linkPartitions(names []string) []string {
	var links []string
	for _, name := range names {
		if strings.HasPrefix(name, "short_link_") {
			links = append(links, name)
		}
	}
	return links
}

// TestPruneDropsOldAuditEntries: the audit log is retained like visits.
func TestPruneDropsOldAuditEntries(t *testing.T) {
	t.Parallel()
	s, _ := newStoreAndSQL(t)
	ctx := context.Background()
	jan := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{jan, jan.AddDate(0, 2, 0)} {
		if err := s.RecordAudit(ctx, domain.AuditEntry{At: at, Who: domain.WhoAdmin, Action: domain.AuditLinkDeleted, Target: at.Format("Jan")}); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Prune(ctx, domain.RetentionCutoffs{Now: cutoff, LinksEndedBefore: cutoff, VisitsBefore: cutoff}); err != nil {
		t.Fatal(err)
	}
	left, err := s.ListAudit(ctx, domain.AuditQuery{Scope: domain.WorkspaceScope{All: true}, Limit: 10})
	if err != nil || len(left) != 1 || left[0].Target != "Mar" {
		t.Errorf("audit entries after the prune = %+v, %v; want March's only", left, err)
	}
}
