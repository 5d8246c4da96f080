package redisclient

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

// TestBreakerOpensProbesAndCloses: outages in a row open the breaker; it
// refuses at once until its cool-down has passed, then lets exactly one
// operation probe, which closes it when Redis answers and opens it again
// when not. Errors about the command itself are not outages.
func TestBreakerOpensProbesAndCloses(t *testing.T) {
	t.Parallel()
	const coolDown = 50 * time.Millisecond
	outage := context.DeadlineExceeded
	b := NewBreaker(2, coolDown)
	var opened time.Duration // on the breaker's own (coarse) clock

	b.Report(errors.New("WRONGTYPE")) // a command error: Redis answered
	b.Report(&rueidis.RedisError{})   // a nil reply: a miss, Redis answered
	if !b.Allow() || b.Open() {
		t.Fatal("answers opened the breaker")
	}
	b.Report(outage)
	if !b.Allow() || b.Open() {
		t.Fatal("one failure opened a breaker of two")
	}
	b.Report(outage)
	opened = coarseNow()
	if b.Allow() || !b.Open() {
		t.Fatal("two failures in a row left the breaker closed")
	}
	awaitProbe(t, b, opened, coolDown)
	if b.Allow() {
		t.Fatal("a second operation went through while the probe was out")
	}
	b.Report(outage) // the probe failed
	opened = coarseNow()
	if b.Allow() {
		t.Fatal("a failed probe left the breaker letting operations through")
	}
	awaitProbe(t, b, opened, coolDown)
	b.Report(nil) // the probe answered
	if b.Open() || !b.Allow() || !b.Allow() {
		t.Fatal("an answered probe did not close the breaker")
	}
	b.Report(outage)
	if !b.Allow() {
		t.Fatal("the failures before the close still counted")
	}
}

// TestABreakerWhoseProbeNeverReportsProbesAgain: a probe lost (its caller
// gave up) does not keep the breaker open for good.
func TestABreakerWhoseProbeNeverReportsProbesAgain(t *testing.T) {
	t.Parallel()
	const coolDown = 50 * time.Millisecond
	b := NewBreaker(1, coolDown)
	b.Report(context.DeadlineExceeded)
	awaitProbe(t, b, coarseNow(), coolDown)
	awaitProbe(t, b, coarseNow(), coolDown) // the first probe never reported
}

// awaitProbe waits for b to let a probe through, and fails the test if it
// does so before coolDown has passed since opened on the breaker's own
// coarse clock (less a tick), or not within two seconds. The coarse clock
// is the measure: a loaded machine may run its goroutine late, so against
// the wall clock a breaker opened on a late tick may probe early.
func awaitProbe(t *testing.T, b *Breaker, opened, coolDown time.Duration) {
	t.Helper()
	start := time.Now()
	for !b.Allow() {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("no probe %v after the breaker opened for %v", time.Since(start), coolDown)
		}
		time.Sleep(deadlineTick / 2)
	}
	if early := coarseNow() - opened; early < coolDown-deadlineTick {
		t.Fatalf("a probe %v (coarse clock) after the breaker opened for %v", early, coolDown)
	}
}
