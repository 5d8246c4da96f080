package postgres

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// BenchmarkVisitRows is the Go side of a flush of 1000 keys.
func BenchmarkVisitRows(b *testing.B) {
	hour := time.Now().UTC().Truncate(time.Hour)
	counts := make([]domain.VisitCounts, 1000)
	for i := range counts {
		counts[i] = domain.VisitCounts{Link: domain.LinkID(i), LinkCreatedAt: hour, Hour: hour, Humans: 10, Bots: 2,
			Referrers: []domain.ReferrerCount{{Host: "t.co", Visits: 10}, {Host: "direct", Visits: 2}}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := visitRows(counts); err != nil {
			b.Fatal(err)
		}
	}
}
