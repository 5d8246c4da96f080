package app_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// mergeLog keeps what each MergeUniques was given (copied: the batch's
// arrays are the flusher's once the call returns).
type mergeLog struct {
	discardVisits
	batches [][]domain.VisitCounts
}

func (m *mergeLog) MergeUniques(_ context.Context, b domain.VisitBatch) error {
	var counts []domain.VisitCounts
	for _, c := range b.Counts {
		c.Uniques = append([]uint64(nil), c.Uniques...)
		counts = append(counts, c)
	}
	m.batches = append(m.batches, counts)
	return nil
}

// TestVisitorHashesAreGatheredPerLinkAndDay: the hashes of many flushes
// reach MergeUniques as one entry per link and day, every hash kept, not
// one entry per flush.
func TestVisitorHashesAreGatheredPerLinkAndDay(t *testing.T) {
	t.Parallel()
	clock := &movableClock{t: now}
	rec := app.NewVisitRecorder(clock, &uaBots{}, 100).CountUniques()
	if err := rec.RefreshKey(context.Background(), dayKey, now); err != nil {
		t.Fatal(err)
	}
	store := &mergeLog{}
	flusher := app.NewVisitFlusher(rec, store, clock, time.Hour, quietLog)
	flusher.UniquesEvery = time.Hour // merged only by the last Flush
	const flushes, links = 5, 3
	for f := range flushes {
		for l := range links {
			for v := range 4 {
				addr := netip.AddrFrom4([4]byte{10, byte(f), byte(l), byte(v)})
				rec.RecordVisit(domain.LinkID(l+1), now, app.Hit{UserAgent: "phone", Addr: addr})
			}
		}
		clock.Set(now.Add(time.Duration(f+1) * time.Minute)) // the same hour and day
		if f < flushes-1 {
			if err := flusher.FlushDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustFlush(t, flusher)
	if len(store.batches) != 1 {
		t.Fatalf("%d merges, want 1", len(store.batches))
	}
	byLink := map[domain.LinkID]map[uint64]bool{}
	for _, c := range store.batches[0] {
		if byLink[c.Link] != nil {
			t.Errorf("link %d: a second entry for its day", c.Link)
			continue
		}
		byLink[c.Link] = map[uint64]bool{}
		for _, h := range c.Uniques {
			byLink[c.Link][h] = true
		}
	}
	for l := range links {
		if got := len(byLink[domain.LinkID(l+1)]); got != flushes*4 {
			t.Errorf("link %d: %d distinct visitor hashes, want %d", l+1, got, flushes*4)
		}
	}
}

// TestFlushReusesItsBatch: once warm, a flush lays its batch out in the
// arrays of the last one: writing the counts of 200 keys, every dimension
// counted, allocates a few small objects (9 here: the held batch, the
// write's context and timer…), not the batch again (18 before: its array
// grown key by key, its values' array).
func TestFlushReusesItsBatch(t *testing.T) {
	clock := &movableClock{t: now}
	// Without visitor hashes: gathering them for the next merge grows
	// each link and day's list, by design.
	rec := app.NewVisitRecorder(clock, &uaBots{}, 1000).Locate(geoMap{germany: "DE", japan: "JP", usa: "US"})
	flusher := app.NewVisitFlusher(rec, discardVisits{}, clock, time.Hour, quietLog)
	addrs := []netip.Addr{germany, japan, usa}
	round := func() {
		for i := range 600 {
			rec.RecordVisit(domain.LinkID(i%200), now, app.Hit{UserAgent: []string{"phone", "desktop", "bot"}[i%3], Addr: addrs[i%3],
				Referer: "https://t.co/x", RawQuery: "utm_source=news"})
		}
		if err := flusher.FlushDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	round()
	round()
	// Recording allocates nothing once the keys exist; what is left is
	// the flush's own: the held batch, the write's context and timer.
	if allocs := testing.AllocsPerRun(20, round); allocs > 12 {
		t.Errorf("%.0f allocations per 600 visits and a flush of 200 keys, want ≤ 12 (the batch's arrays reused)", allocs)
	}
}

// geoMap places the addresses of its map without allocating (world's
// lookup formats the address).
type geoMap map[netip.Addr]string

func (g geoMap) Country(addr netip.Addr) string {
	if c, ok := g[addr]; ok {
		return c
	}
	return domain.CountryUnknown
}

// vocabularyBots names a browser family per user agent: more families than
// the recorder keeps codes for.
type vocabularyBots struct{}

func (vocabularyBots) IsBot(string) bool { return false }
func (vocabularyBots) Agent(ua string) domain.UserAgent {
	return domain.UserAgent{Device: domain.DeviceDesktop, Browser: ua, OS: "Linux"}
}

// TestBrowsersPastTheVocabularyAreOther: a parser naming more families
// than the recorder codes counts the rest as other; every visit is still
// counted once in the dimension.
func TestBrowsersPastTheVocabularyAreOther(t *testing.T) {
	t.Parallel()
	clock := &movableClock{t: now}
	rec := app.NewVisitRecorder(clock, vocabularyBots{}, 100)
	ledger := newLedger()
	flusher := app.NewVisitFlusher(rec, ledger, clock, time.Hour, quietLog)
	const families = 400
	for i := range families {
		rec.RecordVisit(1, now, app.Hit{UserAgent: fmt.Sprintf("browser-%03d", i)})
		rec.RecordVisit(1, now, app.Hit{UserAgent: "browser-000"}) // the most counted
	}
	mustFlush(t, flusher)
	var sum int64
	for k, n := range ledger.dims {
		if k.dim == domain.DimBrowser {
			sum += n
		}
	}
	if sum != 2*families {
		t.Errorf("browser dimension sums to %d, want %d", sum, 2*families)
	}
	if got := ledger.dims[dimValue{domain.DimBrowser, "browser-000"}]; got != families+1 {
		t.Errorf("browser-000: %d visits, want %d", got, families+1)
	}
}
