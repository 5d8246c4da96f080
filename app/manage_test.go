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
	creator := app.NewCreator(store, cache, app.NewCodeSupply(nil, store, app.NewCodeSecrets(store, "", false, quietLog), 4, quietLog),
		clock, urlPolicy, expiry, quarantine, quietLog)
	created, err := creator.Create(context.Background(), app.CreateRequest{URL: "https://example.com/managed"})
	if err != nil {
		t.Fatal(err)
	}
	return managed{
		m:     app.NewManager(store, cache, clock, []string{adminKey}, quarantine, expiry.Max, quietLog),
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
			_, err := d.m.Update(ctx, tt.code, tt.bearer, app.Patch{ExpiresAt: &future, Disabled: &disable})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Update error = %v, want %v", err, tt.want)
			}
			if err := d.m.Delete(ctx, tt.code, tt.bearer+"x"); tt.want == nil && !errors.Is(err, domain.ErrForbidden) {
				t.Fatalf("Delete with a wrong key error = %v, want ErrForbidden", err)
			}
		})
	}
}

func TestInfoWithoutCredentialsShowsOnlyLiveLinks(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	info, err := d.m.Info(ctx, d.code, "")
	if err != nil || info.Status != domain.StatusActive || info.Link.URL() != "https://example.com/managed" {
		t.Fatalf("public info = %+v, %v", info, err)
	}
	disable := true
	if _, err := d.m.Update(ctx, d.code, d.token, app.Patch{Disabled: &disable}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.m.Info(ctx, d.code, ""); !errors.Is(err, domain.ErrGone) {
		t.Fatalf("public info of a disabled link error = %v, want ErrGone", err)
	}
	if info, err := d.m.Info(ctx, d.code, d.token); err != nil || info.Status != domain.StatusDisabled {
		t.Fatalf("owner info = %+v, %v; want disabled", info, err)
	}
	if _, err := d.m.Info(ctx, d.code, "guess"); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("info with a wrong token error = %v, want ErrForbidden", err)
	}
}

func TestAdminDisableBindsTheOwner(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	yes, no := true, false
	if _, err := d.m.Update(ctx, d.code, adminKey, app.Patch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.m.Update(ctx, d.code, d.token, app.Patch{Disabled: &no}); !errors.Is(err, domain.ErrAdminOnly) {
		t.Fatalf("owner enable after an admin disable error = %v, want ErrAdminOnly", err)
	}
	if info, err := d.m.Update(ctx, d.code, adminKey, app.Patch{Disabled: &no}); err != nil || info.Status != domain.StatusActive {
		t.Fatalf("admin enable = %+v, %v", info, err)
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
		info, err := d.m.Update(ctx, d.code, d.token, app.Patch{ExpiresAt: &at})
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
	m := app.NewManager(store, mustMemoryCache(t), fixedClock{now}, nil, quarantine, expiry.Max, quietLog)
	later := now.Add(time.Hour)
	if _, err := m.Update(context.Background(), "old", "tok", app.Patch{ExpiresAt: &later}); !errors.Is(err, domain.ErrLinkExpired) {
		t.Fatalf("extend of an expired link error = %v, want ErrLinkExpired", err)
	}
	for _, disabled := range []bool{true, false} {
		if _, err := m.Update(context.Background(), "old", "tok", app.Patch{Disabled: &disabled}); !errors.Is(err, domain.ErrLinkExpired) {
			t.Fatalf("disabled=%v on an expired link error = %v, want ErrLinkExpired", disabled, err)
		}
	}
	if info, err := m.Info(context.Background(), "old", "tok"); err != nil || info.Status != domain.StatusExpired {
		t.Fatalf("owner info = %+v, %v; want expired", info, err)
	}
	if _, err := m.Info(context.Background(), "old", ""); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("public info of an expired link error = %v, want ErrNotFound", err)
	}
}

func TestDeleteErasesTheTargetForGood(t *testing.T) {
	t.Parallel()
	d := newManaged(t)
	ctx := context.Background()
	if err := d.m.Delete(ctx, d.code, d.token); err != nil {
		t.Fatal(err)
	}
	info, err := d.m.Info(ctx, d.code, adminKey)
	if err != nil || info.Status != domain.StatusDeleted || info.Link.URL() != "" {
		t.Fatalf("info after delete = %+v, %v; want deleted with no url", info, err)
	}
	no := false
	if _, err := d.m.Update(ctx, d.code, adminKey, app.Patch{Disabled: &no}); !errors.Is(err, domain.ErrGone) {
		t.Fatalf("update after delete error = %v, want ErrGone", err)
	}
	if err := d.m.Delete(ctx, d.code, d.token); !errors.Is(err, domain.ErrGone) {
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
					err = d.m.Delete(ctx, d.code, d.token)
				default:
					v := i%3 == 1
					_, err = d.m.Update(ctx, d.code, d.token, app.Patch{Disabled: &v})
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
	m := app.NewManager(store, cache, fixedClock{now}, nil, quarantine, expiry.Max, quietLog)
	ctx := context.Background()
	disable, enable := true, false
	if _, err := m.Update(ctx, "raced", token, app.Patch{Disabled: &disable}); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := m.Update(ctx, "raced", token, app.Patch{Disabled: &enable}); err != nil {
			t.Errorf("enable: %v", err)
		}
	})
	<-cache.enabling // the enable has committed and is about to write the cache
	deleted := make(chan error, 1)
	go func() { deleted <- m.Delete(ctx, "raced", token) }()
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
	_, err := app.NewResolver(store, cache, fixedClock{now}, app.MissLimit{}, quietLog).Resolve(ctx, "raced", client("1.2.3.4"))
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
