package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// visitLedger is a visit store that keeps totals: exactly-once by batch
// id, with faults a test arms.
type visitLedger struct {
	mu      sync.Mutex
	applied map[domain.VisitBatchID]bool
	ids     []domain.VisitBatchID // every id written, in order, applied or not
	humans  map[domain.LinkID]int64
	bots    map[domain.LinkID]int64
	refs    map[string]int64
	dims    map[dimValue]int64
	uniques map[uint64]int // visitor hash → times merged
	hours   map[time.Time]int64
	// fault, when set, decides a write: "" applies it; "timeout" applies it
	// and reports a timeout (the answer was lost); "refused" applies
	// nothing and reports domain.ErrNotApplied.
	fault func() string
}

// dimValue is a value of a dimension.
type dimValue struct {
	dim   domain.Dimension
	value string
}

func newLedger() *visitLedger {
	return &visitLedger{applied: map[domain.VisitBatchID]bool{}, humans: map[domain.LinkID]int64{}, bots: map[domain.LinkID]int64{},
		refs: map[string]int64{}, dims: map[dimValue]int64{}, uniques: map[uint64]int{}, hours: map[time.Time]int64{}}
}

func (l *visitLedger) AddVisits(_ context.Context, b domain.VisitBatch) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids = append(l.ids, b.ID)
	fault := ""
	if l.fault != nil {
		fault = l.fault()
	}
	if fault == "refused" {
		return fmt.Errorf("store down: %w", domain.ErrNotApplied)
	}
	if !l.applied[b.ID] {
		l.applied[b.ID] = true
		for _, c := range b.Counts {
			l.humans[c.Link] += c.Humans
			l.bots[c.Link] += c.Bots
			l.hours[c.Hour] += c.Total()
			if len(c.Referrers) > domain.MaxReferrers+1 {
				panic("more referrers than the cap in one key")
			}
			for _, r := range c.Referrers {
				l.refs[r.Host] += r.Visits
			}
			for d, counts := range c.Dimensions {
				if len(counts) > domain.MaxReferrers+1 {
					panic("more values than the cap in one key")
				}
				for _, v := range counts {
					l.dims[dimValue{domain.Dimension(d), v.Host}] += v.Visits
				}
			}
		}
	}
	if fault == "timeout" {
		return context.DeadlineExceeded
	}
	return nil
}

func (l *visitLedger) MergeUniques(_ context.Context, b domain.VisitBatch) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range b.Counts {
		for _, h := range c.Uniques {
			l.uniques[h]++
		}
	}
	return nil
}

func (l *visitLedger) VisitStats(context.Context, domain.VisitQuery) (domain.VisitStats, error) {
	return domain.VisitStats{}, errors.New("not used")
}

func (l *visitLedger) ForgetVisitBatches(context.Context, time.Time) error { return nil }

func (l *visitLedger) total() (humans, bots int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.humans {
		humans += n
	}
	for _, n := range l.bots {
		bots += n
	}
	return humans, bots
}

// uaBots calls "bot" a bot.
type uaBots struct{ calls atomic.Int64 }

func (b *uaBots) IsBot(ua string) bool { return b.Agent(ua).Bot }

// Agent classes "bot" as a bot, "phone" as a mobile Safari on iOS, and
// anything else as a desktop Firefox on Linux.
func (b *uaBots) Agent(ua string) domain.UserAgent {
	b.calls.Add(1)
	switch ua {
	case "bot":
		return domain.UserAgent{Bot: true, Device: domain.DeviceBot, Browser: domain.ValueOther, OS: domain.ValueOther}
	case "phone":
		return domain.UserAgent{Device: domain.DeviceMobile, Browser: "Safari", OS: "iOS"}
	}
	return domain.UserAgent{Device: domain.DeviceDesktop, Browser: "Firefox", OS: "Linux"}
}

// movableClock is a clock a test moves.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func newVisits(maxKeys int) (*app.VisitRecorder, *app.VisitFlusher, *visitLedger, *movableClock) {
	clock := &movableClock{t: now}
	rec := app.NewVisitRecorder(clock, &uaBots{}, maxKeys)
	ledger := newLedger()
	return rec, app.NewVisitFlusher(rec, ledger, clock, time.Hour, quietLog), ledger, clock
}

func mustFlush(t *testing.T, f *app.VisitFlusher) {
	t.Helper()
	if err := f.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestVisitRecorderCountsHumansBotsReferrersAndHours(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, clock := newVisits(100)
	rec.Record(1, now, false, "Mozilla/5.0", "https://T.co/x?secret=1")
	rec.Record(1, now, false, "bot", "")
	rec.Record(1, now, true, "Mozilla/5.0", "") // HEAD is a bot's
	rec.Record(1, now, false, "", "")           // no user agent: a program's
	clock.Set(now.Add(time.Hour))
	rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/y")
	rec.Record(2, now, false, "Mozilla/5.0", "garbage")
	if rec.PendingKeys() != 3 {
		t.Fatalf("pending keys = %d, want 3 (link 1 in two hours, link 2)", rec.PendingKeys())
	}
	mustFlush(t, flusher)
	if ledger.humans[1] != 2 || ledger.bots[1] != 3 || ledger.humans[2] != 1 {
		t.Fatalf("humans %v, bots %v", ledger.humans, ledger.bots)
	}
	if ledger.refs["t.co"] != 2 || ledger.refs["direct"] != 4 || len(ledger.refs) != 2 {
		t.Fatalf("referrers = %v, want t.co 2 and direct 4", ledger.refs)
	}
	if ledger.hours[now] != 4 || ledger.hours[now.Add(time.Hour)] != 2 {
		t.Fatalf("hours = %v", ledger.hours)
	}
	if rec.Recorded() != 6 || rec.Dropped() != 0 || rec.PendingKeys() != 0 {
		t.Fatalf("recorded %d, dropped %d, pending %d", rec.Recorded(), rec.Dropped(), rec.PendingKeys())
	}
}

func TestVisitRecorderIsBoundedInKeys(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(3)
	for link := range domain.LinkID(5) {
		rec.Record(link+1, now, false, "Mozilla/5.0", "")
	}
	rec.Record(1, now, false, "Mozilla/5.0", "") // a pending key still counts
	if rec.PendingKeys() != 3 || rec.Dropped() != 2 || rec.Recorded() != 4 {
		t.Fatalf("pending %d, dropped %d, recorded %d; want 3, 2, 4", rec.PendingKeys(), rec.Dropped(), rec.Recorded())
	}
	// A batch whose write is uncertain keeps its keys in the bound until it is applied.
	ledger.fault = func() string { return "timeout" }
	if err := flusher.Flush(context.Background()); err == nil {
		t.Fatal("a timed-out write reported success")
	}
	rec.Record(9, now, false, "Mozilla/5.0", "")
	if rec.PendingKeys() != 3 || rec.Dropped() != 3 {
		t.Fatalf("with the batch held: pending %d, dropped %d; want 3, 3", rec.PendingKeys(), rec.Dropped())
	}
	ledger.fault = nil
	mustFlush(t, flusher)
	rec.Record(9, now, false, "Mozilla/5.0", "")
	if rec.PendingKeys() != 1 || rec.Dropped() != 3 {
		t.Fatalf("after the retry: pending %d, dropped %d; want 1, 3", rec.PendingKeys(), rec.Dropped())
	}
	if h, _ := ledger.total(); h != 4 {
		t.Fatalf("stored %d humans, want the 4 recorded", h)
	}
}

func TestVisitRecorderCapsReferrersPerKey(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(10)
	for i := range 1000 { // forged referrers
		rec.Record(1, now, false, "Mozilla/5.0", fmt.Sprintf("https://spam%d.example/", i))
	}
	if rec.PendingKeys() != 1 {
		t.Fatalf("forged referrers took %d keys, want 1", rec.PendingKeys())
	}
	mustFlush(t, flusher)
	if len(ledger.refs) != domain.MaxReferrers+1 || ledger.refs["other"] != 1000-domain.MaxReferrers {
		t.Fatalf("referrers: %d hosts, other %d; want %d hosts and other %d", len(ledger.refs), ledger.refs["other"], domain.MaxReferrers+1, 1000-domain.MaxReferrers)
	}
}

func TestVisitRecordAllocatesNothingForAPendingKey(t *testing.T) {
	rec, _, _, _ := newVisits(10)
	rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/x")
	allocs := testing.AllocsPerRun(1000, func() {
		rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/x")
		rec.Record(1, now, true, "", "")
	})
	if allocs != 0 {
		t.Fatalf("Record allocates %.1f times for a pending key, want 0", allocs)
	}
}

func TestVisitCountingOffRecordsNothing(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(0)
	rec.Record(1, now, false, "Mozilla/5.0", "")
	mustFlush(t, flusher)
	if rec.Enabled() || rec.Recorded() != 0 || rec.Dropped() != 0 || len(ledger.ids) != 0 {
		t.Fatalf("counting off: enabled %v, recorded %d, dropped %d, writes %d", rec.Enabled(), rec.Recorded(), rec.Dropped(), len(ledger.ids))
	}
	var none *app.VisitRecorder
	none.Record(1, now, false, "", "") // a nil recorder counts nothing, and does not panic
}

// TestUncertainFlushIsRetriedAsTheSameBatch injects a commit-then-timeout:
// the write applies, its answer is lost. The flusher retries the same
// batch (same id) until it gets an answer, takes nothing new meanwhile,
// and every visit is stored once.
func TestUncertainFlushIsRetriedAsTheSameBatch(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(100)
	for range 7 {
		rec.Record(1, now, false, "Mozilla/5.0", "")
	}
	ledger.fault = func() string { return "timeout" }
	for range 3 {
		if err := flusher.Flush(context.Background()); err == nil || errors.Is(err, domain.ErrNotApplied) {
			t.Fatalf("Flush = %v, want an uncertain error", err)
		}
		rec.Record(2, now, false, "Mozilla/5.0", "") // counted while the batch is held
	}
	ledger.fault = nil
	mustFlush(t, flusher) // the held batch, once more
	mustFlush(t, flusher) // what came meanwhile
	if ledger.humans[1] != 7 || ledger.humans[2] != 3 {
		t.Fatalf("stored %v, want link 1: 7 and link 2: 3, each visit once", ledger.humans)
	}
	first := ledger.ids[0]
	for i, id := range ledger.ids[:4] {
		if id != first {
			t.Fatalf("write %d used batch %s, want the held batch %s", i, id, first)
		}
	}
	if len(ledger.ids) != 5 || ledger.ids[4] == first {
		t.Fatalf("writes = %v; want 4 of the held batch, then a new one", ledger.ids)
	}
}

// TestRefusedFlushIsMergedBack: a batch certainly not applied goes back
// into memory and is written with what came after, once the store is back.
func TestRefusedFlushIsMergedBack(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(100)
	rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/")
	ledger.fault = func() string { return "refused" }
	for range 3 {
		if err := flusher.Flush(context.Background()); !errors.Is(err, domain.ErrNotApplied) {
			t.Fatalf("Flush = %v, want ErrNotApplied", err)
		}
		rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/")
	}
	if rec.PendingKeys() != 1 {
		t.Fatalf("pending keys = %d, want the one key merged back", rec.PendingKeys())
	}
	ledger.fault = nil
	mustFlush(t, flusher)
	if ledger.humans[1] != 4 || ledger.refs["t.co"] != 4 || rec.PendingKeys() != 0 {
		t.Fatalf("stored %v, referrers %v, pending %d; want 4 visits from t.co", ledger.humans, ledger.refs, rec.PendingKeys())
	}
}

// TestVisitsAddUpUnderConcurrentRecordsAndFaultyFlushes records from many
// goroutines while a flusher writes every millisecond into a store that
// times out after applying, or refuses, one write in three: every visit
// is stored exactly once.
func TestVisitsAddUpUnderConcurrentRecordsAndFaultyFlushes(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, clock := newVisits(1000)
	var writes atomic.Int64
	ledger.fault = func() string {
		switch writes.Add(1) % 6 {
		case 1:
			return "timeout"
		case 4:
			return "refused"
		}
		return ""
	}
	const workers, each = 8, 5000
	stop := make(chan struct{})
	var flushing sync.WaitGroup
	flushing.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				_ = flusher.Flush(context.Background())
			}
		}
	})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				ua := "Mozilla/5.0"
				if i%3 == 0 {
					ua = "bot"
				}
				if w == 0 && i == each/2 {
					clock.Set(now.Add(time.Hour))
				}
				rec.Record(domain.LinkID(i%50), now, i%7 == 0, ua, fmt.Sprintf("https://r%d.example/", i%13))
			}
		})
	}
	wg.Wait()
	close(stop)
	flushing.Wait()
	ledger.fault = nil
	for rec.PendingKeys() > 0 {
		_ = flusher.Flush(context.Background())
	}
	humans, bots := ledger.total()
	if humans+bots != workers*each || rec.Recorded() != workers*each || rec.Dropped() != 0 {
		t.Fatalf("stored %d humans + %d bots, recorded %d, dropped %d; want %d visits each once", humans, bots, rec.Recorded(), rec.Dropped(), workers*each)
	}
	// Referrers too, through refused batches merged back: no host is
	// credited with more visits than it sent, and they add up.
	sent := map[string]int64{}
	for i := range each {
		sent[fmt.Sprintf("r%d.example", i%13)] += workers
	}
	var refs int64
	for host, n := range ledger.refs {
		refs += n
		if host != domain.ReferrerOther && n > sent[host] {
			t.Errorf("referrer %s stored with %d visits, sent %d", host, n, sent[host])
		}
	}
	if refs != workers*each {
		t.Fatalf("referrers add up to %d, want the %d visits: %v", refs, workers*each, ledger.refs)
	}
}

func TestFlusherStopWritesWhatIsPending(t *testing.T) {
	t.Parallel()
	rec, flusher, ledger, _ := newVisits(100)
	if err := flusher.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.Record(1, now, false, "Mozilla/5.0", "")
	ledger.fault = func() string { return "timeout" } // the first write's answer is lost
	go func() { time.Sleep(50 * time.Millisecond); ledger.mu.Lock(); ledger.fault = nil; ledger.mu.Unlock() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := flusher.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := ledger.total(); h != 1 {
		t.Fatalf("stored %d visits at stop, want 1", h)
	}
}

// BenchmarkVisitRecord is what counting adds to a redirect whose (link,
// hour) key is pending, without the bot detector (see adapters/useragent).
func BenchmarkVisitRecord(b *testing.B) {
	rec := app.NewVisitRecorder(app.SystemClock{}, &uaBots{}, 100_000)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			rec.Record(domain.LinkID(i%1000), now, false, "Mozilla/5.0", "https://t.co/AbCdEfGh")
		}
	})
}

// BenchmarkVisitTake is the recorder's side of a flush of 1000 keys.
func BenchmarkVisitTake(b *testing.B) {
	rec, flusher, _, _ := newVisits(100_000)
	b.ReportAllocs()
	for b.Loop() {
		for i := range 1000 {
			rec.Record(domain.LinkID(i), now, false, "Mozilla/5.0", "https://t.co/x")
		}
		_ = flusher.Flush(context.Background())
	}
}

// TestIdleKeysDoNotCountAgainstTheBound: a key taken by a flush and not
// visited since holds no count, so it neither counts as pending nor keeps
// another key out; one visited again is counted from zero.
func TestIdleKeysDoNotCountAgainstTheBound(t *testing.T) {
	rec, flusher, ledger, _ := newVisits(1)
	rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/")
	mustFlush(t, flusher)
	rec.Record(2, now, false, "Mozilla/5.0", "https://t.co/")
	if rec.Dropped() != 0 || rec.PendingKeys() != 1 {
		t.Fatalf("after a flush: dropped %d, pending %d; want 0 and 1", rec.Dropped(), rec.PendingKeys())
	}
	rec.Record(1, now, false, "Mozilla/5.0", "") // the bound is full again
	mustFlush(t, flusher)
	rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/")
	mustFlush(t, flusher)
	if ledger.humans[1] != 2 || ledger.humans[2] != 1 || rec.Dropped() != 1 || ledger.refs["t.co"] != 3 {
		t.Fatalf("stored %v, referrers %v, dropped %d", ledger.humans, ledger.refs, rec.Dropped())
	}
	allocs := testing.AllocsPerRun(100, func() {
		rec.Record(1, now, false, "Mozilla/5.0", "https://t.co/")
		_ = flusher.Flush(context.Background())
	})
	if allocs > 12 { // the batch itself; none for the key or its referrer
		t.Fatalf("a flush and a visit of a known key allocate %.0f times", allocs)
	}
}
