package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

func TestCreateWithAliasStoresAndWritesThrough(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	want := link("my-link", "https://example.com", now.Add(14*24*time.Hour))
	gomock.InOrder(
		d.store.EXPECT().Insert(gomock.Any(), want).Return(nil),
		d.cache.EXPECT().Set(gomock.Any(), want, now).Return(nil),
	)
	got, err := d.creator(4).Create(context.Background(), app.CreateRequest{URL: "https://example.com", Alias: "my-link"})
	if err != nil || got != want {
		t.Fatalf("Create = %+v, %v; want %+v", got, err, want)
	}
}

func TestCreateTakenAliasIsConflict(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any()).Return(domain.ErrCodeTaken)
	_, err := d.creator(4).Create(context.Background(), app.CreateRequest{URL: "https://example.com", Alias: "taken"})
	if !errors.Is(err, domain.ErrAliasTaken) {
		t.Fatalf("Create error = %v, want ErrAliasTaken", err)
	}
}

func TestCreateSkipsGeneratedCodeThatCollides(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.pool.EXPECT().Take(gomock.Any(), 2).Return([]domain.Code{"BBBBBBB", "AAAAAAA"}, nil)
	gomock.InOrder(
		d.store.EXPECT().Insert(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, l domain.ShortLink) error {
			if l.Code() != "AAAAAAA" {
				t.Errorf("first attempt used %s", l.Code())
			}
			return domain.ErrCodeTaken
		}),
		d.store.EXPECT().Insert(gomock.Any(), gomock.Any()).Return(nil),
	)
	d.cache.EXPECT().Set(gomock.Any(), gomock.Any(), now).Return(nil)
	got, err := d.creator(2).Create(context.Background(), app.CreateRequest{URL: "https://example.com"})
	if err != nil || got.Code() != "BBBBBBB" {
		t.Fatalf("Create = %v, %v; want the second code", got.Code(), err)
	}
}

func TestCreateSucceedsWhenCacheWriteFails(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any()).Return(nil)
	d.cache.EXPECT().Set(gomock.Any(), gomock.Any(), now).Return(errors.New("cache down"))
	if _, err := d.creator(1).Create(context.Background(), app.CreateRequest{URL: "https://example.com", Alias: "a"}); err != nil {
		t.Fatalf("Create failed because of the cache: %v", err)
	}
}

func TestCreateStoreOutageIsUnavailable(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any()).Return(domain.ErrUnavailable)
	_, err := d.creator(1).Create(context.Background(), app.CreateRequest{URL: "https://example.com", Alias: "a"})
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Create error = %v, want ErrUnavailable", err)
	}
}

func TestCreateRejectsInvalidInputWithoutTouchingTheStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		req   app.CreateRequest
		field string
	}{
		{"missing url", app.CreateRequest{}, "url"},
		{"bad url", app.CreateRequest{URL: "ftp://x"}, "url"},
		{"bad alias", app.CreateRequest{URL: "https://example.com", Alias: "-x"}, "alias"},
		{"past expiry", app.CreateRequest{URL: "https://example.com", ExpiresAt: "2001-01-01T00:00:00Z"}, "expires_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDeps(t) // no expectations: any store, cache or pool call fails the test
			_, err := d.creator(1).Create(context.Background(), tt.req)
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || verr.Field != tt.field {
				t.Fatalf("Create error = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
}
