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

const adminKey = "admin-key-0123456789"

// managed is a Manager on in-memory ports, with one link and its token.
type managed struct {
	m     *app.Manager
	cache *memory.Cache
	code  string
	token string
}

func newManaged(t *testing.T) managed {
	t.Helper()
	store := memory.NewLinkStore()
	cache, err := memory.NewCache(memory.CacheOptions{TTL: time.Hour, NegativeTTL: time.Second, MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	clock := fixedClock{now}
	caches := app.NewLinkCaches(cache, nil, false)
	creator := app.NewCreator(store, caches, app.NewCodeSupply(nil, store, app.NewCodeSecrets(store, "", false, quietLog), 4, quietLog),
		clock, urlPolicy, expiry, quarantine, quietLog)
	created, err := creator.Create(context.Background(), app.CreateRequest{URL: "https://example.com/managed"})
	if err != nil {
		t.Fatal(err)
	}
	return managed{
		m:     app.NewManager(store, caches, clock, managerOptions(adminKey), quietLog),
		cache: cache, code: created.Link.Code().String(), token: created.ManageToken,
	}
}

func TestManagementAnswerPrecedence(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	other := newManaged(t) // another link, and its token
	ctx := context.Background()
	future := now.Add(time.Hour)
	disable := true
	tests := []struct {
		name   string
		code   string
		bearer string
		want   error
	}{
		{"unknown code before credentials", "NoSuch1", "", domain.ErrNotFound},
		{"unknown code with admin key", "NoSuch1", adminKey, domain.ErrNotFound},
		{"invalid code", "not/valid", "", domain.ErrInvalidInput},
		{"no credentials", d.code, "", domain.ErrUnauthenticated},
		{"wrong token", d.code, "guess", domain.ErrForbidden},
		{"another link's token", d.code, other.token, domain.ErrForbidden},
		{"owner", d.code, d.token, nil},
		{"admin", d.code, adminKey, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.m.Update(ctx, tt.code, tt.bearer, someone, app.Patch{ExpiresAt: &future, Disabled: &disable})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Update error = %v, want %v", err, tt.want)
			}
			if err := d.m.Delete(ctx, tt.code, tt.bearer+"x", someone); tt.want == nil && !errors.Is(err, domain.ErrForbidden) {
				t.Fatalf("Delete with a wrong key error = %v, want ErrForbidden", err)
			}
		})
	}
}

func TestInfoNeedsCredentialsThatGrantTheLink(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	disable := true
	if _, err := d.m.Update(ctx, d.code, d.token, someone, app.Patch{Disabled: &disable}); err != nil {
		t.Fatal(err)
	}
	// Public info is the Resolver's: management needs credentials.
	if _, err := d.m.Info(ctx, d.code, "", someone); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("info without credentials error = %v, want ErrUnauthenticated", err)
	}
	for _, bearer := range []string{d.token, adminKey} {
		if info, err := d.m.Info(ctx, d.code, bearer, someone); err != nil || info.Status != domain.StatusDisabled || info.Link.URL() != "https://example.com/managed" {
			t.Fatalf("info with %q = %+v, %v; want disabled, with its target", bearer, info, err)
		}
	}
	if _, err := d.m.Info(ctx, d.code, "guess", someone); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("info with a wrong token error = %v, want ErrForbidden", err)
	}
}

// TestATakedownBindsTheOwner: once an admin disabled a link, its owner can
// neither enable it, nor change its expiry, nor delete it (which would
// erase the target the operator keeps); the owner still reads its info.
// An admin can do all of it.
func TestATakedownBindsTheOwner(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	yes, no := true, false
	shorter := now.Add(time.Minute)
	if _, err := d.m.Update(ctx, d.code, adminKey, someone, app.Patch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]app.Patch{"enable": {Disabled: &no}, "disable": {Disabled: &yes}, "shorten": {ExpiresAt: &shorter}} {
		if _, err := d.m.Update(ctx, d.code, d.token, someone, p); !errors.Is(err, domain.ErrTakenDown) {
			t.Fatalf("owner's %s of a taken-down link error = %v, want ErrTakenDown", name, err)
		}
	}
	if err := d.m.AuthorizeChange(ctx, d.code, d.token, someone); !errors.Is(err, domain.ErrTakenDown) {
		t.Fatalf("AuthorizeChange for the owner of a taken-down link = %v, want ErrTakenDown", err)
	}
	if err := d.m.Delete(ctx, d.code, d.token, someone); !errors.Is(err, domain.ErrTakenDown) {
		t.Fatalf("owner's delete of a taken-down link error = %v, want ErrTakenDown", err)
	}
	info, err := d.m.Info(ctx, d.code, d.token, someone)
	if err != nil || info.Status != domain.StatusDisabled || info.Link.URL() != "https://example.com/managed" || !info.Link.ExpiresAt().Equal(now.Add(expiry.Default)) {
		t.Fatalf("owner's info after the refusals = %+v, %v; want it disabled, unchanged, target kept", info, err)
	}
	if info, err := d.m.Update(ctx, d.code, adminKey, someone, app.Patch{ExpiresAt: &shorter}); err != nil || !info.Link.ExpiresAt().Equal(shorter) {
		t.Fatalf("admin's change of a taken-down link = %+v, %v", info, err)
	}
	if err := d.m.Delete(ctx, d.code, adminKey, someone); err != nil {
		t.Fatalf("admin's delete of a taken-down link: %v", err)
	}
}

// TestAnExpiredLinkLooksUnknownToOthers: to no credentials or credentials
// that do not grant it, an expired link answers as an unknown code on
// every management route; its owner and admins still manage it.
func TestAnExpiredLinkLooksUnknownToOthers(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	link := porttest.Link("old").Created(now.Add(-2 * time.Hour)).Expires(now.Add(-time.Hour)).OwnedBy("tok").Build()
	if _, err := store.Insert(context.Background(), link, quarantine.FreeAfter(link)); err != nil {
		t.Fatal(err)
	}
	m := app.NewManager(store, app.NewLinkCaches(mustMemoryCache(t), nil, false), fixedClock{now}, managerOptions(adminKey), quietLog)
	ctx := context.Background()
	yes := true
	for _, bearer := range []string{"", "guess"} {
		if _, err := m.Info(ctx, "old", bearer, someone); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("info with %q = %v, want ErrNotFound", bearer, err)
		}
		if _, err := m.Authorize(ctx, "old", bearer, someone); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("stats' authorization with %q = %v, want ErrNotFound", bearer, err)
		}
		if _, err := m.Update(ctx, "old", bearer, someone, app.Patch{Disabled: &yes}); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("update with %q = %v, want ErrNotFound", bearer, err)
		}
		if err := m.Delete(ctx, "old", bearer, someone); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("delete with %q = %v, want ErrNotFound", bearer, err)
		}
	}
	for _, bearer := range []string{"tok", adminKey} {
		if info, err := m.Info(ctx, "old", bearer, someone); err != nil || info.Status != domain.StatusExpired {
			t.Errorf("info with %q = %+v, %v; want expired", bearer, info, err)
		}
	}
	if err := m.Delete(ctx, "old", "tok", someone); err != nil {
		t.Errorf("owner's delete of an expired link: %v", err)
	}
}

// TestManagementLookupsCountAgainstTheMissLimit: unknown codes (and
// expired links the credentials do not grant) looked up by management
// routes count against MISS_RATE_LIMIT like public ones, and a throttled
// client is refused before the store is touched.
func TestManagementLookupsCountAgainstTheMissLimit(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	link := porttest.Link("old").Created(now.Add(-2 * time.Hour)).Expires(now.Add(-time.Hour)).OwnedBy("tok").Build()
	if _, err := store.Insert(context.Background(), link, quarantine.FreeAfter(link)); err != nil {
		t.Fatal(err)
	}
	opts := managerOptions(adminKey)
	opts.Misses = app.MissLimit{PerMinute: 2, Limiter: memory.NewRateLimiter()}
	m := app.NewManager(store, app.NewLinkCaches(mustMemoryCache(t), nil, false), fixedClock{now}, opts, quietLog)
	ctx := context.Background()
	scanner := client("198.51.100.7")
	if _, err := m.Info(ctx, "NoSuch1", adminKey, scanner); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("first miss = %v, want ErrNotFound", err)
	}
	if _, err := m.Authorize(ctx, "old", "guess", scanner); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("second miss (an expired link) = %v, want ErrNotFound", err)
	}
	store.SetDown(true) // any further lookup would now fail with ErrUnavailable
	var tooMany *app.TooManyMissesError
	if err := m.Delete(ctx, "NoSuch2", adminKey, scanner); !errors.As(err, &tooMany) {
		t.Fatalf("third lookup = %v, want TooManyMissesError without a store lookup", err)
	}
	if _, err := m.Info(ctx, "old", "tok", client("198.51.100.8")); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("another client = %v, want a store lookup (ErrUnavailable here)", err)
	}
}

func TestExtendAndShorten(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		at    time.Time
		field bool
	}{
		{"in the past", now.Add(-time.Minute), true},
		{"now", now, true},
		{"past created + MAX_TTL", now.Add(expiry.Max + time.Second), true},
		{"shorter", now.Add(time.Minute), false},
		{"at created + MAX_TTL", now.Add(expiry.Max), false},
	} {
		at := tt.at
		info, err := d.m.Update(ctx, d.code, d.token, someone, app.Patch{ExpiresAt: &at})
		var verr *domain.ValidationError
		switch {
		case tt.field && (!errors.As(err, &verr) || verr.Field != "expires_at"):
			t.Fatalf("%s: error = %v, want a validation error on expires_at", tt.name, err)
		case !tt.field && (err != nil || !info.Link.ExpiresAt().Equal(at)):
			t.Fatalf("%s: Update = %+v, %v", tt.name, info, err)
		}
	}
	if link, _, _ := d.cache.Get(ctx, domain.Code(d.code), now); !link.ExpiresAt().Equal(now.Add(expiry.Max)) {
		t.Fatalf("the cache still holds expiry %v", link.ExpiresAt())
	}
}

func TestExpiredLinkCannotBeRevived(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	link := porttest.Link("old").Created(now.Add(-2 * time.Hour)).Expires(now.Add(-time.Hour)).OwnedBy("tok").Build()
	if _, err := store.Insert(context.Background(), link, quarantine.FreeAfter(link)); err != nil {
		t.Fatal(err)
	}
	m := app.NewManager(store, app.NewLinkCaches(mustMemoryCache(t), nil, false), fixedClock{now}, managerOptions(), quietLog)
	later := now.Add(time.Hour)
	if _, err := m.Update(context.Background(), "old", "tok", someone, app.Patch{ExpiresAt: &later}); !errors.Is(err, domain.ErrLinkExpired) {
		t.Fatalf("extend of an expired link error = %v, want ErrLinkExpired", err)
	}
	for _, disabled := range []bool{true, false} {
		if _, err := m.Update(context.Background(), "old", "tok", someone, app.Patch{Disabled: &disabled}); !errors.Is(err, domain.ErrLinkExpired) {
			t.Fatalf("disabled=%v on an expired link error = %v, want ErrLinkExpired", disabled, err)
		}
	}
	if info, err := m.Info(context.Background(), "old", "tok", someone); err != nil || info.Status != domain.StatusExpired {
		t.Fatalf("owner info = %+v, %v; want expired", info, err)
	}
}

func TestDeleteErasesTheTargetForGood(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	if err := d.m.Delete(ctx, d.code, d.token, someone); err != nil {
		t.Fatal(err)
	}
	info, err := d.m.Info(ctx, d.code, adminKey, someone)
	if err != nil || info.Status != domain.StatusDeleted || info.Link.URL() != "" {
		t.Fatalf("info after delete = %+v, %v; want deleted with no url", info, err)
	}
	no := false
	if _, err := d.m.Update(ctx, d.code, adminKey, someone, app.Patch{Disabled: &no}); !errors.Is(err, domain.ErrGone) {
		t.Fatalf("update after delete error = %v, want ErrGone", err)
	}
	if err := d.m.Delete(ctx, d.code, d.token, someone); !errors.Is(err, domain.ErrGone) {
		t.Fatalf("second delete error = %v, want ErrGone", err)
	}
	// The cache answers with the deleted link (a 410), never the live one.
	if link, result, _ := d.cache.Get(ctx, domain.Code(d.code), now); result != ports.CacheHit || link.State() != domain.StateDeleted || link.URL() != "" {
		t.Fatalf("the cache answers %+v (%v) for a deleted link, want its tombstone", link, result)
	}
}

// TestConcurrentChangesAreSerial mixes disables, enables and deletes from
// 32 goroutines: every answer fits one serial order, so once a delete has
// answered, every request that starts after it sees the link gone.
func TestConcurrentChangesAreSerial(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		deleted bool
		deletes int
	)
	for i := range 32 {
		wg.Go(func() {
			for range 10 {
				mu.Lock()
				after := deleted
				mu.Unlock()
				var err error
				switch i % 3 {
				case 0:
					err = d.m.Delete(ctx, d.code, d.token, someone)
				default:
					v := i%3 == 1
					_, err = d.m.Update(ctx, d.code, d.token, someone, app.Patch{Disabled: &v})
				}
				if after && !errors.Is(err, domain.ErrGone) {
					t.Errorf("a change after the delete answered %v, want ErrGone", err)
				}
				if err == nil && i%3 == 0 {
					mu.Lock()
					deleted = true
					deletes++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if deletes != 1 {
		t.Fatalf("%d deletes succeeded, want exactly 1", deletes)
	}
}

// managerOptions are the tests' manager settings, with adminKeys.
func managerOptions(adminKeys ...string) app.ManagerOptions {
	return app.ManagerOptions{AdminKeys: adminKeys, Quarantine: quarantine, MaxTTL: expiry.Max}
}

func mustMemoryCache(t *testing.T) *memory.Cache {
	t.Helper()
	c, err := memory.NewCache(memory.CacheOptions{TTL: time.Hour, NegativeTTL: time.Second, MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCacheLearnsChangesInCommitOrder holds an enable's cache write back
// while a delete of the same link runs: the delete must not commit and
// write the cache before the enable's write lands, or the enable's older
// version would be left in the cache and the deleted link would redirect.
func TestCacheLearnsChangesInCommitOrder(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	cache := &heldCache{LinkCache: mustMemoryCache(t), enabling: make(chan struct{}), release: make(chan struct{})}
	token, _ := domain.NewManageToken()
	link := porttest.Link("raced").Created(now).OwnedBy(token).Build()
	if _, err := store.Insert(context.Background(), link, quarantine.FreeAfter(link)); err != nil {
		t.Fatal(err)
	}
	caches := app.NewLinkCaches(nil, cache, false) // the one tier, as a shared cache
	m := app.NewManager(store, caches, fixedClock{now}, managerOptions(), quietLog)
	ctx := context.Background()
	disable, enable := true, false
	if _, err := m.Update(ctx, "raced", token, someone, app.Patch{Disabled: &disable}); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := m.Update(ctx, "raced", token, someone, app.Patch{Disabled: &enable}); err != nil {
			t.Errorf("enable: %v", err)
		}
	})
	<-cache.enabling // the enable has committed and is about to write the cache
	deleted := make(chan error, 1)
	go func() { deleted <- m.Delete(ctx, "raced", token, someone) }()
	select {
	case err := <-deleted: // the delete did not wait: it committed and wrote the cache first
		close(cache.release)
		wg.Wait()
		t.Fatalf("the delete (%v) finished while the enable's cache write was held back", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(cache.release)
	wg.Wait()
	if err := <-deleted; err != nil {
		t.Fatal(err)
	}
	_, err := app.NewResolver(store, caches, fixedClock{now}, app.MissLimit{}, quietLog).Resolve(ctx, "raced", client("1.2.3.4"))
	if !errors.Is(err, domain.ErrGone) {
		t.Fatalf("resolve after the delete = %v, want ErrGone", err)
	}
}

// heldCache holds back the cache write of an enabled (active) link until
// release is closed, and says when it starts waiting.
type heldCache struct {
	ports.LinkCache
	enabling, release chan struct{}
}

func (c *heldCache) Set(ctx context.Context, link domain.ShortLink, now time.Time) error {
	if link.State() == domain.StateActive {
		close(c.enabling)
		<-c.release
	}
	return c.LinkCache.Set(ctx, link, now)
}
