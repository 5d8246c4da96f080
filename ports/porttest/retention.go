package porttest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// RetentionStore is a durable store that applies retention.
type RetentionStore interface {
	ports.LinkStore
	ports.VisitStore
	ports.Pruner
}

// partitioned is a store kept in monthly partitions, which the contract
// creates for the months it writes to, as `partitions --ahead` would have.
type partitioned interface {
	EnsurePartitions(ctx context.Context, months []time.Time) ([]string, error)
}

// RetentionFixture is what RetentionContract stored, for a store's own
// test to look further (at its partitions).
type RetentionFixture struct {
	Now time.Time
	// OldMonth holds an expired link and a permanent one; NextMonth only
	// an expired link. OldVisit is a counted hour older than
	// VISIT_RETENTION, NewVisit one within it, both of the permanent link.
	OldMonth, NextMonth, OldVisit, NewVisit time.Time
	Pruned                                  ports.Pruned
}

// RetentionContract checks one Prune run with VISIT_RETENTION of 13
// months: it removes a link that ended 15 months ago (its code stays
// claimed) and keeps a permanent one created in the same month, keeps a
// link that ended within the retention, and drops the permanent link's
// counters of a month older than the retention while keeping its newer
// ones. A second run removes nothing more. It returns what it stored.
func RetentionContract(t *testing.T, s RetentionStore) RetentionFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	f := RetentionFixture{
		Now:       now,
		OldMonth:  thisMonth.AddDate(0, -15, 2).Add(time.Hour),
		NextMonth: thisMonth.AddDate(0, -14, 2).Add(time.Hour),
		OldVisit:  thisMonth.AddDate(0, -14, 5).Add(10 * time.Hour),
		NewVisit:  thisMonth.AddDate(0, -1, 5).Add(10 * time.Hour),
	}
	if p, ok := s.(partitioned); ok {
		if _, err := p.EnsurePartitions(ctx, []time.Time{f.OldMonth, f.NextMonth, f.NewVisit, now}); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(l domain.ShortLink, q domain.CodeQuarantine) domain.ShortLink {
		t.Helper()
		stored, err := s.Insert(ctx, l, q.FreeAfter(l))
		if err != nil {
			t.Fatalf("insert %s: %v", l.Code(), err)
		}
		return stored
	}
	never := domain.CodeQuarantine(0) // the claim outlives everything
	insert(Link("ended-old").Created(f.OldMonth).Expires(f.OldMonth.Add(time.Hour)).OwnedBy("t").Build(), never)
	kept := insert(Link("permanent").Created(f.OldMonth.Add(time.Minute)).Expires(domain.PermanentExpiry).OwnedBy("t").Build(), quarantine)
	insert(Link("ended-recently").Created(f.OldMonth.Add(2*time.Minute)).Expires(now.AddDate(0, -1, 0)).OwnedBy("t").Build(), quarantine)
	insert(Link("ended-next").Created(f.NextMonth).Expires(f.NextMonth.Add(time.Hour)).OwnedBy("t").Build(), quarantine)
	counts := []domain.VisitCounts{
		{Link: kept.ID(), LinkCreatedAt: kept.CreatedAt(), Hour: f.OldVisit, Humans: 3},
		{Link: kept.ID(), LinkCreatedAt: kept.CreatedAt(), Hour: f.NewVisit, Humans: 5, Bots: 1},
	}
	if err := s.AddVisits(ctx, domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: now, Counts: counts}); err != nil {
		t.Fatal(err)
	}

	var err error
	f.Pruned, err = s.Prune(ctx, domain.Retention{VisitMonths: 13}.Cutoffs(now))
	if err != nil || f.Pruned.Links != 2 {
		t.Fatalf("Prune = %+v, %v; want the two links that ended 14 and 15 months ago", f.Pruned, err)
	}
	for _, code := range []domain.Code{"ended-old", "ended-next"} {
		if _, err := s.Find(ctx, code, now); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Find(%s) after the prune = %v, want ErrNotFound", code, err)
		}
	}
	for _, code := range []domain.Code{"permanent", "ended-recently"} {
		if _, err := s.Find(ctx, code, now); err != nil {
			t.Errorf("Find(%s) after the prune = %v, want it kept", code, err)
		}
	}
	again := Link("ended-old").URL("https://phish.example").Created(now).OwnedBy("t").Build()
	if _, err := s.Insert(ctx, again, quarantine.FreeAfter(again)); !errors.Is(err, domain.ErrCodeTaken) {
		t.Errorf("the pruned link's code, claimed for ever, claimed again: %v", err)
	}
	window := domain.VisitWindow{From: f.OldMonth.Truncate(24 * time.Hour), To: now.Add(24 * time.Hour).Truncate(24 * time.Hour), Interval: domain.IntervalDay}
	stats, err := s.VisitStats(ctx, domain.VisitQuery{Link: kept.ID(), LinkCreatedAt: kept.CreatedAt(), Window: window})
	if err != nil || stats.Total() != 6 || len(stats.Series) != 1 || !stats.Series[0].Start.Equal(f.NewVisit.Truncate(24*time.Hour)) {
		t.Errorf("the permanent link's visits after the prune = %+v, %v; want only the 6 of %s", stats.Series, err, f.NewVisit.Format(time.DateOnly))
	}
	if second, err := s.Prune(ctx, domain.Retention{VisitMonths: 13}.Cutoffs(now)); err != nil || second.Links != 0 || len(second.Partitions) != 0 {
		t.Errorf("a second Prune = %+v, %v; want nothing more", second, err)
	}
	return f
}
