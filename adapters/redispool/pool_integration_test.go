//go:build integration

package redispool_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

func TestAddSizeTake(t *testing.T) {
	t.Parallel()
	p := newPool(t)
	ctx := context.Background()
	added := mint(t, newGenerator(t), 0, 10)
	if err := p.Add(ctx, added); err != nil {
		t.Fatal(err)
	}
	var taken []domain.Code
	steps := []struct {
		name     string
		take     int
		wantGot  int
		wantLeft int64
	}{
		{"part of the pool", 4, 4, 6},
		{"more than is left", 100, 6, 0},
		{"from an empty pool", 5, 0, 0},
		{"nothing", 0, 0, 0},
	}
	for _, step := range steps {
		got, err := p.Take(ctx, step.take)
		if err != nil {
			t.Fatalf("%s: Take(%d): %v", step.name, step.take, err)
		}
		if len(got) != step.wantGot {
			t.Fatalf("%s: Take(%d) returned %d codes, want %d", step.name, step.take, len(got), step.wantGot)
		}
		if left := mustSize(t, p); left != step.wantLeft {
			t.Fatalf("%s: Size = %d, want %d", step.name, left, step.wantLeft)
		}
		taken = append(taken, got...)
	}
	slices.Sort(taken)
	slices.Sort(added)
	if !slices.Equal(taken, added) {
		t.Fatalf("took %v, want exactly the added %v", taken, added)
	}
}

func TestAddIsIdempotent(t *testing.T) {
	t.Parallel()
	p := newPool(t)
	codes := mint(t, newGenerator(t), 100, 12_000) // spans three SADD chunks
	for range 2 {
		if err := p.Add(context.Background(), codes); err != nil {
			t.Fatal(err)
		}
	}
	if n := mustSize(t, p); n != int64(len(codes)) {
		t.Fatalf("Size after adding the same codes twice = %d, want %d", n, len(codes))
	}
}

// TestConcurrentFillsNeverMintTheSameCode is two batch runs at once, each
// minting from its own counter blocks: the set ends up with every code
// exactly once, so SCARD counts them all.
func TestConcurrentFillsNeverMintTheSameCode(t *testing.T) {
	t.Parallel()
	const perFill, chunk = 50_000, 5_000
	p := newPool(t)
	gen := newGenerator(t)
	counter := &memoryCounter{}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range perFill / chunk {
				first, _ := counter.Reserve(context.Background(), chunk)
				if err := p.Add(context.Background(), mint(t, gen, first, chunk)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := mustSize(t, p); n != 2*perFill {
		t.Fatalf("SCARD = %d, want exactly %d", n, 2*perFill)
	}
}

func TestPoolFillerTopsUpOnce(t *testing.T) {
	t.Parallel()
	p := newPool(t)
	filler := app.NewPoolFiller(p, &memoryCounter{}, app.NewCodeSecrets(memory.NewLinkStore(), codeSecret, false, slog.New(slog.DiscardHandler)), 20_000, 5_000, 5_000)
	for _, want := range []int64{20_000, 0} { // the second run finds the pool above low water
		added, err := filler.Fill(context.Background())
		if err != nil || added != want {
			t.Fatalf("Fill = %d, %v; want %d added", added, err, want)
		}
	}
	if n := mustSize(t, p); n != 20_000 {
		t.Fatalf("Size = %d, want 20000", n)
	}
}

func TestConcurrentTakesNeverShareACode(t *testing.T) {
	t.Parallel()
	const total, takers, batch = 20_000, 8, 64
	p := newPool(t)
	if err := p.Add(context.Background(), mint(t, newGenerator(t), 0, total)); err != nil {
		t.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = make(map[domain.Code]int, total)
	)
	for range takers {
		wg.Go(func() {
			for {
				codes, err := p.Take(context.Background(), batch)
				if err != nil {
					t.Error(err)
					return
				}
				if len(codes) == 0 {
					return
				}
				mu.Lock()
				for _, c := range codes {
					seen[c]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != total {
		t.Fatalf("takers got %d distinct codes, want %d", len(seen), total)
	}
	for c, n := range seen {
		if n != 1 {
			t.Fatalf("code %s handed out %d times", c, n)
		}
	}
}
