package hll_test

import (
	"math"
	"net/netip"
	"testing"

	"github.com/shortlink/shortlink/adapters/hll"
	"github.com/shortlink/shortlink/domain"
)

// visitorHashes are the hashes of n distinct visitors of one link under key,
// as the recorder makes them.
func visitorHashes(key []byte, n int) []uint64 {
	hashes := make([]uint64, n)
	for i := range hashes {
		addr := netip.AddrFrom4([4]byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		hashes[i] = domain.VisitorHash(key, addr, "Mozilla/5.0", 42)
	}
	return hashes
}

func TestErrorWithinBounds(t *testing.T) {
	t.Parallel()
	key := make([]byte, domain.VisitorKeySize)
	for _, tc := range []struct {
		visitors int
		maxError float64
	}{{1_000, 0.02}, {10_000, 0.02}, {100_000, 0.02}} {
		sk, err := hll.Union(nil, visitorHashes(key, tc.visitors))
		if err != nil {
			t.Fatal(err)
		}
		got, err := hll.Estimate(sk)
		if err != nil {
			t.Fatal(err)
		}
		rel := math.Abs(float64(got)-float64(tc.visitors)) / float64(tc.visitors)
		t.Logf("%d visitors: estimate %d, error %.3f %% (%d bytes stored)", tc.visitors, got, 100*rel, len(sk))
		if rel > tc.maxError {
			t.Errorf("%d visitors: estimate %d, error %.2f %% over %.0f %%", tc.visitors, got, 100*rel, 100*tc.maxError)
		}
	}
}

func TestUnionCountsAVisitorOnce(t *testing.T) {
	t.Parallel()
	key := make([]byte, domain.VisitorKeySize)
	one := domain.VisitorHash(key, netip.MustParseAddr("198.51.100.7"), "Mozilla/5.0", 42)
	seen := make([]uint64, 1000)
	for i := range seen {
		seen[i] = one
	}
	// Two replicas each merge their thousand sightings, one batch twice (a retry).
	a, _ := hll.Union(nil, seen)
	a, _ = hll.Union(a, seen)
	b, _ := hll.Union(nil, seen)
	for _, stored := range [][][]byte{{a}, {a, b}, {b, a, a}} {
		if got, err := hll.Estimate(stored...); err != nil || got != 1 {
			t.Fatalf("one visitor seen 1000 times on two replicas: estimate %d (%v), want 1", got, err)
		}
	}
	merged, _ := hll.Merge(a, b)
	if got, _ := hll.Estimate(merged); got != 1 {
		t.Fatalf("merged: %d, want 1", got)
	}
}

func TestAnotherDaysKeyCountsAgain(t *testing.T) {
	t.Parallel()
	monday, tuesday := make([]byte, domain.VisitorKeySize), make([]byte, domain.VisitorKeySize)
	tuesday[0] = 1
	addr := netip.MustParseAddr("198.51.100.7")
	if domain.VisitorHash(monday, addr, "UA", 1) == domain.VisitorHash(tuesday, addr, "UA", 1) {
		t.Fatal("one visitor has the same hash under two days' keys: days could be linked")
	}
	if domain.VisitorHash(monday, addr, "UA", 1) == domain.VisitorHash(monday, addr, "UA", 2) {
		t.Fatal("one visitor has the same hash for two links")
	}
}
