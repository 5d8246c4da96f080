//go:build integration

package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
)

const maxTTL = 365 * 24 * time.Hour

func newStore(t *testing.T) *postgres.LinkStore {
	t.Helper()
	s, _ := newStoreAndSQL(t)
	return s
}

// newStoreAndSQL returns a store on a fresh database and a pool of the
// test's own for looking behind the store's back.
func newStoreAndSQL(t *testing.T) (*postgres.LinkStore, *sqlx.DB) {
	t.Helper()
	url := testenv.Database(t)
	s, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 40, MaxLinkLifetime: maxTTL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, testenv.SQL(t, url)
}

func TestLinkStoreContract(t *testing.T) {
	t.Parallel()
	porttest.LinkStoreContract(t, func(t *testing.T) porttest.Store { return newStore(t) })
}

func mustInsert(t *testing.T, s *postgres.LinkStore, code, url string, created, expires time.Time) domain.ShortLink {
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
		"Insert":   s.Insert(ctx, link),
		"FindLive": func() error { _, err := s.FindLive(ctx, "abc", time.Now()); return err }(),
		"Reserve":  func() error { _, err := s.Reserve(ctx, 1); return err }(),
		"Ping":     s.Ping(ctx),
	} {
		if !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("%s error = %v, want ErrUnavailable", name, err)
		}
	}
}

// TestBatchedInsertsOfOverlappingCodesNeverDeadlock drives many concurrent
// batches whose codes overlap in every order: each code is stored exactly
// once and no batch fails (a lock-order deadlock would fail whole batches).
func TestBatchedInsertsOfOverlappingCodesNeverDeadlock(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const codes, workers, perWorker = 20, 16, 60
	now := time.Now().UTC()
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		stored, taken int
	)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				code := domain.Code(fmt.Sprintf("c%02d", (w*7+i*13)%codes))
				link, _ := domain.NewShortLink(code, "https://example.com", now, now.Add(time.Hour))
				err := s.Insert(context.Background(), link)
				mu.Lock()
				switch {
				case err == nil:
					stored++
				case errors.Is(err, domain.ErrCodeTaken):
					taken++
				default:
					t.Errorf("Insert(%s): %v", code, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if stored != codes || taken != workers*perWorker-codes {
		t.Fatalf("stored %d, taken %d; want %d and %d", stored, taken, codes, workers*perWorker-codes)
	}
}
