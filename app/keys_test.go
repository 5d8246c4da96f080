package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// countingKeys counts the key lookups that reach the store.
type countingKeys struct {
	*memory.LinkStore
	finds int
}

func (c *countingKeys) FindKey(ctx context.Context, id domain.KeyID) (domain.APIKey, error) {
	c.finds++
	return c.LinkStore.FindKey(ctx, id)
}

func newKeyFixture(t *testing.T, now time.Time) (*countingKeys, domain.APIKey, string) {
	t.Helper()
	store := &countingKeys{LinkStore: memory.NewLinkStore()}
	ws, _ := domain.NewWorkspace("w", now)
	key, secret, _ := domain.NewAPIKey(ws.ID, domain.RoleEditor, "k", now)
	if err := store.CreateWorkspace(context.Background(), ws, key); err != nil {
		t.Fatal(err)
	}
	return store, key, secret
}

func TestKeyRingFollowsTheStoresChanges(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fixedClock{now}
	store, key, secret := newKeyFixture(t, now)
	ring := app.NewKeyRing(store, store, clock, app.KeyRingOptions{Followed: true}, quietLog)
	follower := app.NewChangeFollower(store.ChangeFeed(), app.NewLinkCaches(nil, nil, true), clock, quietLog)
	follower.Keys = ring
	ctx := context.Background()
	if err := follower.FollowOnce(ctx); err != nil {
		t.Fatal(err)
	}

	for range 3 {
		caller, err := ring.Identify(ctx, secret, nil)
		if err != nil || caller.Key.ID != key.ID {
			t.Fatalf("Identify = %+v, %v", caller, err)
		}
	}
	if store.finds != 1 {
		t.Fatalf("3 identifications looked the key up %d times, want once (then the cache)", store.finds)
	}

	// Another replica revokes: this one learns it from the feed.
	if _, err := store.RevokeKey(ctx, key.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := follower.FollowOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Identify(ctx, secret, nil); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("Identify of a revoked key = %v, want ErrUnauthenticated", err)
	}

	// A feed that stalls past a second: the cache stops answering.
	finds := store.finds
	clock.t = now.Add(2 * time.Second)
	_, _ = ring.Identify(ctx, secret, nil)
	_, _ = ring.Identify(ctx, secret, nil)
	if store.finds != finds+2 {
		t.Fatalf("with the feed stalled, %d lookups reached the store, want 2", store.finds-finds)
	}
}

func TestKeyRingWritesUseCoarsely(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fixedClock{now}
	store, key, secret := newKeyFixture(t, now)
	ring := app.NewKeyRing(store, store, clock, app.KeyRingOptions{Private: true}, quietLog)
	ctx := context.Background()
	for range 5 {
		if _, err := ring.Identify(ctx, secret, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := store.FindKey(ctx, key.ID); !got.LastUsedAt.IsZero() {
		t.Fatal("a use was written on the request's path")
	}
	if err := ring.FlushUses(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.FindKey(ctx, key.ID); !got.LastUsedAt.Equal(now) {
		t.Fatalf("last_used_at = %v after the flush, want %v", got.LastUsedAt, now)
	}
	clock.t = now.Add(30 * time.Second)
	_, _ = ring.Identify(ctx, secret, nil)
	_ = ring.FlushUses(ctx)
	if got, _ := store.FindKey(ctx, key.ID); !got.LastUsedAt.Equal(now) {
		t.Fatalf("last_used_at moved within a minute: %v", got.LastUsedAt)
	}
	clock.t = now.Add(61 * time.Second)
	_, _ = ring.Identify(ctx, secret, nil)
	_ = ring.FlushUses(ctx)
	if got, _ := store.FindKey(ctx, key.ID); !got.LastUsedAt.Equal(clock.t) {
		t.Fatalf("last_used_at = %v a minute later, want %v", got.LastUsedAt, clock.t)
	}
}

func TestKeyRingTellsCredentialsApart(t *testing.T) {
	t.Parallel()
	now := time.Now()
	store, _, secret := newKeyFixture(t, now)
	ring := app.NewKeyRing(store, nil, &fixedClock{now}, app.KeyRingOptions{AdminKeys: []string{"admin-key-0123456789"}, Private: true}, quietLog)
	typo := secret[:len(secret)-1] + "a"
	if typo == secret {
		typo = secret[:len(secret)-1] + "b"
	}
	ctx := context.Background()
	for _, c := range []struct {
		credential string
		check      func(app.Caller) bool
		err        error
	}{
		{"", app.Caller.Anonymous, nil},
		{"admin-key-0123456789", func(c app.Caller) bool { return c.Admin }, nil},
		{"some-manage-token", func(c app.Caller) bool { return c.Token == "some-manage-token" }, nil},
		{secret, app.Caller.HasKey, nil},
		{typo, nil, domain.ErrUnauthenticated},
		{"slk_unknown_aaaaaaaaaaaaaaaaaaaaaaaaaa_aaaaaaa", nil, domain.ErrUnauthenticated},
	} {
		caller, err := ring.Identify(ctx, c.credential, nil)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Identify(%q) = %v, want %v", c.credential, err, c.err)
			}
			continue
		}
		if err != nil || !c.check(caller) {
			t.Errorf("Identify(%q) = %+v, %v", c.credential, caller, err)
		}
	}
}

func TestUnknownKeysCountAsMisses(t *testing.T) {
	t.Parallel()
	now := time.Now()
	store, _, secret := newKeyFixture(t, now)
	ring := app.NewKeyRing(store, nil, &fixedClock{now}, app.KeyRingOptions{
		Private: true, Misses: app.MissLimit{PerMinute: 2, Limiter: memory.NewRateLimiter()},
	}, quietLog)
	ctx := context.Background()
	for i := range 2 {
		_, unknown, _ := domain.NewAPIKey("ws", domain.RoleOwner, "never stored", now)
		if _, err := ring.Identify(ctx, unknown, client("scanner")); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("unknown key %d = %v, want ErrUnauthenticated", i, err)
		}
	}
	_, unknown, _ := domain.NewAPIKey("ws", domain.RoleOwner, "never stored", now)
	var tooMany *app.TooManyMissesError
	if _, err := ring.Identify(ctx, unknown, client("scanner")); !errors.As(err, &tooMany) {
		t.Fatalf("a third unknown key in a minute = %v, want TooManyMissesError", err)
	}
	if _, err := ring.Identify(ctx, secret, client("someone else")); err != nil {
		t.Fatalf("another client's valid key = %v", err)
	}
}
