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
	var want domain.ShortLink
	gomock.InOrder(
		d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(_ context.Context, l domain.ShortLink, freeAfter time.Time) (domain.ShortLink, error) {
				if l.Code() != "my-link" || l.URL() != "https://example.com" || !l.ExpiresAt().Equal(now.Add(14*24*time.Hour)) {
					t.Errorf("inserted %+v", l)
				}
				if !freeAfter.Equal(l.ExpiresAt().Add(365 * 24 * time.Hour)) {
					t.Errorf("code free after %v, want a year after the link expires", freeAfter)
				}
				want = l.WithID(9)
				return want, nil
			}),
		d.cache.EXPECT().Set(gomock.Any(), gomock.Any(), now).DoAndReturn(
			func(_ context.Context, l domain.ShortLink, _ time.Time) error {
				if l != want {
					t.Errorf("cached %+v, want the stored link %+v", l, want)
				}
				return nil
			}),
	)
	got, err := d.creator(4).Create(context.Background(), app.CreateRequest{URL: "https://example.com", Alias: "my-link"})
	if err != nil || got.Link != want {
		t.Fatalf("Create = %+v, %v; want %+v", got.Link, err, want)
	}
	if got.ManageToken == "" || !domain.DigestToken(got.ManageToken).Matches(want.Owner()) {
		t.Fatalf("manage token %q does not match the stored digest", got.ManageToken)
	}
}

func TestCreateTakenAliasIsConflict(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).Return(domain.ShortLink{}, domain.ErrCodeTaken)
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
		d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, l domain.ShortLink, _ time.Time) (domain.ShortLink, error) {
			if l.Code() != "AAAAAAA" {
				t.Errorf("first attempt used %s", l.Code())
			}
			return domain.ShortLink{}, domain.ErrCodeTaken
		}),
		d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(storedAs(1)),
	)
	d.cache.EXPECT().Set(gomock.Any(), gomock.Any(), now).Return(nil)
	got, err := d.creator(2).Create(context.Background(), app.CreateRequest{URL: "https://example.com"})
	if err != nil || got.Link.Code() != "BBBBBBB" {
		t.Fatalf("Create = %v, %v; want the second code", got.Link.Code(), err)
	}
}

// TestCreateKeepsDrawingPastClaimedCodes: codes that someone claimed as
// aliases first are skipped, however many, never answered with a 500.
func TestCreateKeepsDrawingPastClaimedCodes(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	const claimed = 20
	var codes []domain.Code
	for i := range claimed + 1 {
		c, _ := d.gen.Code(uint64(i))
		codes = append(codes, c)
	}
	d.pool.EXPECT().Take(gomock.Any(), claimed+1).Return(codes, nil)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).Return(domain.ShortLink{}, domain.ErrCodeTaken).Times(claimed)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(storedAs(1))
	d.cache.EXPECT().Set(gomock.Any(), gomock.Any(), now).Return(nil)
	got, err := d.creator(claimed+1).Create(context.Background(), app.CreateRequest{URL: "https://example.com"})
	if err != nil || got.Link.Code() != codes[0] {
		t.Fatalf("Create = %v, %v; want the last code left, %s", got.Link.Code(), err, codes[0])
	}
}

func TestCreateSucceedsWhenCacheWriteFails(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(storedAs(1))
	d.cache.EXPECT().Set(gomock.Any(), gomock.Any(), now).Return(errors.New("cache down"))
	if _, err := d.creator(1).Create(context.Background(), app.CreateRequest{URL: "https://example.com", Alias: "a"}); err != nil {
		t.Fatalf("Create failed because of the cache: %v", err)
	}
}

func TestCreateStoreOutageIsUnavailable(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.store.EXPECT().Insert(gomock.Any(), gomock.Any(), gomock.Any()).Return(domain.ShortLink{}, domain.ErrUnavailable)
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

// storedAs answers an Insert as a store does: the link, with an id.
func storedAs(id domain.LinkID) func(context.Context, domain.ShortLink, time.Time) (domain.ShortLink, error) {
	return func(_ context.Context, l domain.ShortLink, _ time.Time) (domain.ShortLink, error) {
		return l.WithID(id), nil
	}
}
