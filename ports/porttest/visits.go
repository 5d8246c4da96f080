package porttest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// VisitStoreContract runs the visit store contract against fresh stores
// made by newStore, one per rule. Link ids need no stored link.
func VisitStoreContract(t *testing.T, newStore func(t *testing.T) ports.VisitStore) {
	t.Helper()
	runRules(t, visitStoreRules, func(t *testing.T) visitCase { return visitCase{s: newStore(t)} })
}

var visitStoreRules = []rule[visitCase]{
	{"no visits: empty stats", noVisitsMeansEmptyStats},
	{"hours and days sum what batches added, per link", hoursAndDaysSumWhatBatchesAdded},
	{"a window takes from its start up to its end", aWindowTakesFromItsStartUpToItsEnd},
	{"a batch is applied once, however often it is sent", aBatchIsAppliedOnce},
	{"forgotten batch ids apply again; others stay applied", forgottenBatchIDsApplyAgain},
	{"referrers are capped per link and hour, the rest counted as other", referrersAreCappedPerLinkAndHour},
	{"a host named late takes its visits back from other", aHostNamedLateTakesItsVisitsBackFromOther},
	{"concurrent batches add up exactly", concurrentBatchesAddUpExactly},
	{"dimensions are summed per link over the window's days, capped", dimensionsAreSummedPerDay},
	{"unique visitors merge by union: retries and replicas count a visitor once", uniqueVisitorsMergeByUnion},
}

func dimensionsAreSummedPerDay(t *testing.T, c visitCase) {
	a := visits(1, 1, 3, 1)
	a.Dimensions[domain.DimCountry] = []domain.ReferrerCount{ref("DE", 3), ref("US", 1)}
	a.Dimensions[domain.DimUTMCampaign] = []domain.ReferrerCount{ref("spring \"sale\" ü", 2), ref("none", 2)}
	b := visits(1, 5, 2, 0)
	b.Dimensions[domain.DimCountry] = []domain.ReferrerCount{ref("DE", 1), ref("JP", 1)}
	b.Dimensions[domain.DimUTMCampaign] = []domain.ReferrerCount{ref("none", 2)}
	other := visits(2, 5, 9, 0)
	other.Dimensions[domain.DimCountry] = []domain.ReferrerCount{ref("FR", 9)}
	c.add(t, visitBatch(a, other))
	c.add(t, visitBatch(b))
	// An hourly window of one hour reads the whole day's dimensions.
	for _, got := range []domain.VisitStats{c.dayStats(t, 1, domain.IntervalDay), c.stats(t, 1, visitHour(1), visitHour(2), domain.IntervalHour)} {
		expectEqual(t, "countries", []domain.ReferrerCount{ref("DE", 4), ref("JP", 1), ref("US", 1)}, got.Dimensions[domain.DimCountry])
		expectEqual(t, "campaigns", []domain.ReferrerCount{ref("none", 4), ref("spring \"sale\" ü", 2)}, got.Dimensions[domain.DimUTMCampaign])
		expectEqual(t, "devices", []domain.ReferrerCount(nil), got.Dimensions[domain.DimDevice])
	}
	many := visits(3, 2, 30, 0)
	for i := range 30 {
		many.Dimensions[domain.DimUTMSource] = append(many.Dimensions[domain.DimUTMSource], ref(fmt.Sprintf("src-%02d", i), 1))
	}
	c.add(t, visitBatch(many))
	if got := c.dayStats(t, 3, domain.IntervalDay).Dimensions[domain.DimUTMSource]; len(got) != domain.TopReferrers {
		t.Fatalf("%d sources listed, want the top %d", len(got), domain.TopReferrers)
	}
}

func uniqueVisitorsMergeByUnion(t *testing.T, c visitCase) {
	ctx := context.Background()
	hashes := func(from, to int) []uint64 {
		var hs []uint64
		for i := from; i < to; i++ {
			hs = append(hs, uint64(i)*0x9E3779B97F4A7C15)
		}
		return hs
	}
	first := visits(1, 1, 100, 0)
	first.Uniques = hashes(0, 100)
	second := visits(1, 7, 100, 0) // another replica, later that day, 50 of the same visitors
	second.Uniques = hashes(50, 150)
	nextDay := visits(1, 24+3, 10, 0)
	nextDay.Uniques = hashes(0, 10) // a new day's key would hash them anew; here the same hashes count again
	b1, b2, b3 := visitBatch(first), visitBatch(second), visitBatch(nextDay)
	for _, b := range []domain.VisitBatch{b1, b1, b2, b3, b2} { // retries merge again
		c.add(t, b)
		if err := c.s.MergeUniques(ctx, b); err != nil {
			t.Fatalf("MergeUniques: %v", err)
		}
	}
	if got := c.dayStats(t, 1, domain.IntervalDay).UniqueVisitors; got != 150 {
		t.Fatalf("%d unique visitors on the day, want 150", got)
	}
	if got := c.stats(t, 1, visitDay, visitDay.Add(48*time.Hour), domain.IntervalDay).UniqueVisitors; got != 160 {
		t.Fatalf("%d daily unique visitors over two days, want 150 + 10", got)
	}
	if got := c.dayStats(t, 2, domain.IntervalDay).UniqueVisitors; got != 0 {
		t.Fatalf("another link has %d unique visitors, want 0", got)
	}
}

// The contract's visits fall on the hours of a fixed day, so windows are
// plain to read, of links created a month before.
var (
	visitDay     = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	visitCreated = visitDay.Add(-30 * 24 * time.Hour)
)

// visitCase is one rule's fresh store.
type visitCase struct{ s ports.VisitStore }

func visitHour(h int) time.Time { return visitDay.Add(time.Duration(h) * time.Hour) }

func visits(link domain.LinkID, h int, humans, bots int64, refs ...domain.ReferrerCount) domain.VisitCounts {
	return domain.VisitCounts{Link: link, LinkCreatedAt: visitCreated, Hour: visitHour(h), Humans: humans, Bots: bots, Referrers: refs}
}

func ref(host string, n int64) domain.ReferrerCount {
	return domain.ReferrerCount{Host: host, Visits: n}
}

func bucket(start time.Time, humans, bots int64) domain.VisitBucket {
	return domain.VisitBucket{Start: start, Humans: humans, Bots: bots}
}

func visitBatch(counts ...domain.VisitCounts) domain.VisitBatch {
	return domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: visitDay, Counts: counts}
}

func (c visitCase) add(t *testing.T, b domain.VisitBatch) {
	t.Helper()
	if err := c.s.AddVisits(context.Background(), b); err != nil {
		t.Fatalf("AddVisits: %v", err)
	}
}

func (c visitCase) forget(t *testing.T, before time.Time) {
	t.Helper()
	if err := c.s.ForgetVisitBatches(context.Background(), before); err != nil {
		t.Fatalf("ForgetVisitBatches: %v", err)
	}
}

// stats reads link's stats from from to to; their series sorted by start.
func (c visitCase) stats(t *testing.T, link domain.LinkID, from, to time.Time, interval domain.VisitInterval) domain.VisitStats {
	t.Helper()
	got, err := c.s.VisitStats(context.Background(), domain.VisitQuery{Link: link, LinkCreatedAt: visitCreated,
		Window: domain.VisitWindow{From: from, To: to, Interval: interval}})
	if err != nil {
		t.Fatalf("VisitStats: %v", err)
	}
	got.Series = slices.SortedFunc(slices.Values(got.Series), func(a, b domain.VisitBucket) int { return a.Start.Compare(b.Start) })
	return got
}

// dayStats are link's stats of the contract's day, by interval.
func (c visitCase) dayStats(t *testing.T, link domain.LinkID, interval domain.VisitInterval) domain.VisitStats {
	t.Helper()
	return c.stats(t, link, visitDay, visitDay.Add(24*time.Hour), interval)
}

// expectEqual fails the test unless got is want; an empty slice is none.
func expectEqual[T any](t *testing.T, what string, want, got T) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

func noVisitsMeansEmptyStats(t *testing.T, c visitCase) {
	got := c.dayStats(t, 1, domain.IntervalHour)
	expectEqual(t, "series", []domain.VisitBucket(nil), got.Series)
	expectEqual(t, "referrers", []domain.ReferrerCount(nil), got.Referrers)
}

func hoursAndDaysSumWhatBatchesAdded(t *testing.T, c visitCase) {
	c.add(t, visitBatch(
		visits(1, 1, 3, 1, ref("direct", 2), ref("t.co", 2)),
		visits(1, 5, 2, 0, ref("t.co", 2)),
		visits(2, 1, 100, 100, ref("direct", 200)),
	))
	c.add(t, visitBatch(visits(1, 5, 1, 2, ref("news.ycombinator.com", 3)), visits(1, 30, 4, 0, ref("direct", 4))))
	got := c.dayStats(t, 1, domain.IntervalHour)
	expectEqual(t, "hourly series", []domain.VisitBucket{bucket(visitHour(1), 3, 1), bucket(visitHour(5), 3, 2)}, got.Series)
	expectEqual(t, "referrers", []domain.ReferrerCount{ref("t.co", 4), ref("news.ycombinator.com", 3), ref("direct", 2)}, got.Referrers)
	got = c.stats(t, 1, visitDay, visitDay.Add(48*time.Hour), domain.IntervalDay)
	expectEqual(t, "daily series", []domain.VisitBucket{bucket(visitDay, 6, 3), bucket(visitDay.Add(24*time.Hour), 4, 0)}, got.Series)
	expectEqual(t, "referrers over two days", []domain.ReferrerCount{ref("direct", 6), ref("t.co", 4), ref("news.ycombinator.com", 3)}, got.Referrers)
}

func aWindowTakesFromItsStartUpToItsEnd(t *testing.T, c visitCase) {
	c.add(t, visitBatch(visits(1, 0, 1, 0), visits(1, 1, 2, 0), visits(1, 2, 4, 0), visits(1, 3, 8, 0)))
	got := c.stats(t, 1, visitHour(1), visitHour(3), domain.IntervalHour)
	expectEqual(t, "series of hours 1 and 2", []domain.VisitBucket{bucket(visitHour(1), 2, 0), bucket(visitHour(2), 4, 0)}, got.Series)
}

func aBatchIsAppliedOnce(t *testing.T, c visitCase) {
	b := visitBatch(visits(7, 2, 5, 1, ref("direct", 6)))
	for range 3 {
		c.add(t, b)
	}
	got := c.dayStats(t, 7, domain.IntervalDay)
	expectEqual(t, "series", []domain.VisitBucket{bucket(visitDay, 5, 1)}, got.Series)
	expectEqual(t, "referrers", []domain.ReferrerCount{ref("direct", 6)}, got.Referrers)
}

func forgottenBatchIDsApplyAgain(t *testing.T, c visitCase) {
	b := visitBatch(visits(8, 2, 1, 0))
	c.add(t, b)
	c.forget(t, b.Made.Add(-time.Second))
	c.add(t, b)
	expectEqual(t, "after forgetting older ids", []domain.VisitBucket{bucket(visitDay, 1, 0)}, c.dayStats(t, 8, domain.IntervalDay).Series)
	c.forget(t, b.Made.Add(time.Second))
	c.add(t, b)
	expectEqual(t, "after forgetting its id", []domain.VisitBucket{bucket(visitDay, 2, 0)}, c.dayStats(t, 8, domain.IntervalDay).Series)
}

func referrersAreCappedPerLinkAndHour(t *testing.T, c visitCase) {
	var refs []domain.ReferrerCount
	var total int64
	for i := range 15 {
		refs = append(refs, ref(fmt.Sprintf("h%02d.example", i+1), int64(15-i)))
		total += int64(15 - i)
	}
	c.add(t, visitBatch(visits(9, 4, total, 0, refs...)))
	// h01…h10 kept; h11…h15 (5+4+3+2+1) are other, which ranks with h01.
	want := []domain.ReferrerCount{ref("h01.example", 15), ref("other", 15)}
	for i := 2; i <= 9; i++ {
		want = append(want, ref(fmt.Sprintf("h%02d.example", i), int64(16-i)))
	}
	expectEqual(t, "hourly referrers", want, c.dayStats(t, 9, domain.IntervalHour).Referrers)
	expectEqual(t, "daily referrers", want, c.dayStats(t, 9, domain.IntervalDay).Referrers)
}

// aHostNamedLateTakesItsVisitsBackFromOther: a recorder names a referrer
// host once it ranks among the top, with every visit of the hour, the
// earlier ones counted as other by earlier batches; that batch's other is
// negative. Summed, other is what no host was named for, and none when
// that is nothing, whichever rows the batches went to.
func aHostNamedLateTakesItsVisitsBackFromOther(t *testing.T, c visitCase) {
	c.add(t, visitBatch(visits(12, 2, 10, 0, ref("early.example", 5), ref("other", 5))))
	// This batch spans two hours of the day: its day row sums them.
	c.add(t, visitBatch(visits(12, 2, 3, 0, ref("late.example", 8), ref("other", -5)), visits(12, 3, 1, 0, ref("t.co", 1))))
	want := []domain.ReferrerCount{ref("late.example", 8), ref("early.example", 5), ref("t.co", 1)}
	expectEqual(t, "hourly referrers", want, c.dayStats(t, 12, domain.IntervalHour).Referrers)
	expectEqual(t, "daily referrers", want, c.dayStats(t, 12, domain.IntervalDay).Referrers)
	c.add(t, visitBatch(visits(12, 2, 2, 0, ref("other", 2))))
	want = []domain.ReferrerCount{ref("late.example", 8), ref("early.example", 5), ref("other", 2), ref("t.co", 1)}
	expectEqual(t, "daily referrers with other", want, c.dayStats(t, 12, domain.IntervalDay).Referrers)
}

func concurrentBatchesAddUpExactly(t *testing.T, c visitCase) {
	const writers, each = 8, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				b := visitBatch(visits(10, 3, 1, 1, ref("direct", 1), ref("t.co", 1)), visits(11, (w+i)%4, 1, 0, ref("direct", 1)))
				if err := c.s.AddVisits(context.Background(), b); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got := c.dayStats(t, 10, domain.IntervalDay)
	expectEqual(t, "series", []domain.VisitBucket{bucket(visitDay, writers*each, writers*each)}, got.Series)
	expectEqual(t, "referrers", []domain.ReferrerCount{ref("direct", writers*each), ref("t.co", writers*each)}, got.Referrers)
	var sum int64
	for _, b := range c.dayStats(t, 11, domain.IntervalHour).Series {
		sum += b.Humans
	}
	expectEqual(t, "link 11 visits", int64(writers*each), sum)
}
