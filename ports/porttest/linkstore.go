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

// Store is what a durable store implements: links, the code counter and
// the code secret.
type Store interface {
	ports.LinkStore
	ports.CodeCounter
	ports.CodeSecretStore
}

// quarantine is the code quarantine the contract stores links with.
const quarantine = domain.CodeQuarantine(24 * time.Hour)

// LinkStoreContract runs the link store, counter and secret contract
// against fresh stores made by newStore. Time is the contract's own: it
// passes instants, so nothing here waits on the wall clock.
func LinkStoreContract(t *testing.T, newStore func(t *testing.T) Store) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	ctx := context.Background()
	newLink := func(t *testing.T, code, url string, created, expires time.Time) domain.ShortLink {
		t.Helper()
		_, owner := domain.NewManageToken()
		link, err := domain.NewShortLink(domain.Code(code), url, created, expires, owner)
		if err != nil {
			t.Fatal(err)
		}
		return link
	}
	insert := func(t *testing.T, s Store, code, url string, created, expires time.Time) (domain.ShortLink, error) {
		t.Helper()
		link := newLink(t, code, url, created, expires)
		return s.Insert(ctx, link, quarantine.FreeAfter(link))
	}
	mustInsert := func(t *testing.T, s Store, code, url string, created, expires time.Time) domain.ShortLink {
		t.Helper()
		link, err := insert(t, s, code, url, created, expires)
		if err != nil {
			t.Fatalf("insert %s: %v", code, err)
		}
		return link
	}
	find := func(t *testing.T, s Store, code domain.Code, at time.Time) domain.ShortLink {
		t.Helper()
		got, err := s.Find(ctx, code, at)
		if err != nil {
			t.Fatalf("Find(%s): %v", code, err)
		}
		return got
	}
	// update applies edit to code's link at now, with the contract's quarantine.
	update := func(s Store, code domain.Code, edit func(domain.ShortLink) (domain.ShortLink, error)) (domain.ShortLink, error) {
		return s.Update(ctx, code, now, func(current domain.ShortLink) (domain.ShortLink, time.Time, error) {
			next, err := edit(current)
			return next, quarantine.FreeAfter(next), err
		})
	}

	t.Run("insert gives an id; find returns the link as stored", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		want := mustInsert(t, s, "abc", "https://example.com/x?y=1", now, now.Add(time.Hour))
		if want.ID() == 0 {
			t.Fatal("Insert returned no id")
		}
		if got := find(t, s, "abc", now); got != want {
			t.Fatalf("Find = %+v; want %+v", got, want)
		}
		other := mustInsert(t, s, "def", "https://example.com/y", now, now.Add(time.Hour))
		if other.ID() == want.ID() {
			t.Fatalf("two links share id %d", want.ID())
		}
	})

	t.Run("unknown and case-different codes are not found", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustInsert(t, s, "abc", "https://example.com", now, now.Add(time.Hour))
		for _, code := range []domain.Code{"nope", "ABC"} {
			if _, err := s.Find(ctx, code, now); !errors.Is(err, domain.ErrNotFound) {
				t.Fatalf("Find(%s) error = %v, want ErrNotFound", code, err)
			}
		}
	})

	t.Run("an expired link is still found, as expired", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustInsert(t, s, "abc", "https://example.com", now, now.Add(time.Hour))
		if got := find(t, s, "abc", now.Add(2*time.Hour)); got.Status(now.Add(2*time.Hour)) != domain.StatusExpired {
			t.Fatalf("status after expiry = %s, want expired", got.Status(now.Add(2*time.Hour)))
		}
	})

	t.Run("a claimed code is taken", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustInsert(t, s, "abc", "https://example.com/1", now, now.Add(time.Hour))
		if _, err := insert(t, s, "abc", "https://example.com/2", now.Add(time.Second), now.Add(time.Hour)); !errors.Is(err, domain.ErrCodeTaken) {
			t.Fatalf("second insert error = %v, want ErrCodeTaken", err)
		}
	})

	t.Run("an expired code stays claimed through its quarantine", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		old := mustInsert(t, s, "sale", "https://example.com/old", now.Add(-2*time.Hour), now.Add(-time.Hour))
		// Expired an hour ago, quarantined for a day: a takeover must fail.
		if _, err := insert(t, s, "sale", "https://phish.example/login", now, now.Add(time.Hour)); !errors.Is(err, domain.ErrCodeTaken) {
			t.Fatalf("claim during quarantine error = %v, want ErrCodeTaken", err)
		}
		if got := find(t, s, "sale", now); got.ID() != old.ID() {
			t.Fatalf("the code now finds link %d, want the old one %d", got.ID(), old.ID())
		}
		// Once the quarantine is over, the code is free.
		later := quarantine.FreeAfter(old).Add(time.Second)
		want, err := insert(t, s, "sale", "https://example.com/new", later, later.Add(time.Hour))
		if err != nil {
			t.Fatalf("claim after quarantine: %v", err)
		}
		if got := find(t, s, "sale", later); got != want || got.ID() == old.ID() {
			t.Fatalf("Find = %+v; want the new link %+v", got, want)
		}
	})

	t.Run("a deleted or disabled code stays claimed", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustInsert(t, s, "gone", "https://example.com/g", now, now.Add(time.Hour))
		mustInsert(t, s, "off", "https://example.com/o", now, now.Add(time.Hour))
		if _, err := update(s, "gone", func(l domain.ShortLink) (domain.ShortLink, error) { return l.Delete(now) }); err != nil {
			t.Fatal(err)
		}
		if _, err := update(s, "off", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorOwner) }); err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"gone", "off"} {
			if _, err := insert(t, s, code, "https://phish.example/", now.Add(2*time.Hour), now.Add(3*time.Hour)); !errors.Is(err, domain.ErrCodeTaken) {
				t.Fatalf("claim of %s error = %v, want ErrCodeTaken", code, err)
			}
		}
	})

	t.Run("a code that never expires is never free with quarantine 0", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		link := newLink(t, "keep", "https://example.com", now, now.Add(time.Hour))
		if _, err := s.Insert(ctx, link, domain.CodeQuarantine(0).FreeAfter(link)); err != nil {
			t.Fatal(err)
		}
		if _, err := insert(t, s, "keep", "https://example.com/2", now.AddDate(50, 0, 0), now.AddDate(50, 0, 1)); !errors.Is(err, domain.ErrCodeTaken) {
			t.Fatalf("claim 50 years on error = %v, want ErrCodeTaken", err)
		}
	})

	t.Run("every transition is stored", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		link := mustInsert(t, s, "life", "https://example.com/life", now, now.Add(time.Hour))
		steps := []struct {
			name   string
			edit   func(domain.ShortLink) (domain.ShortLink, error)
			status domain.Status
		}{
			{"owner disables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorOwner) }, domain.StatusDisabled},
			{"owner enables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(false, domain.ActorOwner) }, domain.StatusActive},
			{"admin disables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorAdmin) }, domain.StatusDisabled},
			{"admin enables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(false, domain.ActorAdmin) }, domain.StatusActive},
			{"extend", func(l domain.ShortLink) (domain.ShortLink, error) {
				return l.ExtendTo(now.Add(48*time.Hour), now, 365*24*time.Hour)
			}, domain.StatusActive},
			{"delete", func(l domain.ShortLink) (domain.ShortLink, error) { return l.Delete(now) }, domain.StatusDeleted},
		}
		for _, step := range steps {
			want, err := step.edit(link)
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			got, err := update(s, "life", step.edit)
			if err != nil || got != want {
				t.Fatalf("%s: Update = %+v, %v; want %+v", step.name, got, err, want)
			}
			if found := find(t, s, "life", now); found != want || found.Status(now) != step.status {
				t.Fatalf("%s: Find = %+v (%s); want %+v (%s)", step.name, found, found.Status(now), want, step.status)
			}
			link = want
		}
		if link.URL() != "" {
			t.Fatalf("deleted link keeps its target: %+v", link)
		}
	})

	t.Run("an admin disable survives in the store", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustInsert(t, s, "ban", "https://example.com", now, now.Add(time.Hour))
		if _, err := update(s, "ban", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorAdmin) }); err != nil {
			t.Fatal(err)
		}
		stored := find(t, s, "ban", now)
		if !stored.DisabledByAdmin() {
			t.Fatal("the store forgot an administrator disabled the link")
		}
		if _, err := stored.SetDisabled(false, domain.ActorOwner); !errors.Is(err, domain.ErrAdminOnly) {
			t.Fatalf("owner enable of an admin-disabled link: %v, want ErrAdminOnly", err)
		}
	})

	t.Run("a failed change leaves the link as it was", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		want := mustInsert(t, s, "same", "https://example.com", now, now.Add(time.Hour))
		refused := errors.New("refused")
		if _, err := update(s, "same", func(domain.ShortLink) (domain.ShortLink, error) { return domain.ShortLink{}, refused }); !errors.Is(err, refused) {
			t.Fatalf("Update error = %v, want the change's own", err)
		}
		if got := find(t, s, "same", now); got != want {
			t.Fatalf("after a failed change Find = %+v, want %+v", got, want)
		}
		if _, err := update(s, "nope", func(l domain.ShortLink) (domain.ShortLink, error) { return l, nil }); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("Update of an unknown code error = %v, want ErrNotFound", err)
		}
	})

	t.Run("concurrent changes apply in one serial order", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustInsert(t, s, "busy", "https://example.com", now, now.Add(time.Hour))
		const n = 32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, _ = update(s, "busy", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(i%2 == 0, domain.ActorOwner) })
			})
		}
		wg.Wait()
		// Each change bumps the version once: lost updates would show as fewer.
		if got := find(t, s, "busy", now).Version(); got != 1+n {
			t.Fatalf("version after %d serial changes = %d, want %d", n, got, 1+n)
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
				link := newLink(t, "race", fmt.Sprintf("https://example.com/%d", i), now, now.Add(time.Hour))
				<-start
				_, err := s.Insert(ctx, link, quarantine.FreeAfter(link))
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

	t.Run("the code secret is created once and replaced only on purpose", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		first, second := domain.NewGeneratedSecret(), domain.NewGeneratedSecret()
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			seen = map[domain.SecretRecord]bool{}
		)
		for i := range 8 { // replicas starting together agree on one
			wg.Go(func() {
				candidate := first
				if i%2 == 1 {
					candidate = second
				}
				held, err := s.LoadOrCreate(ctx, candidate)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[held] = true
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(seen) != 1 {
			t.Fatalf("replicas were handed %d different secrets", len(seen))
		}
		explicit := domain.SecretRecord{Fingerprint: domain.SecretFingerprint("operator's own")}
		if err := s.Replace(ctx, explicit); err != nil {
			t.Fatal(err)
		}
		if held, err := s.LoadOrCreate(ctx, first); err != nil || held != explicit {
			t.Fatalf("after Replace, LoadOrCreate = %+v, %v; want %+v", held, err, explicit)
		}
	})
}
