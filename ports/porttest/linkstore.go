// Package porttest holds contract test suites for the ports. Every
// implementation of a port, real adapter or in-memory fake, runs the same
// suite, so a fake cannot drift from the thing it stands in for.
package porttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Store is what a durable store implements: links and the code counter.
type Store interface {
	ports.LinkStore
	ports.CodeCounter
}

// LinkStoreContract runs the link store and counter contract against fresh
// stores made by newStore.
func LinkStoreContract(t *testing.T, newStore func(t *testing.T) Store) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	ctx := context.Background()
	insert := func(t *testing.T, s Store, code, url string, created, expires time.Time) (domain.ShortLink, error) {
		t.Helper()
		link, err := domain.NewShortLink(domain.Code(code), url, created, expires)
		if err != nil {
			t.Fatal(err)
		}
		return link, s.Insert(ctx, link)
	}

	t.Run("insert then find live", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		want, err := insert(t, s, "abc", "https://example.com/x?y=1", now, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.FindLive(ctx, "abc", now)
		if err != nil || got != want {
			t.Fatalf("FindLive = %+v, %v; want %+v", got, err, want)
		}
	})

	t.Run("unknown and case-different codes are not found", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := insert(t, s, "abc", "https://example.com", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, code := range []domain.Code{"nope", "ABC"} {
			if _, err := s.FindLive(ctx, code, now); !errors.Is(err, domain.ErrNotFound) {
				t.Fatalf("FindLive(%s) error = %v, want ErrNotFound", code, err)
			}
		}
	})

	t.Run("expired link is not found", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := insert(t, s, "abc", "https://example.com", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindLive(ctx, "abc", now.Add(time.Hour)); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("FindLive at expiry error = %v, want ErrNotFound", err)
		}
	})

	t.Run("live code is taken", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := insert(t, s, "abc", "https://example.com/1", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := insert(t, s, "abc", "https://example.com/2", now.Add(time.Second), now.Add(time.Hour)); !errors.Is(err, domain.ErrCodeTaken) {
			t.Fatalf("second insert error = %v, want ErrCodeTaken", err)
		}
	})

	t.Run("expired code can be taken again", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := insert(t, s, "sale", "https://example.com/old", now.Add(-2*time.Hour), now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		want, err := insert(t, s, "sale", "https://example.com/new", now, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.FindLive(ctx, "sale", now); err != nil || got != want {
			t.Fatalf("FindLive = %+v, %v; want the new link", got, err)
		}
	})

	t.Run("concurrent inserts of one code have one winner", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		const n = 32
		var (
			wg                 sync.WaitGroup
			mu                 sync.Mutex
			won, taken, failed int
		)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				link, _ := domain.NewShortLink("race", fmt.Sprintf("https://example.com/%d", i), now, now.Add(time.Hour))
				<-start
				err := s.Insert(ctx, link)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case errors.Is(err, domain.ErrCodeTaken):
					taken++
				default:
					failed++
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		if won != 1 || taken != n-1 || failed != 0 {
			t.Fatalf("won %d, taken %d, failed %d; want 1, %d, 0", won, taken, failed, n-1)
		}
	})

	t.Run("reserve hands out disjoint blocks under concurrency", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		const workers, perWorker, blockSize = 8, 25, 100
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			starts = map[uint64]bool{}
		)
		for range workers {
			wg.Go(func() {
				for range perWorker {
					first, err := s.Reserve(ctx, blockSize)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					starts[first] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		// Disjoint equal blocks from a fresh counter start at exactly the
		// multiples of the block size.
		for i := range uint64(workers * perWorker) {
			if !starts[i*blockSize] {
				t.Fatalf("no block starts at %d: blocks overlap or skip (%d blocks)", i*blockSize, len(starts))
			}
		}
	})
}
