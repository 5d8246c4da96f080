package app_test

import (
	"net/netip"
	"testing"

	"github.com/shortlink/shortlink/adapters/geo"
	"github.com/shortlink/shortlink/adapters/useragent"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
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
