package bolt_test

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

const statsAdminKey = "stats-admin-key-0123456789"

// TestStatsEmbedded runs the visit counting and stats contract against the
// embedded store.
func TestStatsEmbedded(t *testing.T) {
	t.Parallel()
	httpsuite.RunStats(t, func(t *testing.T) httpsuite.Env {
		store := openStore(t, tempDB(t))
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
			Configure: func(cfg *config.Config) { cfg.AdminKeys = []string{statsAdminKey} },
		})
	}, statsAdminKey)
}

// TestSweepDropsVisitsWithTheirLinks: retention removes a link's counters
// with the link, and keeps those of links it keeps.
func TestSweepDropsVisitsWithTheirLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t, tempDB(t))
	s.SetSweepChunk(2)
	now := time.Now().UTC().Truncate(time.Microsecond)
	old, err := s.Insert(ctx, porttest.Link("old").URL("https://example.com/old").Created(now.AddDate(-2, 0, 0)).Expires(now.AddDate(-1, -11, 0)).OwnedBy("token").Build(), now)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := s.Insert(ctx, porttest.Link("new").URL("https://example.com/new").Created(now).OwnedBy("token").Build(), now)
	if err != nil {
		t.Fatal(err)
	}
	hour := now.Truncate(time.Hour)
	var counts []domain.VisitCounts
	for i := range 5 {
		for _, l := range []domain.ShortLink{old, kept} {
			counts = append(counts, domain.VisitCounts{Link: l.ID(), LinkCreatedAt: l.CreatedAt(), Hour: hour.Add(-time.Duration(i) * time.Hour), Humans: 1})
		}
	}
	if err := s.AddVisits(ctx, domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: now, Counts: counts}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx, now.AddDate(-1, 0, 0), now); err != nil {
		t.Fatal(err)
	}
	window := domain.VisitWindow{From: hour.Add(-24 * time.Hour).Truncate(24 * time.Hour), To: hour.Add(48 * time.Hour).Truncate(24 * time.Hour), Interval: domain.IntervalDay}
	for _, tc := range []struct {
		link domain.ShortLink
		want int64
	}{{old, 0}, {kept, 5}} {
		got, err := s.VisitStats(ctx, domain.VisitQuery{Link: tc.link.ID(), LinkCreatedAt: tc.link.CreatedAt(), Window: window})
		if err != nil || got.Total() != tc.want {
			t.Fatalf("visits of %s after the sweep = %d (%v), want %d", tc.link.Code(), got.Total(), err, tc.want)
		}
	}
}
