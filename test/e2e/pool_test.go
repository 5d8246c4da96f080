//go:build e2e

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// testPool checks the code pool with the real batch: it fills only below low
// water, up to the target, and the api takes codes from the pool in batches.
// It must run alone: every create may move the pool.
func testPool(t *testing.T, s *stack) {
	env := s.front()

	// The groups before this one create thousands of links (bulk creates and
	// imports among them) and may have emptied the pool: one batch run below
	// low water tops it up to the target, and the api's fallbacks from here
	// on are what this group counts.
	if s.poolSize(t) < poolLowWater {
		testenv.RunBinary(t, s.bin, "batch", s.env(), "--once")
	}
	fallbacks0 := testkit.Metric(t, s.apiURL, "shortlink_pool_fallbacks_total")
	before := s.poolSize(t)
	if before < poolLowWater {
		t.Fatalf("precondition: pool holds %d codes, below POOL_LOW_WATER %d", before, poolLowWater)
	}
	testenv.RunBinary(t, s.bin, "batch", s.env(), "--once")
	if after := s.poolSize(t); after != before {
		t.Fatalf("batch --once above low water changed the pool from %d to %d codes", before, after)
	}

	// Creates take POOL_TAKE_BATCH codes whenever the api's buffer runs dry,
	// which happens within POOL_TAKE_BATCH+1 creates.
	var taken int64
	for i := 0; i <= poolTake && taken == 0; i++ {
		httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/pool"})
		taken = before - s.poolSize(t)
	}
	if taken <= 0 || taken%poolTake != 0 {
		t.Fatalf("creates took %d codes from the pool, want a positive multiple of POOL_TAKE_BATCH %d", taken, poolTake)
	}
	if fallbacks := testkit.Metric(t, s.apiURL, "shortlink_pool_fallbacks_total") - fallbacks0; fallbacks != 0 {
		t.Fatalf("shortlink_pool_fallbacks_total grew by %v with a stocked pool", fallbacks)
	}

	// Drain the pool below low water: the next batch run tops it up to the target.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	drain := s.poolSize(t) - 100
	if err := s.pool.Do(ctx, s.pool.B().Spop().Key(poolKey).Count(drain).Build()).Error(); err != nil {
		t.Fatalf("SPOP: %v", err)
	}
	testenv.RunBinary(t, s.bin, "batch", s.env(), "--once")
	if n := s.poolSize(t); n != poolTarget {
		t.Fatalf("batch --once below low water left %d codes, want POOL_TARGET %d", n, poolTarget)
	}
	if gauge := testkit.Metric(t, s.apiURL, "shortlink_pool_size"); gauge != poolTarget {
		t.Fatalf("shortlink_pool_size = %v, want %d", gauge, poolTarget)
	}
}
