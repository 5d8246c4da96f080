package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// geoByAddr places the addresses of its map, and no others.
type geoByAddr map[string]string

func (g geoByAddr) Country(addr netip.Addr) string {
	if c, ok := g[addr.String()]; ok {
		return c
	}
	return domain.CountryUnknown
}

// fixedKeys hands out one key for every day, or an error.
type fixedKeys struct {
	key []byte
	err error
}

func (k fixedKeys) DayKey(context.Context, time.Time) ([]byte, error) { return k.key, k.err }

var (
	germany = netip.MustParseAddr("193.99.144.80")
	japan   = netip.MustParseAddr("133.242.0.1")
	usa     = netip.MustParseAddr("8.8.8.8")
	world   = geoByAddr{germany.String(): "DE", japan.String(): "JP", usa.String(): "US"}
	dayKey  = fixedKeys{key: make([]byte, domain.VisitorKeySize)}
)

// TestWithoutDimensionsCountsHumansBotsAndReferrersOnly: VISIT_DIMENSIONS
// off (the default) leaves every dimension empty, not all "other".
func TestWithoutDimensionsCountsHumansBotsAndReferrersOnly(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(100)
	rec.Locate(world).WithoutDimensions()
	rec.RecordVisit(1, now, app.Hit{UserAgent: "phone", Addr: germany, RawQuery: "utm_source=news", Referer: "https://t.co/x"})
	rec.RecordVisit(1, now, app.Hit{UserAgent: "bot", Addr: usa})
	mustFlush(t, flusher)
	if ledger.humans[1] != 1 || ledger.bots[1] != 1 || ledger.refs["t.co"] != 1 {
		t.Errorf("humans %d, bots %d, t.co %d; want 1 each", ledger.humans[1], ledger.bots[1], ledger.refs["t.co"])
	}
	for k, n := range ledger.dims {
		if n != 0 {
			t.Errorf("%s=%s: %d visits, want no dimension counted", k.dim, k.value, n)
		}
	}
}

func TestDimensionsAreCounted(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(100)
	rec.Locate(world).CountUniques()
	if err := rec.RefreshKey(context.Background(), dayKey, now); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		rec.RecordVisit(1, now, app.Hit{UserAgent: "phone", Addr: germany, RawQuery: "utm_source=news&utm_campaign=spring%20sale"})
	}
	rec.RecordVisit(1, now, app.Hit{UserAgent: "Mozilla/5.0", Addr: japan, RawQuery: "utm_source=mail&utm_medium=email"})
	rec.RecordVisit(1, now, app.Hit{UserAgent: "bot", Addr: usa})
	rec.RecordVisit(1, now, app.Hit{Head: true, UserAgent: "phone", Addr: netip.MustParseAddr("10.0.0.1")})
	mustFlush(t, flusher)
	want := map[dimValue]int64{
		{domain.DimCountry, "DE"}: 3, {domain.DimCountry, "JP"}: 1, {domain.DimCountry, "US"}: 1, {domain.DimCountry, "XX"}: 1,
		{domain.DimDevice, "mobile"}: 3, {domain.DimDevice, "desktop"}: 1, {domain.DimDevice, "bot"}: 2,
		{domain.DimBrowser, "Safari"}: 4, {domain.DimBrowser, "Firefox"}: 1, {domain.DimBrowser, "other"}: 1,
		{domain.DimOS, "iOS"}: 4, {domain.DimOS, "Linux"}: 1, {domain.DimOS, "other"}: 1,
		{domain.DimUTMSource, "news"}: 3, {domain.DimUTMSource, "mail"}: 1, {domain.DimUTMSource, "none"}: 2,
		{domain.DimUTMMedium, "email"}: 1, {domain.DimUTMMedium, "none"}: 5,
		{domain.DimUTMCampaign, "spring sale"}: 3, {domain.DimUTMCampaign, "none"}: 3,
	}
	checkDims(t, ledger.dims, want)
	// Humans only, each (address, agent) once: Germany's phone, Japan's desktop.
	if len(ledger.uniques) != 2 {
		t.Errorf("%d visitor hashes merged, want 2", len(ledger.uniques))
	}
}

func TestNoKeyMeansNoUniquesButVisits(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(100)
	rec.CountUniques()
	if err := rec.RefreshKey(context.Background(), fixedKeys{err: errors.New("redis down")}, now); err == nil {
		t.Fatal("a failing key source gave a key")
	}
	rec.RecordVisit(1, now, app.Hit{UserAgent: "phone", Addr: germany})
	mustFlush(t, flusher)
	if h, _ := ledger.total(); h != 1 || len(ledger.uniques) != 0 {
		t.Fatalf("%d humans, %d visitor hashes; want the visit and no hash", h, len(ledger.uniques))
	}
}

// TestOneVisitorOnTwoReplicasIsOne: two apis sharing the day's key count
// one visitor seen 1,000 times by each (and a retried merge) as one.
func TestOneVisitorOnTwoReplicasIsOne(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	keys := memory.NewVisitorKeys()
	for range 2 {
		clock := &movableClock{t: now}
		rec := app.NewVisitRecorder(clock, &uaBots{}, 100).CountUniques()
		flusher := app.NewVisitFlusher(rec, store, clock, time.Hour, quietLog)
		if err := rec.RefreshKey(context.Background(), keys, now); err != nil {
			t.Fatal(err)
		}
		for range 1000 {
			rec.RecordVisit(1, now, app.Hit{UserAgent: "phone", Addr: germany})
		}
		mustFlush(t, flusher)
	}
	w := domain.VisitWindow{From: domain.DayOf(now), To: domain.DayOf(now).Add(24 * time.Hour), Interval: domain.IntervalDay}
	stats, err := store.VisitStats(context.Background(), domain.VisitQuery{Link: 1, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if stats.UniqueVisitors != 1 || stats.Humans() != 2000 {
		t.Fatalf("%d unique visitors of %d visits, want 1 of 2000", stats.UniqueVisitors, stats.Humans())
	}
}

// TestPastDaysKeyIsGone: a new day brings a new key, and the old one is
// neither held by the recorder nor by the key source.
func TestPastDaysKeyIsGone(t *testing.T) {
	t.Parallel()
	keys := memory.NewVisitorKeys()
	clock := &movableClock{t: now}
	rec := app.NewVisitRecorder(clock, &uaBots{}, 100).CountUniques()
	flusher := app.NewVisitFlusher(rec, newLedger(), clock, time.Hour, quietLog)
	_ = flusher
	ctx := context.Background()
	today, _ := keys.DayKey(ctx, now)
	tomorrow, _ := keys.DayKey(ctx, now.Add(24*time.Hour))
	if string(today) == string(tomorrow) {
		t.Fatal("two days share a key")
	}
	if keys.Days() != 1 {
		t.Fatalf("%d days' keys held, want only today's", keys.Days())
	}
	again, _ := keys.DayKey(ctx, now)
	if string(again) == string(today) {
		t.Fatal("a past day's key came back")
	}
	addr := netip.MustParseAddr("198.51.100.1")
	if domain.VisitorHash(today, addr, "phone", 1) == domain.VisitorHash(tomorrow, addr, "phone", 1) {
		t.Fatal("a visitor hashes alike on two days")
	}
}

// TestPendingVisitsAreBoundedInBytes: a flood of distinct countries, user
// agents, campaigns, referrers and visitors over many links cannot grow
// the recorder's memory past its budget.
func TestPendingVisitsAreBoundedInBytes(t *testing.T) {
	const budget = 4 << 20
	clock := &movableClock{t: now}
	countries := geoFlood{}
	rec := app.NewVisitRecorderBytes(clock, &uaBots{}, 1_000_000, budget).Locate(countries).CountUniques()
	if err := rec.RefreshKey(context.Background(), dayKey, now); err != nil {
		t.Fatal(err)
	}
	hits := make([]app.Hit, 4096) // made before measuring: a request's strings are its own
	for i := range hits {
		hits[i] = app.Hit{
			UserAgent: fmt.Sprintf("Mozilla/5.0 (flood %d)", i),
			Referer:   fmt.Sprintf("https://spam-%d-%s.example/", i, "x"),
			RawQuery:  fmt.Sprintf("utm_source=src-%d-%060d&utm_medium=m%d&utm_campaign=c%d", i, i, i, i),
			Addr:      netip.AddrFrom4([4]byte{1, byte(i >> 16), byte(i >> 8), byte(i)}),
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 400_000 {
		h := hits[i%len(hits)]
		h.Addr = netip.AddrFrom4([4]byte{2, byte(i >> 16), byte(i >> 8), byte(i)})
		rec.RecordVisit(domain.LinkID(i%20_000), now, h)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew %d KiB for a budget of %d KiB; %d visits dropped, %d visitor hashes not kept, %d bytes of budget left",
		grown>>10, budget>>10, rec.Dropped(), rec.DroppedUniques(), rec.BudgetLeft())
	if grown > budget {
		t.Fatalf("pending visits take %d bytes, over their budget of %d", grown, budget)
	}
	if rec.Recorded() == 0 || rec.Dropped() == 0 {
		t.Fatalf("recorded %d, dropped %d: the flood should have filled the budget", rec.Recorded(), rec.Dropped())
	}
	runtime.KeepAlive(rec)
}

// geoFlood names a different country for every address (of 26² codes).
type geoFlood struct{}

func (geoFlood) Country(addr netip.Addr) string {
	b := addr.As4()
	return countryCodes[int(b[3])%len(countryCodes)]
}

var countryCodes = func() []string {
	var codes []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			codes = append(codes, string([]rune{a, b}))
		}
	}
	return codes
}()

// TestUniquesAreMergedEveryUniquesInterval: counts are written every
// flush, visitor hashes gathered and merged only every UniquesEvery (a
// sketch rewrite costs the same for one hash as for many), and at Stop.
func TestUniquesAreMergedEveryUniquesInterval(t *testing.T) {
	t.Parallel()
	clock := &movableClock{t: now}
	rec := app.NewVisitRecorder(clock, &uaBots{}, 100).CountUniques()
	ledger := newLedger()
	f := app.NewVisitFlusher(rec, ledger, clock, 10*time.Millisecond, quietLog)
	f.UniquesEvery = time.Hour
	f.Keys = dayKey
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the key is fetched
	rec.RecordVisit(1, now, app.Hit{UserAgent: "phone", Addr: germany})
	rec.RecordVisit(1, now, app.Hit{UserAgent: "phone", Addr: japan})
	deadline := time.Now().Add(5 * time.Second)
	for h, _ := ledger.total(); h != 2; h, _ = ledger.total() {
		if time.Now().After(deadline) {
			t.Fatal("the visits were not written")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	ledger.mu.Lock()
	merged := len(ledger.uniques)
	ledger.mu.Unlock()
	if merged != 0 {
		t.Fatalf("%d visitor hashes merged before UniquesEvery passed", merged)
	}
	if err := f.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(ledger.uniques) != 2 {
		t.Fatalf("%d visitor hashes merged at Stop, want 2", len(ledger.uniques))
	}
}

// TestDimensionsCountExactly: with a few values each, every visit is
// counted once under each dimension, over two flushes, with a budget
// that has room for everything and with one of 64 KiB.
func TestDimensionsCountExactly(t *testing.T) {
	t.Parallel()
	for _, budget := range []int64{64 << 20, 64 << 10} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			t.Parallel()
			clock := &movableClock{t: now}
			rec := app.NewVisitRecorderBytes(clock, &uaBots{}, 100, budget).Locate(world)
			ledger := newLedger()
			flusher := app.NewVisitFlusher(rec, ledger, clock, time.Hour, quietLog)
			addrs := []netip.Addr{germany, japan, usa, netip.MustParseAddr("10.0.0.1")}
			agents := []string{"phone", "Mozilla/5.0", "bot"}
			want := map[dimValue]int64{}
			record := func(n int) {
				for i := range n {
					hit := app.Hit{UserAgent: agents[i%3], Addr: addrs[i%4]}
					if i%5 == 0 {
						hit.RawQuery = "utm_source=news"
					}
					rec.RecordVisit(1, now, hit)
					want[dimValue{domain.DimCountry, []string{"DE", "JP", "US", "XX"}[i%4]}]++
					want[dimValue{domain.DimDevice, []string{"mobile", "desktop", "bot"}[i%3]}]++
					want[dimValue{domain.DimBrowser, []string{"Safari", "Firefox", "other"}[i%3]}]++
					want[dimValue{domain.DimOS, []string{"iOS", "Linux", "other"}[i%3]}]++
					source := "none"
					if i%5 == 0 {
						source = "news"
					}
					want[dimValue{domain.DimUTMSource, source}]++
					want[dimValue{domain.DimUTMMedium, "none"}]++
					want[dimValue{domain.DimUTMCampaign, "none"}]++
				}
			}
			record(5000)
			mustFlush(t, flusher)
			record(3000)
			mustFlush(t, flusher)
			if rec.Dropped() != 0 || ledger.humans[1]+ledger.bots[1] != 8000 {
				t.Fatalf("%d humans and %d bots, %d dropped; want 8000 visits", ledger.humans[1], ledger.bots[1], rec.Dropped())
			}
			checkDims(t, ledger.dims, want)
		})
	}
}

// checkDims fails t unless the counts of got are those of want, and every
// value want does not name is counted zero times.
func checkDims(t *testing.T, got, want map[dimValue]int64) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s=%s: %d visits, want %d", k.dim, k.value, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok && n != 0 {
			t.Errorf("%s=%s: %d visits, want none", k.dim, k.value, n)
		}
	}
}
