package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

func TestCodeSupplyTakesFromPoolInBatches(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.pool.EXPECT().Take(gomock.Any(), 3).Return([]domain.Code{"c", "b", "a"}, nil).Times(1)
	supply := app.NewCodeSupply(d.pool, d.counter, d.secrets, 3, quietLog)
	for _, want := range []domain.Code{"a", "b", "c"} {
		if got, err := supply.Next(context.Background()); err != nil || got != want {
			t.Fatalf("Next = %q, %v; want %q", got, err, want)
		}
	}
	if supply.Fallbacks() != 0 {
		t.Fatalf("Fallbacks = %d", supply.Fallbacks())
	}
}

func TestCodeSupplyFallsBackToCounter(t *testing.T) {
	t.Parallel()
	for name, take := range map[string]func() ([]domain.Code, error){
		"pool empty": func() ([]domain.Code, error) { return nil, nil },
		"pool down":  func() ([]domain.Code, error) { return nil, errors.New("connection refused") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := newDeps(t)
			d.pool.EXPECT().Take(gomock.Any(), 2).DoAndReturn(func(context.Context, int) ([]domain.Code, error) { return take() })
			d.counter.EXPECT().Reserve(gomock.Any(), 2).Return(uint64(40), nil)
			supply := app.NewCodeSupply(d.pool, d.counter, d.secrets, 2, quietLog)
			want, _ := d.gen.Code(41) // the buffer hands out from its end
			if got, err := supply.Next(context.Background()); err != nil || got != want {
				t.Fatalf("Next = %q, %v; want %q", got, err, want)
			}
			if supply.Fallbacks() != 1 {
				t.Fatalf("Fallbacks = %d, want 1", supply.Fallbacks())
			}
		})
	}
}

func TestCodeSupplyWithoutPoolUsesCounterAndCountsNoFallback(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.counter.EXPECT().Reserve(gomock.Any(), 4).Return(uint64(0), nil)
	supply := app.NewCodeSupply(nil, d.counter, d.secrets, 4, quietLog)
	if _, err := supply.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if supply.Fallbacks() != 0 {
		t.Fatalf("Fallbacks = %d without a pool", supply.Fallbacks())
	}
}

func TestCodeSupplyNeverHandsOutACodeTwiceUnderConcurrency(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	var next uint64
	d.pool.EXPECT().Take(gomock.Any(), gomock.Any()).Return(nil, nil).AnyTimes()
	d.counter.EXPECT().Reserve(gomock.Any(), 16).DoAndReturn(func(_ context.Context, n int) (uint64, error) {
		first := next // Reserve is only ever called under the supply's lock
		next += uint64(n)
		return first, nil
	}).AnyTimes()
	supply := app.NewCodeSupply(d.pool, d.counter, d.secrets, 16, quietLog)
	var mu sync.Mutex
	seen := map[domain.Code]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				code, err := supply.Next(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[code] {
					t.Errorf("code %s handed out twice", code)
				}
				seen[code] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 4000 {
		t.Fatalf("handed out %d distinct codes, want 4000", len(seen))
	}
}

func TestCodeSupplyFailsWhenPoolAndCounterAreDown(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.pool.EXPECT().Take(gomock.Any(), 1).Return(nil, errors.New("down"))
	d.counter.EXPECT().Reserve(gomock.Any(), 1).Return(uint64(0), domain.ErrUnavailable)
	_, err := app.NewCodeSupply(d.pool, d.counter, d.secrets, 1, quietLog).Next(context.Background())
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Next error = %v, want ErrUnavailable", err)
	}
}

func TestCodeSupplyCallerGivesUpWhileAnotherRefills(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	refilling, release := make(chan struct{}), make(chan struct{})
	d.counter.EXPECT().Reserve(gomock.Any(), 1).DoAndReturn(func(context.Context, int) (uint64, error) {
		close(refilling)
		<-release // a refill stuck on a frozen store
		return 0, nil
	})
	supply := app.NewCodeSupply(nil, d.counter, d.secrets, 1, quietLog)
	go func() { _, _ = supply.Next(context.Background()) }()
	<-refilling
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := supply.Next(ctx)
	close(release)
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Next while another caller refills = %v, want ErrUnavailable once its context ends", err)
	}
}
