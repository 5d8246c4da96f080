package bench

// The allocation budget of the redirect path, through the whole engine
// (engine_test.go): a test that fails when a change adds an allocation,
// which throughput figures would hide in their noise, and the -benchmem
// benchmarks beside it that make bench prints.
//
//	go test ./test/bench -run Allocs -v
//	go test ./test/bench -run '^$' -bench '^BenchmarkEngine$' -benchmem

import (
	"testing"

	"github.com/shortlink/shortlink/domain"
)

// The budgets, measured when pinned: a change may lower them, never raise
// them (a new allocation must pay for itself elsewhere, or be removed).
const (
	// allocsPerCachedRedirect: GET /{code} answered from the in-process
	// cache, with the access log line, the metrics and the visit counted.
	allocsPerCachedRedirect = 1
	// allocsPerCacheMiss: the same for a link the local cache does not
	// hold, found in the store and written back to the cache.
	allocsPerCacheMiss = 3
)

func TestAllocsPerRedirect(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts mean nothing under -race (sync.Pool drops items at random); make unittest runs this test again without -race")
	}
	e := newEngine(t)
	if e.visits.VisitorHashes() == 0 {
		t.Fatal("no visitor hashes after the warm-up: the measurement would leave out counting unique visitors")
	}

	t.Run("cached", func(t *testing.T) {
		hits, misses, visits := e.cache.Hits(), e.cache.Misses(), e.visits.Recorded()
		const runs = 2000
		i := 0
		got := testing.AllocsPerRun(runs, func() {
			e.serve(e.cached[i%len(e.cached)])
			i++
		})
		e.checkPath(t, i, int(e.cache.Hits()-hits), int(e.cache.Misses()-misses), int(e.visits.Recorded()-visits), i, 0)
		t.Logf("%.0f allocations per cached redirect (limit %d)", got, allocsPerCachedRedirect)
		if got > allocsPerCachedRedirect {
			t.Fatalf("a cached redirect allocates %.0f times, over its budget of %d: find the new allocation (-memprofile of BenchmarkEngine) and remove it",
				got, allocsPerCachedRedirect)
		}
	})

	t.Run("cached with 3 redirect rules", func(t *testing.T) {
		hits, misses, visits := e.cache.Hits(), e.cache.Misses(), e.visits.Recorded()
		const runs = 2000
		i := 0
		got := testing.AllocsPerRun(runs, func() {
			e.serve(e.ruled[i%len(e.ruled)])
			i++
		})
		e.checkPath(t, i, int(e.cache.Hits()-hits), int(e.cache.Misses()-misses), int(e.visits.Recorded()-visits), i, 0)
		t.Logf("%.0f allocations per cached redirect of a link with rules (limit %d, as without)", got, allocsPerCachedRedirect)
		if got > allocsPerCachedRedirect {
			t.Fatalf("a cached redirect of a link with rules allocates %.0f times, over the budget of %d", got, allocsPerCachedRedirect)
		}
	})

	t.Run("miss", func(t *testing.T) {
		e.evict()
		hits, misses, visits := e.cache.Hits(), e.cache.Misses(), e.visits.Recorded()
		i := 0
		got := testing.AllocsPerRun(len(e.uncached)-1, func() { // each link once
			e.serve(e.uncached[i])
			i++
		})
		e.checkPath(t, i, int(e.cache.Hits()-hits), int(e.cache.Misses()-misses), int(e.visits.Recorded()-visits), 0, i)
		t.Logf("%.0f allocations per cache miss (limit %d)", got, allocsPerCacheMiss)
		if got > allocsPerCacheMiss {
			t.Fatalf("a cache miss allocates %.0f times, over its budget of %d: find the new allocation (-memprofile of BenchmarkEngine) and remove it",
				got, allocsPerCacheMiss)
		}
	})
}

// TestAllocsPerRedirectWithDomains: with two short domains registered,
// a cached redirect on the default domain (its Host resolved and compared
// against the snapshot of the domains) keeps the budget of one without.
func TestAllocsPerRedirectWithDomains(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts mean nothing under -race; make unittest runs this test again without -race")
	}
	e := newEngineOn(t, []domain.DomainHost{"exa.mp", "go.example.com"})
	elsewhere := e.cached[0].Clone(t.Context())
	elsewhere.Host = "unknown.example"
	if e.serve(elsewhere); e.wrongStatus != 1 {
		t.Fatal("a Host that is no domain was redirected: the domains are not in effect, and the measurement would not include their check")
	}
	e.wrongStatus = 0
	hits, misses, visits := e.cache.Hits(), e.cache.Misses(), e.visits.Recorded()
	const runs = 2000
	i := 0
	got := testing.AllocsPerRun(runs, func() {
		e.serve(e.cached[i%len(e.cached)])
		i++
	})
	e.checkPath(t, i, int(e.cache.Hits()-hits), int(e.cache.Misses()-misses), int(e.visits.Recorded()-visits), i, 0)
	t.Logf("%.0f allocations per cached redirect with two domains registered (limit %d)", got, allocsPerCachedRedirect)
	if got > allocsPerCachedRedirect {
		t.Fatalf("a cached redirect with two domains registered allocates %.0f times, over the budget of %d", got, allocsPerCachedRedirect)
	}
}

// checkPath fails t unless the n requests took the path measured: every
// one a 302, hits and misses of the local cache as wanted, each visit
// counted.
func (e *engine) checkPath(t *testing.T, n, hits, misses, visits, wantHits, wantMisses int) {
	t.Helper()
	if e.wrongStatus > 0 || hits != wantHits || misses != wantMisses || visits != n {
		t.Fatalf("%d requests: %d not answered 302, %d cache hits (want %d), %d misses (want %d), %d visits counted (want %d)",
			n, e.wrongStatus, hits, wantHits, misses, wantMisses, visits, n)
	}
}

// BenchmarkEngine is what TestAllocsPerRedirect measures, as benchmarks:
// allocs/op, B/op and ns/op of a cached redirect and of a cache miss.
func BenchmarkEngine(b *testing.B) {
	e := newEngine(b)
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			e.serve(e.cached[i%len(e.cached)])
		}
	})
	b.Run("cached-rules", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			e.serve(e.ruled[i%len(e.ruled)])
		}
	})
	b.Run("miss", func(b *testing.B) {
		e.evict()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i > 0 && i%len(e.uncached) == 0 { // every link asked once: evict them again, untimed
				b.StopTimer()
				e.evict()
				b.StartTimer()
			}
			e.serve(e.uncached[i%len(e.uncached)])
		}
	})
	if e.wrongStatus > 0 {
		b.Fatalf("%d redirects did not answer 302", e.wrongStatus)
	}
}

// BenchmarkEngineDomains compares a cached redirect with the default
// domain only ("default") and with two more registered, asked on the
// default domain ("two-more"): the cost of resolving Host.
func BenchmarkEngineDomains(b *testing.B) {
	for _, c := range []struct {
		name  string
		hosts []domain.DomainHost
	}{{"default", nil}, {"two-more", []domain.DomainHost{"exa.mp", "go.example.com"}}} {
		e := newEngineOn(b, c.hosts)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				e.serve(e.cached[i%len(e.cached)])
			}
		})
		if e.wrongStatus > 0 {
			b.Fatalf("%d redirects did not answer 302", e.wrongStatus)
		}
	}
}
