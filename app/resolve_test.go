package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

func (d deps) resolver() *app.Resolver {
	return app.NewResolver(d.store, d.caches(), fixedClock{now}, app.MissLimit{}, quietLog)
}

// client is a requester with a fixed address.
type client string

func (c client) ClientKey() string { return string(c) }

func TestResolve(t *testing.T) {
	t.Parallel()
	abc := porttest.Link("abc").ID(1).URL("https://example.com").Created(now)
	live := abc.Build()
	expired := abc.Expires(now).Build()
	disabled := abc.State(domain.StateDisabled).Build()
	deleted := abc.URL("").Expires(now).State(domain.StateDeleted).Build() // a deletion ends the link's life: now
	tests := []struct {
		name    string
		expect  func(d deps)
		want    domain.ShortLink
		wantErr error
	}{
		{"cache hit skips the store", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(live, ports.CacheHit, nil)
		}, live, nil},
		{"negative hit skips the store", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheNegativeHit, nil)
		}, domain.ShortLink{}, domain.ErrNotFound},
		{"miss reads through and fills the cache", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(live, nil)
			d.cache.EXPECT().Add(gomock.Any(), live, now).Return(nil)
		}, live, nil},
		{"disabled link is gone, from the cache", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(disabled, ports.CacheHit, nil)
		}, disabled, domain.ErrGone},
		{"disabled link is gone, from the store, and cached as such", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(disabled, nil)
			d.cache.EXPECT().Add(gomock.Any(), disabled, now).Return(nil)
		}, disabled, domain.ErrGone},
		{"expired link in the store is not found", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(expired, nil)
			d.cache.EXPECT().SetMissing(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(nil)
		}, domain.ShortLink{}, domain.ErrNotFound},
		{"deleted link is gone, from the store, though its life ended", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(deleted, nil)
			d.cache.EXPECT().Add(gomock.Any(), deleted, now).Return(nil) // a link with no time left: the cache keeps nothing
		}, deleted, domain.ErrGone},
		{"unknown code is cached as missing", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(domain.ShortLink{}, domain.ErrNotFound)
			d.cache.EXPECT().SetMissing(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(nil)
		}, domain.ShortLink{}, domain.ErrNotFound},
		{"expired cache entry is never served", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(expired, ports.CacheHit, nil)
		}, expired, domain.ErrNotFound},
		{"cache outage degrades to the store without writing back", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, errors.New("down"))
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(live, nil)
		}, live, nil},
		{"cache write failure still answers", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(live, nil)
			d.cache.EXPECT().Add(gomock.Any(), live, now).Return(errors.New("down"))
		}, live, nil},
		{"store outage is unavailable", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().Find(gomock.Any(), domain.Code("abc"), now).Return(domain.ShortLink{}, domain.ErrUnavailable)
		}, domain.ShortLink{}, domain.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDeps(t)
			tt.expect(d)
			got, err := d.resolver().Resolve(context.Background(), "abc", client("192.0.2.1"))
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Resolve = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestResolveInvalidCodeTouchesNothing(t *testing.T) {
	t.Parallel()
	_, err := newDeps(t).resolver().Resolve(context.Background(), "not/valid", client("192.0.2.1"))
	if !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("Resolve error = %v, want ErrInvalidInput", err)
	}
}

// TestMissLimitRefusesScannersWithoutAStoreLookup: a client whose lookups
// found nothing MISS_RATE_LIMIT times in a window gets 429 for every resolve
// the cache cannot answer, without a store lookup, while cached links keep
// resolving for it and other clients are not affected.
func TestMissLimitRefusesScannersWithoutAStoreLookup(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	cache, err := memory.NewCache(memory.CacheOptions{TTL: time.Hour, NegativeTTL: time.Millisecond, MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	r := app.NewResolver(store, app.NewLinkCaches(cache, nil, false), fixedClock{now}, app.MissLimit{PerMinute: 3, Limiter: memory.NewRateLimiter()}, quietLog)
	cached := porttest.Link("cached1").ID(1).Created(now).Build()
	if err := cache.Set(context.Background(), cached, now); err != nil {
		t.Fatal(err)
	}
	lookups := r.Resolve
	scanner, other := client("198.51.100.7"), client("198.51.100.8")
	for i := range 3 {
		if _, err := lookups(context.Background(), fmt.Sprintf("scan%d", i), scanner); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("miss %d = %v, want 404", i, err)
		}
	}
	store.SetDown(true) // any further lookup would now fail with ErrUnavailable
	var tooMany *app.TooManyMissesError
	if _, err := lookups(context.Background(), "scan9", scanner); !errors.As(err, &tooMany) || tooMany.RetryAfter <= 0 {
		t.Fatalf("4th miss = %v, want TooManyMissesError without a store lookup", err)
	}
	if got, err := lookups(context.Background(), "cached1", scanner); err != nil || got != cached {
		t.Fatalf("cached link for the throttled client = %v, %v; want it to resolve", got, err)
	}
	if _, err := lookups(context.Background(), "scan9", other); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("another client = %v, want a store lookup (ErrUnavailable here)", err)
	}
}
