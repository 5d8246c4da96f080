package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

func (d deps) resolver() *app.Resolver {
	return app.NewResolver(d.store, d.cache, fixedClock{now}, quietLog)
}

func TestResolve(t *testing.T) {
	t.Parallel()
	live := link("abc", "https://example.com", now.Add(time.Hour))
	expired := link("abc", "https://example.com", now)
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
			d.store.EXPECT().FindLive(gomock.Any(), domain.Code("abc"), now).Return(live, nil)
			d.cache.EXPECT().Set(gomock.Any(), live, now).Return(nil)
		}, live, nil},
		{"unknown code is cached as missing", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().FindLive(gomock.Any(), domain.Code("abc"), now).Return(domain.ShortLink{}, domain.ErrNotFound)
			d.cache.EXPECT().SetMissing(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(nil)
		}, domain.ShortLink{}, domain.ErrNotFound},
		{"expired cache entry is never served", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(expired, ports.CacheHit, nil)
			d.store.EXPECT().FindLive(gomock.Any(), domain.Code("abc"), now).Return(domain.ShortLink{}, domain.ErrNotFound)
			d.cache.EXPECT().SetMissing(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(nil)
		}, domain.ShortLink{}, domain.ErrNotFound},
		{"cache outage degrades to the store without writing back", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, errors.New("down"))
			d.store.EXPECT().FindLive(gomock.Any(), domain.Code("abc"), now).Return(live, nil)
		}, live, nil},
		{"cache write failure still answers", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().FindLive(gomock.Any(), domain.Code("abc"), now).Return(live, nil)
			d.cache.EXPECT().Set(gomock.Any(), live, now).Return(errors.New("down"))
		}, live, nil},
		{"store outage is unavailable", func(d deps) {
			d.cache.EXPECT().Get(gomock.Any(), domain.Code("abc"), gomock.Any()).Return(domain.ShortLink{}, ports.CacheMiss, nil)
			d.store.EXPECT().FindLive(gomock.Any(), domain.Code("abc"), now).Return(domain.ShortLink{}, domain.ErrUnavailable)
		}, domain.ShortLink{}, domain.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDeps(t)
			tt.expect(d)
			got, err := d.resolver().Resolve(context.Background(), "abc")
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Resolve = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestResolveInvalidCodeTouchesNothing(t *testing.T) {
	t.Parallel()
	_, err := newDeps(t).resolver().Resolve(context.Background(), "not/valid")
	if !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("Resolve error = %v, want ErrInvalidInput", err)
	}
}
