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

// batchCache is a shared tier that takes write-backs in batches: an
// in-process cache whose AddAll is its Add of each link, counted, and
// held while gate is set until it is closed.
type batchCache struct {
	*memory.Cache
	mu      sync.Mutex
	batched int // links that came through AddAll
	gate    chan struct{}
	fail    error
}

func (c *batchCache) AddAll(ctx context.Context, links []domain.ShortLink, now time.Time) error {
	if c.gate != nil {
		<-c.gate
	}
	c.mu.Lock()
	c.batched += len(links)
	c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	for _, link := range links {
		_ = c.Add(ctx, link, now)
	}
	return nil
}

func (c *batchCache) batchedLinks() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.batched
}

var _ ports.LinkCacheBatch = (*batchCache)(nil)

// writeBehindResolver is a resolver in front of shared alone (a replica
// without a change feed, as in the miss benchmark), with WriteBehind.
func writeBehindResolver(store ports.LinkStore, shared ports.LinkCache) (*app.Resolver, *app.LinkCaches) {
	caches := app.NewLinkCaches(nil, shared, false).WriteBehind(fixedClock{now}, quietLog)
	return app.NewResolver(store, caches, fixedClock{now}, app.MissLimit{}, quietLog), caches
}

func mustResolve(t *testing.T, r *app.Resolver, code domain.Code) {
	t.Helper()
	if _, err := r.Resolve(context.Background(), string(code), someone); err != nil {
		t.Fatalf("Resolve(%s): %v", code, err)
	}
}

func expectShared(t *testing.T, shared ports.LinkCache, want domain.ShortLink) {
	t.Helper()
	got, result, err := shared.Get(context.Background(), want.Code(), now)
	if err != nil || result != ports.CacheHit || got.Version() != want.Version() || got.URL() != want.URL() {
		t.Fatalf("shared tier holds %+v (%v, %v) for %s, want %+v", got, result, err, want.Code(), want)
	}
}

// TestWriteBackAfterTheAnswer: while the write-behind runs, a lookup the
// store answered hands its write-back to it (AddAll), and Stop sends what
// waits; stopped, lookups write back themselves (Add) again.
func TestWriteBackAfterTheAnswer(t *testing.T) {
	t.Parallel()
	store, shared := memory.NewLinkStore(), &batchCache{Cache: mustMemoryCache(t)}
	resolver, caches := writeBehindResolver(store, shared)
	first, second := storeLink(t, store, "behind1", now), storeLink(t, store, "behind2", now)

	if err := caches.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustResolve(t, resolver, first.Code())
	if err := caches.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if shared.batchedLinks() != 1 {
		t.Fatalf("%d links written back in batches, want the lookup's one", shared.batchedLinks())
	}
	expectShared(t, shared, first)

	mustResolve(t, resolver, second.Code()) // stopped: written back before Resolve returns
	expectShared(t, shared, second)
	if shared.batchedLinks() != 1 {
		t.Fatalf("%d links written back in batches after Stop, want none more", shared.batchedLinks()-1)
	}
}

// TestALateWriteBackDoesNotUndoAChange: a lookup read a link, and a change
// is cached before the lookup's write-back is sent: the write-back, an
// Add, leaves the change's entry as it was.
func TestALateWriteBackDoesNotUndoAChange(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	shared := &batchCache{Cache: mustMemoryCache(t), gate: make(chan struct{})}
	resolver, caches := writeBehindResolver(store, shared)
	old := storeLink(t, store, "raced", now)
	if err := caches.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustResolve(t, resolver, old.Code()) // its write-back waits at the gate

	changed := porttest.Link(old.Code()).ID(old.ID()).URL("https://example.com/changed").Created(now).Version(old.Version() + 1).Build()
	if err := shared.Set(context.Background(), changed, now); err != nil {
		t.Fatal(err)
	}
	close(shared.gate)
	if err := caches.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if shared.batchedLinks() != 1 {
		t.Fatalf("%d links written back in batches, want the lookup's one", shared.batchedLinks())
	}
	expectShared(t, shared, changed)
}

// TestAFailedWriteBackIsCounted: a batch the shared tier refuses counts
// among the resolver's cache errors, and the lookup was answered anyway.
func TestAFailedWriteBackIsCounted(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	shared := &batchCache{Cache: mustMemoryCache(t), fail: errors.New("redis is down")}
	resolver, caches := writeBehindResolver(store, shared)
	link := storeLink(t, store, "lost", now)
	if err := caches.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustResolve(t, resolver, link.Code())
	if err := caches.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := resolver.CacheErrors(); got != 1 {
		t.Fatalf("CacheErrors = %d, want the failed write-back", got)
	}
}

// TestWriteBehindNeedsABatchingTier: a shared tier without AddAll keeps
// the write-back in the lookup.
func TestWriteBehindNeedsABatchingTier(t *testing.T) {
	t.Parallel()
	store, shared := memory.NewLinkStore(), mustMemoryCache(t)
	resolver, caches := writeBehindResolver(store, shared)
	link := storeLink(t, store, "plain", now)
	if err := caches.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer caches.Stop(context.Background()) //nolint:errcheck // nothing runs
	mustResolve(t, resolver, link.Code())
	expectShared(t, shared, link)
}
