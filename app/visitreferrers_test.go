package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// TestForgedReferrersCannotEvictARealHost is the referrer attack through
// the recorder, the flusher and a store: ten forged hosts take a hundred
// visits each in the hour's first flush; then, for 200 flushes, a burst of
// 50 new forged hosts (two visits each, 10 000 hosts in all) arrives
// before each flush's three visits from the real host, and an interval
// without visits follows each. The real host, with
// 600 visits, must be the first host of the hour's referrers with all of
// them, although it never arrives first and ranks among the top ten only
// after a third of the hour; the referrers still add up to the visits.
func TestForgedReferrersCannotEvictARealHost(t *testing.T) {
	t.Parallel()
	clock := &movableClock{t: now}
	rec := app.NewVisitRecorder(clock, &uaBots{}, 1000)
	store := memory.NewLinkStore()
	flusher := app.NewVisitFlusher(rec, store, clock, time.Hour, quietLog)
	const link = domain.LinkID(1)
	visit := func(host string) { rec.Record(link, now, false, "Mozilla/5.0", "https://"+host+"/page") }
	flush := func() {
		t.Helper()
		if err := flusher.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	for i := range 10 {
		for range 100 {
			visit(fmt.Sprintf("heavy-%d.example", i))
		}
	}
	flush()
	const realHost = "real.example"
	var total, real int64 = 1000, 0
	for burst := range 200 {
		for i := range 50 {
			host := fmt.Sprintf("forged-%d-%d.example", burst, i)
			visit(host)
			visit(host)
			total += 2
		}
		for range 3 {
			visit(realHost)
			real++
			total++
		}
		clock.Set(now.Add(time.Duration(burst) * time.Second))
		flush()
		flush() // an interval without visits: the key's sketch is kept all the same
	}

	w, err := domain.ParseVisitWindow(now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339), "hour", now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := store.VisitStats(context.Background(), domain.VisitQuery{Link: link, LinkCreatedAt: now, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Total() != total {
		t.Fatalf("stored %d visits, sent %d", stats.Total(), total)
	}
	var hosts []domain.ReferrerCount
	var listed int64
	for _, r := range stats.Referrers {
		listed += r.Visits
		if r.Host == domain.ReferrerOther {
			if r.Visits < 0 {
				t.Errorf("other is %d", r.Visits)
			}
			continue
		}
		hosts = append(hosts, r)
		if r.Host != realHost && r.Visits > 100 {
			t.Errorf("forged host %s credited with %d visits, sent at most 100", r.Host, r.Visits)
		}
	}
	if len(hosts) == 0 || hosts[0].Host != realHost || hosts[0].Visits != real {
		t.Fatalf("referrers = %v; want %s the first host, with its %d visits", stats.Referrers, realHost, real)
	}
	// The store keeps ten hosts an hour: when the real host came in, the
	// last heavy one went to other. Ten referrers are listed: other, the
	// real host and eight heavy ones; the ninth, stored, is not shown.
	if listed != total-100 {
		t.Fatalf("the listed referrers add up to %d, want the %d visits less one heavy host's 100: %v", listed, total, stats.Referrers)
	}
}

// TestReferrerSketchesAreBounded: however many distinct referrers arrive,
// a key tracks at most ReferrerCandidates hosts, and all keys together no
// more than the recorder's budget of bytes allows; once their hour is over
// and flushed, keys and their sketches are gone and the budget is whole.
func TestReferrerSketchesAreBounded(t *testing.T) {
	t.Parallel()
	const keys, budget = 20, 256 << 10
	clock := &movableClock{t: now}
	rec := app.NewVisitRecorderBytes(clock, &uaBots{}, keys, budget)
	flusher := app.NewVisitFlusher(rec, newLedger(), clock, time.Hour, quietLog)
	for link := range domain.LinkID(keys) {
		for i := range 5000 {
			rec.Record(link, now, false, "Mozilla/5.0", fmt.Sprintf("https://spam-%d.example/", i))
		}
	}
	hosts := rec.ReferrerHosts()
	if hosts > keys*app.ReferrerCandidates || rec.BudgetLeft() < 0 || rec.Dropped() != 0 {
		t.Fatalf("%d referrer hosts tracked (at most %d), %d bytes of the budget left, %d visits dropped",
			hosts, keys*app.ReferrerCandidates, rec.BudgetLeft(), rec.Dropped())
	}
	if hosts == keys*app.ReferrerCandidates {
		t.Fatalf("every key has its full sketch: the budget of %d bytes did not bind", budget)
	}
	mustFlush(t, flusher)
	if got := rec.ReferrerHosts(); got != hosts {
		t.Fatalf("%d referrer hosts tracked after a flush within the hour, want the %d kept", got, hosts)
	}
	clock.Set(now.Add(time.Hour))
	mustFlush(t, flusher)
	if got := rec.ReferrerHosts(); got != 0 || rec.PendingKeys() != 0 || rec.BudgetLeft() != budget {
		t.Fatalf("after the hour: %d hosts tracked, %d keys pending, %d of %d bytes left; want none, none, all",
			got, rec.PendingKeys(), rec.BudgetLeft(), budget)
	}
	// The budget came back: one key can grow to its full sketch again.
	for i := range 5000 {
		rec.Record(1, now.Add(time.Hour), false, "Mozilla/5.0", fmt.Sprintf("https://spam-%d.example/", i))
	}
	if got := rec.ReferrerHosts(); got != app.ReferrerCandidates {
		t.Fatalf("one key tracks %d hosts, want %d", got, app.ReferrerCandidates)
	}
}
