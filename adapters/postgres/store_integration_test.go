//go:build integration

package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/testenv"
)

const maxTTL = 365 * 24 * time.Hour

func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(postgres.Options{URL: testenv.Database(t), MaxOpenConns: 40, MaxLinkLifetime: maxTTL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustInsert(t *testing.T, s *postgres.Store, code, url string, created, expires time.Time) domain.ShortLink {
	t.Helper()
	link, err := domain.NewShortLink(domain.Code(code), url, created, expires)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(context.Background(), link); err != nil {
		t.Fatalf("Insert(%s): %v", code, err)
	}
	return link
}

func TestInsertThenFindLive(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	want := mustInsert(t, s, "abc", "https://example.com/x", now, now.Add(time.Hour))

	got, err := s.FindLive(ctx, "abc", now)
	if err != nil || got != want {
		t.Fatalf("FindLive = %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.FindLive(ctx, "ABC", now); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("codes must be case-sensitive: FindLive(ABC) error = %v", err)
	}
	if _, err := s.FindLive(ctx, "abc", now.Add(time.Hour)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("FindLive at expiry error = %v, want ErrNotFound", err)
	}
}

func TestInsertRefusesCodeOfLiveLinkInAnyPartition(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	now := time.Now().UTC()
	lastMonth := now.AddDate(0, -1, 0)
	if _, err := s.EnsurePartitions(context.Background(), []time.Time{lastMonth, now}); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, s, "promo", "https://example.com/old", lastMonth, now.Add(time.Hour))
	link, _ := domain.NewShortLink("promo", "https://example.com/new", now, now.Add(time.Hour))
	if err := s.Insert(context.Background(), link); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("Insert over a live link in last month's partition: %v, want ErrCodeTaken", err)
	}
}

func TestInsertReusesCodeOfExpiredLink(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	mustInsert(t, s, "sale", "https://example.com/old", now.Add(-2*time.Hour), now.Add(-time.Hour))
	want := mustInsert(t, s, "sale", "https://example.com/new", now, now.Add(time.Hour))
	if got, err := s.FindLive(context.Background(), "sale", now); err != nil || got != want {
		t.Fatalf("FindLive = %+v, %v; want the new link", got, err)
	}
}

func TestConcurrentInsertsOfOneCodeHaveOneWinner(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const n = 32
	now := time.Now().UTC()
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
			err := s.Insert(context.Background(), link)
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
}

func TestReserveHandsOutDisjointBlocks(t *testing.T) {
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
				first, err := s.Reserve(context.Background(), blockSize)
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
	// Disjoint blocks of one size from a counter starting at 0 start at
	// exactly the multiples of the size.
	for i := range uint64(workers * perWorker) {
		if !starts[i*blockSize] {
			t.Fatalf("no block starts at %d: blocks overlap or skip (%d blocks)", i*blockSize, len(starts))
		}
	}
}

func TestStoreDownIsUnavailable(t *testing.T) {
	t.Parallel()
	s, err := postgres.Open(postgres.Options{URL: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=1", MaxOpenConns: 1, MaxLinkLifetime: maxTTL})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	link, _ := domain.NewShortLink("abc", "https://example.com", time.Now(), time.Now().Add(time.Hour))
	for name, err := range map[string]error{
		"Insert": s.Insert(ctx, link),
		"FindLive": func() error { _, err := s.FindLive(ctx, "abc", time.Now()); return err }(),
		"Reserve":  func() error { _, err := s.Reserve(ctx, 1); return err }(),
		"Ping":     s.Ping(ctx),
	} {
		if !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("%s error = %v, want ErrUnavailable", name, err)
		}
	}
}
