package testkit

import (
	"testing"
	"time"
)

// Eventually retries check until it returns nil and reports how long that
// took, or fails the test with check's last error once within is over.
// It polls a hundred times over within, but at least every 50 ms and at
// most every millisecond: for what happens asynchronously (an
// invalidation, a server coming back), never to wait out a fixed delay.
func Eventually(t testing.TB, within time.Duration, what string, check func() error) time.Duration {
	t.Helper()
	poll := min(max(within/100, time.Millisecond), 50*time.Millisecond)
	start := time.Now()
	for {
		err := check()
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) >= within {
			t.Fatalf("%s: still failing after %v: %v", what, within, err)
			return 0
		}
		time.Sleep(poll)
	}
}
