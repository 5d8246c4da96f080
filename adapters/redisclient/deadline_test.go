package redisclient

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWithTimeoutEndsWithinATickOfItsDeadline(t *testing.T) {
	t.Parallel()
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "kept")
	for _, timeout := range []time.Duration{time.Millisecond, 35 * time.Millisecond, 200 * time.Millisecond} {
		start := time.Now()
		ctx, cancel := WithTimeout(parent, timeout)
		defer cancel()
		if ctx.Value(key{}) != "kept" {
			t.Fatal("the parent's values are lost")
		}
		if deadline, ok := ctx.Deadline(); !ok || deadline.Before(start.Add(timeout)) || deadline.After(start.Add(timeout+2*deadlineTick)) {
			t.Fatalf("timeout %v: deadline %v after start, want within a tick after the timeout", timeout, deadline.Sub(start))
		}
		if ctx.Err() != nil && time.Since(start) < timeout {
			t.Fatalf("timeout %v: done after %v", timeout, time.Since(start))
		}
		select {
		case <-ctx.Done():
		case <-time.After(timeout + time.Second):
			t.Fatalf("timeout %v: not done a second after its deadline", timeout)
		}
		if elapsed := time.Since(start); elapsed < timeout {
			t.Fatalf("timeout %v: done after only %v", timeout, elapsed)
		}
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("Err = %v, want DeadlineExceeded", ctx.Err())
		}
	}
}

func TestWithTimeoutBeyondTheWheelIsAPlainTimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if _, shared := ctx.(*sharedDeadlineCtx); shared {
		t.Fatal("an hour-long timeout got a shared deadline")
	}
}

func BenchmarkWithTimeout(b *testing.B) {
	parent := context.Background()
	b.Run("shared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := WithTimeout(parent, 200*time.Millisecond)
			_ = ctx.Done()
			cancel()
		}
	})
	b.Run("context.WithTimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithTimeout(parent, 200*time.Millisecond)
			_ = ctx.Done()
			cancel()
		}
	})
}
