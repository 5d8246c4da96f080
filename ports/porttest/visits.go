package porttest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// VisitStoreContract runs the visit store contract against fresh stores
// made by newStore. Link ids need no stored link.
func VisitStoreContract(t *testing.T, newStore func(t *testing.T) ports.VisitStore) {
	t.Helper()
	ctx := context.Background()
	// Hours of a fixed day, so windows are plain to read.
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	created := day.Add(-30 * 24 * time.Hour)
	hour := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	counts := func(link domain.LinkID, h int, humans, bots int64, refs ...domain.ReferrerCount) domain.VisitCounts {
		return domain.VisitCounts{Link: link, LinkCreatedAt: created, Hour: hour(h), Humans: humans, Bots: bots, Referrers: refs}
	}
	ref := func(host string, n int64) domain.ReferrerCount { return domain.ReferrerCount{Host: host, Visits: n} }
	batch := func(c ...domain.VisitCounts) domain.VisitBatch {
		return domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: day, Counts: c}
	}
	add := func(t *testing.T, s ports.VisitStore, b domain.VisitBatch) {
		t.Helper()
		if err := s.AddVisits(ctx, b); err != nil {
			t.Fatalf("AddVisits: %v", err)
		}
	}
	stats := func(t *testing.T, s ports.VisitStore, link domain.LinkID, from, to time.Time, interval domain.VisitInterval) domain.VisitStats {
		t.Helper()
		got, err := s.VisitStats(ctx, domain.VisitQuery{Link: link, LinkCreatedAt: created,
			Window: domain.VisitWindow{From: from, To: to, Interval: interval}})
		if err != nil {
			t.Fatalf("VisitStats: %v", err)
		}
		return got
	}
	equal := func(t *testing.T, what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
	bucket := func(start time.Time, humans, bots int64) domain.VisitBucket {
		return domain.VisitBucket{Start: start, Humans: humans, Bots: bots}
	}

	t.Run("no visits: empty stats", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		got := stats(t, s, 1, day, day.Add(24*time.Hour), domain.IntervalHour)
		if len(got.Series) != 0 || len(got.Referrers) != 0 {
			t.Fatalf("stats of a link without visits = %+v", got)
		}
	})

	t.Run("hours and days sum what batches added, per link", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		add(t, s, batch(
			counts(1, 1, 3, 1, ref("direct", 2), ref("t.co", 2)),
			counts(1, 5, 2, 0, ref("t.co", 2)),
			counts(2, 1, 100, 100, ref("direct", 200)),
		))
		add(t, s, batch(counts(1, 5, 1, 2, ref("news.ycombinator.com", 3)), counts(1, 30, 4, 0, ref("direct", 4))))
		got := stats(t, s, 1, day, day.Add(24*time.Hour), domain.IntervalHour)
		equal(t, "hourly series", sorted(got.Series), []domain.VisitBucket{bucket(hour(1), 3, 1), bucket(hour(5), 3, 2)})
		equal(t, "referrers", got.Referrers, []domain.ReferrerCount{ref("t.co", 4), ref("news.ycombinator.com", 3), ref("direct", 2)})
		got = stats(t, s, 1, day, day.Add(48*time.Hour), domain.IntervalDay)
		equal(t, "daily series", sorted(got.Series), []domain.VisitBucket{bucket(day, 6, 3), bucket(day.Add(24*time.Hour), 4, 0)})
		equal(t, "referrers over two days", got.Referrers, []domain.ReferrerCount{ref("direct", 6), ref("t.co", 4), ref("news.ycombinator.com", 3)})
	})

	t.Run("a window takes from its start up to its end", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		add(t, s, batch(counts(1, 0, 1, 0), counts(1, 1, 2, 0), counts(1, 2, 4, 0), counts(1, 3, 8, 0)))
		got := stats(t, s, 1, hour(1), hour(3), domain.IntervalHour)
		equal(t, "series of hours 1 and 2", sorted(got.Series), []domain.VisitBucket{bucket(hour(1), 2, 0), bucket(hour(2), 4, 0)})
	})

	t.Run("a batch is applied once, however often it is sent", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		b := batch(counts(7, 2, 5, 1, ref("direct", 6)))
		for range 3 {
			add(t, s, b)
		}
		got := stats(t, s, 7, day, day.Add(24*time.Hour), domain.IntervalDay)
		equal(t, "series", sorted(got.Series), []domain.VisitBucket{bucket(day, 5, 1)})
		equal(t, "referrers", got.Referrers, []domain.ReferrerCount{ref("direct", 6)})
	})

	t.Run("forgotten batch ids apply again; others stay applied", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		b := batch(counts(8, 2, 1, 0))
		add(t, s, b)
		if err := s.ForgetVisitBatches(ctx, b.Made.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		add(t, s, b)
		equal(t, "after forgetting older ids", sorted(stats(t, s, 8, day, day.Add(24*time.Hour), domain.IntervalDay).Series), []domain.VisitBucket{bucket(day, 1, 0)})
		if err := s.ForgetVisitBatches(ctx, b.Made.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		add(t, s, b)
		equal(t, "after forgetting its id", sorted(stats(t, s, 8, day, day.Add(24*time.Hour), domain.IntervalDay).Series), []domain.VisitBucket{bucket(day, 2, 0)})
	})

	t.Run("referrers are capped per link and hour, the rest counted as other", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		var refs []domain.ReferrerCount
		var total int64
		for i := range 15 {
			refs = append(refs, ref(fmt.Sprintf("h%02d.example", i+1), int64(15-i)))
			total += int64(15 - i)
		}
		add(t, s, batch(counts(9, 4, total, 0, refs...)))
		got := stats(t, s, 9, day, day.Add(24*time.Hour), domain.IntervalHour)
		// h01…h10 kept; h11…h15 (5+4+3+2+1) are other, which ranks with h01.
		want := []domain.ReferrerCount{ref("h01.example", 15), ref("other", 15)}
		for i := 2; i <= 9; i++ {
			want = append(want, ref(fmt.Sprintf("h%02d.example", i), int64(16-i)))
		}
		equal(t, "referrers", got.Referrers, want)
		day := stats(t, s, 9, day, day.Add(24*time.Hour), domain.IntervalDay)
		equal(t, "daily referrers", day.Referrers, want)
	})

	t.Run("concurrent batches add up exactly", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		const writers, each = 8, 5
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					b := batch(counts(10, 3, 1, 1, ref("direct", 1), ref("t.co", 1)), counts(11, (w+i)%4, 1, 0, ref("direct", 1)))
					if err := s.AddVisits(ctx, b); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		got := stats(t, s, 10, day, day.Add(24*time.Hour), domain.IntervalDay)
		equal(t, "series", sorted(got.Series), []domain.VisitBucket{bucket(day, writers*each, writers*each)})
		equal(t, "referrers", got.Referrers, []domain.ReferrerCount{ref("direct", writers*each), ref("t.co", writers*each)})
		var sum int64
		for _, b := range stats(t, s, 11, day, day.Add(24*time.Hour), domain.IntervalHour).Series {
			sum += b.Humans
		}
		equal(t, "link 11 visits", sum, writers*each)
	})
}

func sorted(series []domain.VisitBucket) []domain.VisitBucket {
	series = slices.Clone(series)
	slices.SortFunc(series, func(a, b domain.VisitBucket) int { return a.Start.Compare(b.Start) })
	return series
}
