package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// plainHasher is a ports.PasswordHasher without the cost: the tests here
// are about the rules around it.
type plainHasher struct{}

func (plainHasher) Hash(_ context.Context, pw string) (string, error) { return "plain$" + pw, nil }
func (plainHasher) Verify(_ context.Context, hash, pw string) (bool, error) {
	return hash == "plain$"+pw, nil
}

const goodPassword = "correct horse battery"

// protectedWorld is a store, caches, a creator and a manager with
// passwords enabled or not (the gate), and an unlocker with a limiter.
type protectedWorld struct {
	store    *memory.LinkStore
	creator  *app.Creator
	manager  *app.Manager
	unlocker *app.Unlocker
	clock    *movingClock
}

func newProtectedWorld(t *testing.T, contracted bool) protectedWorld {
	t.Helper()
	store := memory.NewLinkStore()
	clock := &movingClock{t: now}
	caches := app.NewLinkCaches(mustMemoryCache(t), nil, false)
	features := app.LinkFeatures{Gate: app.NewFeatureGate(&steps{ran: contracted}, clock), Passwords: plainHasher{}}
	creator := app.NewCreator(store, caches, app.NewCodeSupply(nil, store, app.NewCodeSecrets(store, "", false, quietLog), 4, quietLog),
		clock, urlPolicy, expiry, quarantine, quietLog).WithFeatures(features)
	opts := managerOptions()
	opts.Features = features
	resolver := app.NewResolver(store, caches, clock, app.MissLimit{}, quietLog)
	return protectedWorld{
		store: store, creator: creator, clock: clock,
		manager:  app.NewManager(store, caches, clock, opts, quietLog),
		unlocker: app.NewUnlocker(resolver, store, plainHasher{}, memory.NewRateLimiter(), clock, quietLog),
	}
}

func TestPasswordsWaitForTheContractStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newProtectedWorld(t, false)
	_, err := w.creator.Create(ctx, app.CreateRequest{URL: "https://example.com/p", Alias: "gated", Password: goodPassword})
	if !errors.Is(err, domain.ErrFeatureNotEnabled) {
		t.Fatalf("create with a password before the contract step: %v, want ErrFeatureNotEnabled", err)
	}
	if _, err := w.store.Find(ctx, "gated", now); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the refused create stored a link: %v", err)
	}
	created, err := w.creator.Create(ctx, app.CreateRequest{URL: "https://example.com/p"})
	if err != nil {
		t.Fatal(err)
	}
	pw := goodPassword
	if _, err := w.manager.Update(ctx, created.Link.Code().String(), created.ManageToken, someone, app.Patch{Password: &pw}); !errors.Is(err, domain.ErrFeatureNotEnabled) {
		t.Fatalf("PATCH password before the contract step: %v, want ErrFeatureNotEnabled", err)
	}
	empty := "" // removing one needs no gate: it makes nothing the old release misreads
	if _, err := w.manager.Update(ctx, created.Link.Code().String(), created.ManageToken, someone, app.Patch{Password: &empty}); err != nil {
		t.Fatalf(`PATCH password "" before the contract step: %v`, err)
	}
	short := "short"
	if _, err := w.creator.Create(ctx, app.CreateRequest{URL: "https://example.com/p", Password: short}); !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("a short password: %v, want a validation error before the gate", err)
	}
}

func TestUnlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newProtectedWorld(t, true)
	created, err := w.creator.Create(ctx, app.CreateRequest{URL: "https://example.com/p", Alias: "locked", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if !created.Link.Protected() || created.Link.PasswordHash() != "plain$"+goodPassword {
		t.Fatalf("created %+v, want it protected by the hash", created.Link.Record())
	}
	if _, err := w.unlocker.Unlock(ctx, "locked", "wrong password", client("192.0.2.1")); !errors.Is(err, domain.ErrWrongPassword) {
		t.Fatalf("a wrong password: %v", err)
	}
	link, err := w.unlocker.Unlock(ctx, "locked", goodPassword, client("192.0.2.1"))
	if err != nil || link.URL() != "https://example.com/p" {
		t.Fatalf("the right password: %+v, %v", link.Record(), err)
	}
	plain, err := w.creator.Create(ctx, app.CreateRequest{URL: "https://example.com/open", Alias: "open"})
	if err != nil {
		t.Fatal(err)
	}
	if link, err := w.unlocker.Unlock(ctx, "open", "", someone); err != nil || link.ID() != plain.Link.ID() {
		t.Fatalf("unlock of a link without a password: %v", err)
	}
	if _, err := w.unlocker.Unlock(ctx, "NoSuch1", goodPassword, someone); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unlock of an unknown code: %v", err)
	}
}

// Attempts per link: 5 a minute from any number of addresses, then the
// doubling windows; the right password is refused too while they hold.
func TestUnlockAttemptsPerLinkWithBackoff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newProtectedWorld(t, true)
	if _, err := w.creator.Create(ctx, app.CreateRequest{URL: "https://example.com/p", Alias: "guessed", Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	attempt := func(i int, pw string) error {
		_, err := w.unlocker.Unlock(ctx, "guessed", pw, client(fmt.Sprintf("198.51.100.%d", i))) // a new address each time
		return err
	}
	for i := range 5 {
		if err := attempt(i, "wrong password"); !errors.Is(err, domain.ErrWrongPassword) {
			t.Fatalf("attempt %d: %v, want ErrWrongPassword", i+1, err)
		}
	}
	var tooMany *app.TooManyAttemptsError
	if err := attempt(10, goodPassword); !errors.As(err, &tooMany) || tooMany.RetryAfter <= 0 || tooMany.RetryAfter > time.Minute {
		t.Fatalf("the 6th attempt in a minute, from a new address: %v, want TooManyAttemptsError within a minute", err)
	}
	w.clock.Advance(time.Minute)
	for i := range 4 { // 10 in 2 minutes: 6 counted (the refused one too)
		if err := attempt(20+i, "wrong password"); !errors.Is(err, domain.ErrWrongPassword) {
			t.Fatalf("minute 2, attempt %d: %v", i+1, err)
		}
	}
	if err := attempt(30, goodPassword); !errors.As(err, &tooMany) {
		t.Fatalf("the 11th attempt in two minutes: %v, want refused: the windows double", err)
	}
	w.clock.Advance(time.Hour)
	if err := attempt(40, goodPassword); err != nil {
		t.Fatalf("an hour later: %v, want the right password to work", err)
	}
}

// busyHasher has no slot free within any request's time, as the real one
// when a flood of attempts holds every slot.
type busyHasher struct{ plainHasher }

func (busyHasher) Verify(ctx context.Context, _, _ string) (bool, error) {
	return false, fmt.Errorf("wait for a password hash slot: %w", context.DeadlineExceeded)
}

// A flood that keeps every hash slot busy makes an attempt unavailable
// (503, try again), never an internal error.
func TestUnlockWithoutAHashSlotIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newProtectedWorld(t, true)
	if _, err := w.creator.Create(ctx, app.CreateRequest{URL: "https://example.com/p", Alias: "busy", Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	resolver := app.NewResolver(w.store, app.NewLinkCaches(mustMemoryCache(t), nil, false), w.clock, app.MissLimit{}, quietLog)
	unlocker := app.NewUnlocker(resolver, w.store, busyHasher{}, memory.NewRateLimiter(), w.clock, quietLog)
	_, err := unlocker.Unlock(ctx, "busy", goodPassword, client("192.0.2.1"))
	if !errors.Is(err, domain.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("unlock without a hash slot: %v, want ErrUnavailable wrapping the wait's deadline", err)
	}
}
