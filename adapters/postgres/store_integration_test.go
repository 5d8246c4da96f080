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
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
)

func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	s, _ := newStoreAndSQL(t)
	return s
}

// newStoreAndSQL returns a store on a fresh database and a pool of the
// test's own for looking behind the store's back.
func newStoreAndSQL(t *testing.T) (*postgres.Store, *sqlx.DB) {
	t.Helper()
	url := testenv.Database(t)
	s, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 40})
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

// quarantine is what the tests here claim codes with.
const quarantine = domain.CodeQuarantine(24 * time.Hour)

func insert(s *postgres.Store, link domain.ShortLink) error {
	_, err := s.Insert(context.Background(), link, quarantine.FreeAfter(link))
	return err
}

func mustInsert(t *testing.T, s *postgres.Store, code, url string, created, expires time.Time) domain.ShortLink {
	t.Helper()
	link, err := s.Insert(context.Background(), porttest.Link(domain.Code(code)).URL(url).Created(created).Expires(expires).OwnedBy("token").Build(), expires.Add(time.Duration(quarantine)))
	if err != nil {
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
	if err := insert(s, porttest.Link("promo").URL("https://example.com/new").Created(now).OwnedBy("token").Build()); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("Insert over a live link in last month's partition: %v, want ErrCodeTaken", err)
	}
}

func TestStoreDownIsUnavailable(t *testing.T) {
	t.Parallel()
	s, err := postgres.Open(postgres.Options{URL: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=1", MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	link := porttest.Link("abc").URL("https://example.com").Created(time.Now()).OwnedBy("token").Build()
	for name, err := range map[string]error{
		"Insert": insert(s, link),
		"Find":   func() error { _, err := s.Find(ctx, "abc", time.Now()); return err }(),
		"Update": func() error {
			_, err := s.Update(ctx, "abc", time.Now(), func(l domain.ShortLink) (domain.ShortLink, time.Time, error) { return l, time.Now(), nil })
			return err
		}(),
		"Reserve":      func() error { _, err := s.Reserve(ctx, 1); return err }(),
		"LoadOrCreate": func() error { _, err := s.LoadOrCreate(ctx, domain.NewGeneratedSecret()); return err }(),
		"Drain": func() error {
			_, err := s.Drain(ctx, time.Now(), 1, func([]domain.Code) error { return nil })
			return err
		}(),
		"Ping": s.Ping(ctx),
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
				err := insert(s, porttest.Link(code).URL("https://example.com").Created(now).OwnedBy("token").Build())
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

func TestVisitStoreContract(t *testing.T) {
	t.Parallel()
	porttest.VisitStoreContract(t, func(t *testing.T) ports.VisitStore { return newStore(t) })
}

func TestWorkspaceStoreContract(t *testing.T) {
	t.Parallel()
	porttest.WorkspaceStoreContract(t, func(t *testing.T) porttest.WorkspaceStore { return newStore(t) })
}

func TestDomainStoreContract(t *testing.T) {
	t.Parallel()
	porttest.DomainStoreContract(t, func(t *testing.T) porttest.DomainStore { return newStore(t) })
}
