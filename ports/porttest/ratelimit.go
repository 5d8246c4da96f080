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
