package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/ports"
)

// limitWindow is the window of the rate limiter contract: short, since a
// shared limiter keeps its windows by its own (Redis') time and a rule
// waits one out on the wall clock.
const limitWindow = 500 * time.Millisecond

// RateLimiterContract runs the rate limiter contract against limiters made
// by newLimiter, one per rule.
func RateLimiterContract(t *testing.T, newLimiter func(t *testing.T) ports.RateLimiter) {
	t.Helper()
	runRules(t, rateLimiterRules, newLimiter)
}

var rateLimiterRules = []rule[ports.RateLimiter]{
	{"allows limit events per window per key", allowsLimitEventsPerWindowPerKey},
	{"exceeded reads the count without adding to it", exceededReadsTheCountWithoutAddingToIt},
	{"allowN counts every event and allows the first within the limit", allowNCountsEveryEvent},
}

// allowNCountsEveryEvent checks ports.BulkRateLimiter, where the limiter
// is one: n events count as n Allows.
func allowNCountsEveryEvent(t *testing.T, l ports.RateLimiter) {
	bulk, ok := l.(ports.BulkRateLimiter)
	if !ok {
		t.Skip("not a ports.BulkRateLimiter")
	}
	ctx := context.Background()
	if allowed, _, err := bulk.AllowN(ctx, "n", 2, 5, limitWindow, time.Now()); err != nil || allowed != 2 {
		t.Fatalf("2 of 5: allowed %d, %v; want 2", allowed, err)
	}
	allowed, retryAfter, err := bulk.AllowN(ctx, "n", 4, 5, limitWindow, time.Now())
	if err != nil || allowed != 3 || retryAfter <= 0 || retryAfter > limitWindow {
		t.Fatalf("4 more of 5: allowed %d, retryAfter %v, %v; want 3 and the window's end", allowed, retryAfter, err)
	}
	if ok, _, err := l.Allow(ctx, "n", 5, limitWindow, time.Now()); err != nil || ok {
		t.Fatalf("after AllowN used the limit: Allow = %v, %v; want refused", ok, err)
	}
	if allowed, _, err := bulk.AllowN(ctx, "n", 3, 5, limitWindow, time.Now()); err != nil || allowed != 0 {
		t.Fatalf("over the limit: allowed %d, %v; want 0", allowed, err)
	}
}

func allowsLimitEventsPerWindowPerKey(t *testing.T, l ports.RateLimiter) {
	ctx := context.Background()
	for i := range 3 {
		if ok, _, err := l.Allow(ctx, "a", 3, limitWindow, time.Now()); err != nil || !ok {
			t.Fatalf("event %d: allowed=%v err=%v", i+1, ok, err)
		}
	}
	ok, retryAfter, err := l.Allow(ctx, "a", 3, limitWindow, time.Now())
	if err != nil || ok || retryAfter <= 0 || retryAfter > limitWindow {
		t.Fatalf("4th event: allowed=%v retryAfter=%v err=%v; want refused with 0 < retryAfter ≤ %v", ok, retryAfter, err, limitWindow)
	}
	if ok, _, err := l.Allow(ctx, "b", 3, limitWindow, time.Now()); err != nil || !ok {
		t.Fatalf("another key shares the count: allowed=%v err=%v", ok, err)
	}
	time.Sleep(retryAfter + 50*time.Millisecond)
	if ok, _, err := l.Allow(ctx, "a", 3, limitWindow, time.Now()); err != nil || !ok {
		t.Fatalf("after the window: allowed=%v err=%v", ok, err)
	}
}

func exceededReadsTheCountWithoutAddingToIt(t *testing.T, l ports.RateLimiter) {
	ctx := context.Background()
	for i := range 3 {
		if exceeded, _, err := l.Exceeded(ctx, "peek", 3, limitWindow, time.Now()); err != nil || exceeded {
			t.Fatalf("after %d events: exceeded=%v err=%v, want not exceeded", i, exceeded, err)
		}
		if ok, _, err := l.Allow(ctx, "peek", 3, limitWindow, time.Now()); err != nil || !ok {
			t.Fatalf("event %d: allowed=%v err=%v", i+1, ok, err)
		}
	}
	for range 5 { // reading does not count
		exceeded, retryAfter, err := l.Exceeded(ctx, "peek", 3, limitWindow, time.Now())
		if err != nil || !exceeded || retryAfter <= 0 || retryAfter > limitWindow {
			t.Fatalf("after 3 events: exceeded=%v retryAfter=%v err=%v; want exceeded within the window", exceeded, retryAfter, err)
		}
	}
	if exceeded, _, err := l.Exceeded(ctx, "other", 3, limitWindow, time.Now()); err != nil || exceeded {
		t.Fatalf("an unused key: exceeded=%v err=%v", exceeded, err)
	}
}
