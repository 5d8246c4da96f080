package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// steps is a ports.ReleaseSteps whose answer the test sets, counting asks.
type steps struct {
	ran  bool
	err  error
	asks int
}

func (s *steps) Contracted(context.Context) (bool, error) { s.asks++; return s.ran, s.err }

func TestFeatureGate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("without release steps it is open", func(t *testing.T) {
		t.Parallel()
		if err := app.NewFeatureGate(nil, fixedClock{now}).Require(ctx); err != nil {
			t.Fatalf("embedded mode's gate: %v, want open", err)
		}
	})

	t.Run("closed until the contract step, asking at most every few seconds, then open for good", func(t *testing.T) {
		t.Parallel()
		s := &steps{}
		clock := &movingClock{t: now}
		g := app.NewFeatureGate(s, clock)
		for range 3 {
			if err := g.Require(ctx); !errors.Is(err, domain.ErrFeatureNotEnabled) {
				t.Fatalf("before the contract step: %v, want ErrFeatureNotEnabled", err)
			}
		}
		if s.asks != 1 {
			t.Errorf("asked the store %d times within a second, want 1 (the answer is cached)", s.asks)
		}
		s.ran = true
		if err := g.Require(ctx); !errors.Is(err, domain.ErrFeatureNotEnabled) {
			t.Errorf("within the recheck interval: %v, want the cached refusal", err)
		}
		clock.Advance(6 * time.Second)
		if err := g.Require(ctx); err != nil {
			t.Fatalf("after the contract step and the recheck interval: %v, want open", err)
		}
		s.ran, s.err = false, errors.New("must not be asked")
		for range 3 {
			if err := g.Require(ctx); err != nil {
				t.Fatalf("an open gate: %v, want open for good", err)
			}
		}
		if s.asks != 2 {
			t.Errorf("asked %d times, want 2: an open gate never asks again", s.asks)
		}
	})

	t.Run("a store that cannot answer is unavailable, not a refusal", func(t *testing.T) {
		t.Parallel()
		g := app.NewFeatureGate(&steps{err: domain.ErrUnavailable}, fixedClock{now})
		if err := g.Require(ctx); !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("%v, want ErrUnavailable", err)
		}
	})
}
