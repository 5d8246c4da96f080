package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

func TestReadinessNamesWhatIsDown(t *testing.T) {
	t.Parallel()
	up := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("refused") }
	hangs := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	r := app.NewReadiness(50*time.Millisecond,
		ports.DependencyCheck{Name: "postgres", Ping: up},
		ports.DependencyCheck{Name: "redis-cache", Ping: down},
		ports.DependencyCheck{Name: "redis-codes", Ping: hangs},
	)
	if got := r.Down(context.Background()); !slices.Equal(got, []string{"redis-cache", "redis-codes"}) {
		t.Fatalf("Down = %v", got)
	}
}

func TestReadinessDoesNotWaitForAPingThatIgnoresItsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	stuck := func(context.Context) error { <-release; return nil }
	r := app.NewReadiness(50*time.Millisecond, ports.DependencyCheck{Name: "postgres", Ping: stuck})
	start := time.Now()
	if got := r.Down(context.Background()); !slices.Equal(got, []string{"postgres"}) {
		t.Fatalf("Down = %v", got)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("Down took %v, far past its 50ms timeout", elapsed)
	}
}
