package app_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/geo"
	"github.com/shortlink/shortlink/adapters/useragent"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/testkit"
)

// BenchmarkRecordVisit is what counting one redirect costs the redirect:
// the real user-agent classes and country table, a mix of agents,
// addresses, referrers and campaigns over 1,000 links, with and without
// the dimensions and visitor hashes.
func BenchmarkRecordVisit(b *testing.B) {
	bots, _ := useragent.New(useragent.Options{})
	locator, _ := geo.New(geo.Options{})
	hits := make([]app.Hit, 0, 4096)
	for i := range cap(hits) {
		hits = append(hits, app.Hit{
			UserAgent: testkit.UserAgents[i%len(testkit.UserAgents)].Header,
			Referer:   []string{"", "https://t.co/x", "https://www.google.com/"}[i%3],
			RawQuery:  []string{"", "utm_source=newsletter&utm_campaign=spring"}[i%2],
			Addr:      netip.AddrFrom4([4]byte{byte(73 + i%50), byte(i >> 8), byte(i), 9}),
		})
	}
	for _, tc := range []struct {
		name string
		full bool
	}{{"referrers only", false}, {"every dimension and uniques", true}} {
		b.Run(tc.name, func(b *testing.B) {
			rec := app.NewVisitRecorderBytes(app.SystemClock{}, bots, 100_000, 64<<20)
			if tc.full {
				rec.Locate(locator).CountUniques()
				if err := rec.RefreshKey(b.Context(), dayKey, now); err != nil {
					b.Fatal(err)
				}
			}
			for i := range 10_000 { // warm: keys, sketches and agent classes exist
				h := hits[i%len(hits)]
				rec.RecordVisit(domain.LinkID(i%1000), now, strip(h, tc.full))
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				rec.RecordVisit(domain.LinkID(i%1000), now, strip(hits[i%len(hits)], tc.full))
				i++
			}
		})
	}
}

// strip leaves only what counting before the dimensions read, unless full.
func strip(h app.Hit, full bool) app.Hit {
	if full {
		return h
	}
	return app.Hit{UserAgent: h.UserAgent, Referer: h.Referer}
}

// discardVisits is a store that takes every batch and keeps nothing: the
// flush's own cost, without a store's.
type discardVisits struct{ ports.VisitStore }

func (discardVisits) AddVisits(context.Context, domain.VisitBatch) error    { return nil }
func (discardVisits) MergeUniques(context.Context, domain.VisitBatch) error { return nil }

// benchHits are the bench's request mix (test/bench/lua/common.lua) as
// hits: the user agents, 6,000 addresses of ten regions (a fifth IPv6),
// referrers, and a campaign on a tenth of the visits.
func benchHits(n int) []app.Hit {
	v4 := [][2]byte{{73, 0}, {86, 0}, {91, 0}, {133, 0}, {177, 0}, {193, 0}, {41, 0}, {49, 0}, {101, 0}, {203, 0}}
	v6 := []uint16{0x2001, 0x2003, 0x2a01, 0x2400, 0x2600, 0x2800, 0x2c0f, 0x2401, 0x2a02, 0x2804}
	addrs := make([]netip.Addr, 6000)
	for i := range addrs {
		r := i % 10
		if i%5 == 4 {
			var a [16]byte
			binary.BigEndian.PutUint16(a[0:], v6[r])
			binary.BigEndian.PutUint16(a[2:], uint16(i*7919))
			binary.BigEndian.PutUint32(a[12:], uint32(i))
			addrs[i] = netip.AddrFrom16(a)
			continue
		}
		addrs[i] = netip.AddrFrom4([4]byte{v4[r][0], byte(i * 31), byte(i >> 3), byte(i)})
	}
	referers := []string{"", "", "https://t.co/x", "https://www.google.com/", "https://news.ycombinator.com/item?id=1", "https://www.facebook.com/"}
	queries := []string{"", "", "", "", "", "", "", "", "", "utm_source=newsletter&utm_medium=email&utm_campaign=spring", "utm_source=twitter&utm_campaign=launch"}
	hits := make([]app.Hit, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range hits {
		hits[i] = app.Hit{
			UserAgent: testkit.UserAgents[rng.IntN(len(testkit.UserAgents))].Header,
			Referer:   referers[rng.IntN(len(referers))],
			RawQuery:  queries[rng.IntN(len(queries))],
			Addr:      addrs[rng.IntN(len(addrs))],
		}
	}
	return hits
}

// BenchmarkVisitCounting is what counting costs the process, not just the
// redirect: RecordVisit under the bench's mix over 1,000 links, with a
// flush (to a store that keeps nothing) every 20,000 visits — a second of
// the bench's load — so the batch's garbage is in B/op. gc/Mvisit is the
// collections a million visits cause (GOGC as set), live-KiB what the
// recorder keeps between flushes (heap after a collection, less before).
func BenchmarkVisitCounting(b *testing.B) {
	bots, _ := useragent.New(useragent.Options{})
	locator, _ := geo.New(geo.Options{})
	hits := benchHits(1 << 14)
	const flushEvery = 20_000
	for _, tc := range []struct {
		name string
		dims bool
	}{{"dimensions off", false}, {"dimensions on", true}} {
		b.Run(tc.name, func(b *testing.B) {
			runtime.GC()
			before := liveHeap()
			rec := app.NewVisitRecorderBytes(app.SystemClock{}, bots, 100_000, 64<<20).Locate(locator)
			if tc.dims {
				rec.CountUniques()
				if err := rec.RefreshKey(b.Context(), dayKey, time.Now()); err != nil {
					b.Fatal(err)
				}
			} else {
				rec.WithoutDimensions()
			}
			flusher := app.NewVisitFlusher(rec, discardVisits{}, app.SystemClock{}, time.Hour, quietLog)
			flusher.UniquesEvery = 30 * time.Second
			created := time.Now().Add(-time.Hour)
			for i := range 2 * flushEvery { // warm: keys, sketches and agent classes exist
				rec.RecordVisit(domain.LinkID(i%1000), created, hits[i%len(hits)])
				if i%flushEvery == flushEvery-1 {
					_ = flusher.Flush(b.Context())
				}
			}
			runtime.GC()
			live := liveHeap() - before
			var gc0 runtime.MemStats
			runtime.ReadMemStats(&gc0)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				rec.RecordVisit(domain.LinkID(i%1000), created, hits[i%len(hits)])
				i++
				if i%flushEvery == 0 {
					_ = flusher.Flush(b.Context())
				}
			}
			b.StopTimer()
			var gc1 runtime.MemStats
			runtime.ReadMemStats(&gc1)
			b.ReportMetric(float64(gc1.NumGC-gc0.NumGC)*1e6/float64(i), "gc/Mvisit")
			b.ReportMetric(float64(live)/1024, "live-KiB")
		})
	}
}

func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
