package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

// movingClock is a clock a test moves.
type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *movingClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// replica is one process of a deployment in these tests: its own memory,
// the shared cache and store of all, and its follower of the store's
// changes.
type replica struct {
	local    *memory.Cache
	caches   *app.LinkCaches
	follower *app.ChangeFollower
	resolver *app.Resolver
	manager  *app.Manager
}

func newReplica(t *testing.T, store *memory.LinkStore, shared ports.LinkCache, clock ports.Clock) replica {
	t.Helper()
	local := mustMemoryCache(t)
	caches := app.NewLinkCaches(local, shared, true)
	return replica{
		local: local, caches: caches,
		follower: app.NewChangeFollower(store.ChangeFeed(), caches, clock, quietLog),
		resolver: app.NewResolver(store, caches, clock, app.MissLimit{}, quietLog),
		manager:  app.NewManager(store, caches, clock, managerOptions(adminKey), quietLog),
	}
}

func (r replica) follow(t *testing.T) {
	t.Helper()
	if err := r.follower.FollowOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (r replica) expectResolve(t *testing.T, code string, want error) {
	t.Helper()
	if _, err := r.resolver.Resolve(context.Background(), code, someone); !errors.Is(err, want) {
		t.Fatalf("Resolve(%s) = %v, want %v", code, err, want)
	}
}

// storeLink puts a live link of code in store, owned by token "tok".
func storeLink(t *testing.T, store *memory.LinkStore, code domain.Code, created time.Time) domain.ShortLink {
	t.Helper()
	link := porttest.Link(code).Created(created).OwnedBy("tok").Build()
	stored, err := store.Insert(context.Background(), link, quarantine.FreeAfter(link))
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// TestTheLocalTierAnswersOnlyWhileTheFeedKeepsUp: in front of a shared
// cache, the process's memory answers only once its follower has caught
// up, and stops answering when the follower falls behind by localTrust;
// the shared cache and the store answer meanwhile.
func TestTheLocalTierAnswersOnlyWhileTheFeedKeepsUp(t *testing.T) {
	t.Parallel()
	clock := &movingClock{t: now}
	store, shared := memory.NewLinkStore(), mustMemoryCache(t)
	r := newReplica(t, store, shared, clock)
	link := storeLink(t, store, "tiered", now)
	if err := r.local.Set(context.Background(), link, now); err != nil {
		t.Fatal(err)
	}
	store.SetDown(true) // answers now come from a cache or fail

	r.expectResolve(t, "tiered", domain.ErrUnavailable) // memory is not asked before the follower caught up
	store.SetDown(false)
	r.follow(t) // the first read drops whatever memory held before it
	store.SetDown(true)
	if err := r.local.Set(context.Background(), link, now); err != nil {
		t.Fatal(err)
	}
	r.expectResolve(t, "tiered", nil)      // from memory, once caught up
	clock.Advance(1500 * time.Millisecond) // the follower has not read since
	r.expectResolve(t, "tiered", domain.ErrUnavailable)
}

// TestAReplicaFollowsAnotherOnesChangeWithoutTheSharedCache: a change made
// on one replica, whose write to the shared cache failed, reaches the
// other replica's memory through the store's feed; the stale copy the
// shared cache still holds is not asked for (the store answers), and it
// cannot come back.
func TestAReplicaFollowsAnotherOnesChangeWithoutTheSharedCache(t *testing.T) {
	t.Parallel()
	clock := &movingClock{t: now}
	store, shared := memory.NewLinkStore(), mustMemoryCache(t)
	a, b := newReplica(t, store, shared, clock), newReplica(t, store, shared, clock)
	link := storeLink(t, store, "taken", now)
	for _, r := range []replica{a, b} {
		r.follow(t)
		r.expectResolve(t, "taken", nil) // cached in both memories, and in the shared cache
	}
	stale, _, _ := shared.Get(context.Background(), "taken", now)

	yes := true
	if _, err := a.manager.Update(context.Background(), "taken", adminKey, someone, app.Patch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	_ = shared.Set(context.Background(), stale, now) // as if A's write to the shared cache had been lost
	a.expectResolve(t, "taken", domain.ErrGone)      // A's own memory has the change before it answers
	b.expectResolve(t, "taken", nil)                 // B has not read the feed yet
	b.follow(t)
	b.expectResolve(t, "taken", domain.ErrGone)
	b.expectResolve(t, "taken", domain.ErrGone) // now from memory, which took the store's copy
	if got, result, _ := b.local.Get(context.Background(), "taken", now); result != ports.CacheHit || got.State() != domain.StateDisabled || got.ID() != link.ID() {
		t.Fatalf("B's memory = %v %v, want the disabled link", result, got.State())
	}
	if _, result, _ := shared.Get(context.Background(), "taken", now); result != ports.CacheHit {
		t.Fatal("the test meant the shared cache to keep its stale copy")
	}
}

// TestALocalTierKeepsNoNegativesInFrontOfASharedOne: a create of a code
// never claimed is not on the feed, so another replica's memory must not
// hold what could hide the new link: unknown codes are remembered in the
// shared cache only. A deleted link's tombstone is kept in memory (its
// lookups must not all reach the store): a create that takes the code
// over once its quarantine is over is on the feed, and replaces it.
func TestALocalTierKeepsNoNegativesInFrontOfASharedOne(t *testing.T) {
	t.Parallel()
	clock := &movingClock{t: now}
	store, shared := memory.NewLinkStore(), mustMemoryCache(t)
	a, b := newReplica(t, store, shared, clock), newReplica(t, store, shared, clock)
	for _, r := range []replica{a, b} {
		r.follow(t)
	}
	a.expectResolve(t, "unknown", domain.ErrNotFound)
	if _, result, _ := a.local.Get(context.Background(), "unknown", now); result != ports.CacheMiss {
		t.Fatalf("memory after a miss = %v, want nothing", result)
	}
	if _, result, _ := shared.Get(context.Background(), "unknown", now); result != ports.CacheNegativeHit {
		t.Fatalf("shared cache after a miss = %v, want a negative entry", result)
	}

	// A link deleted a while ago; its code's quarantine is over.
	old := porttest.Link("reused").Created(now.Add(-3 * time.Hour)).Expires(now.Add(-2 * time.Hour)).State(domain.StateDeleted).URL("").Build()
	if _, err := store.Insert(context.Background(), old, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	b.expectResolve(t, "reused", domain.ErrGone) // from the store, written back to the shared cache
	if _, result, _ := b.local.Get(context.Background(), "reused", now); result != ports.CacheMiss {
		t.Fatalf("B's memory after one lookup = %v, want nothing: a link read once stays out of memory", result)
	}
	b.expectResolve(t, "reused", domain.ErrGone) // from the shared cache, kept in memory
	if got, result, _ := b.local.Get(context.Background(), "reused", now); result != ports.CacheHit || got.State() != domain.StateDeleted {
		t.Fatalf("B's memory after the second lookup = %v, want the tombstone", result)
	}
	created := porttest.Link("reused").Created(now).Build()
	if _, err := store.Insert(context.Background(), created, quarantine.FreeAfter(created)); err != nil {
		t.Fatalf("taking the code over: %v", err)
	}
	b.follow(t)
	b.expectResolve(t, "reused", nil)
}

// TestAFollowerStartsOverWhenItFellBehind: the first read, and one after
// the follower could not read for half the time the store keeps changes,
// drop every copy in memory (changes may have been missed); reads in
// between drop only what changed.
func TestAFollowerStartsOverWhenItFellBehind(t *testing.T) {
	t.Parallel()
	clock := &movingClock{t: now}
	store, shared := memory.NewLinkStore(), mustMemoryCache(t)
	r := newReplica(t, store, shared, clock)
	kept := storeLink(t, store, "kept", now)
	held := func() bool {
		_, result, _ := r.local.Get(context.Background(), "kept", clock.Now())
		return result == ports.CacheHit
	}
	_ = r.local.Set(context.Background(), kept, now)
	r.follow(t)
	if held() {
		t.Fatal("the first read kept what memory held before it")
	}
	_ = r.local.Set(context.Background(), kept, clock.Now())
	clock.Advance(time.Second)
	r.follow(t)
	if !held() {
		t.Fatal("a read with nothing changed dropped a copy")
	}
	clock.Advance(31 * time.Minute) // no read for over half of an hour
	r.follow(t)
	if held() {
		t.Fatal("a read after the follower fell behind kept a copy")
	}
}
