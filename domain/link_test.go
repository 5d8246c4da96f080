package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func mustLink(t *testing.T, created, expires time.Time) domain.ShortLink {
	t.Helper()
	link, err := domain.NewShortLink("abc", "https://example.com/x", created, expires, domain.DigestToken("tok"))
	if err != nil {
		t.Fatal(err)
	}
	return link
}

func TestStatusPrecedence(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	live := mustLink(t, now, now.Add(time.Hour))
	disabled, _ := live.SetDisabled(true, domain.ActorOwner)
	deleted, _ := live.Delete(now)
	tests := []struct {
		name    string
		link    domain.ShortLink
		at      time.Time
		status  domain.Status
		resolve error
	}{
		{"active", live, now, domain.StatusActive, nil},
		{"expired", live, now.Add(time.Hour), domain.StatusExpired, domain.ErrNotFound},
		{"disabled", disabled, now, domain.StatusDisabled, domain.ErrGone},
		{"disabled then expired", disabled, now.Add(2 * time.Hour), domain.StatusExpired, domain.ErrNotFound},
		{"deleted", deleted, now, domain.StatusDeleted, domain.ErrGone},
		{"deleted, long after", deleted, now.AddDate(1, 0, 0), domain.StatusDeleted, domain.ErrGone},
	}
	for _, tt := range tests {
		if got := tt.link.Status(tt.at); got != tt.status {
			t.Errorf("%s: Status = %s, want %s", tt.name, got, tt.status)
		}
		if err := tt.link.Resolve(tt.at); !errors.Is(err, tt.resolve) || (tt.resolve == nil) != (err == nil) {
			t.Errorf("%s: Resolve = %v, want %v", tt.name, err, tt.resolve)
		}
	}
}

func TestDeleteEndsTheLinkAndErasesItsTarget(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	link := mustLink(t, now, now.Add(time.Hour))
	deleted, err := link.Delete(now.Add(time.Minute))
	if err != nil || deleted.URL() != "" || !deleted.ExpiresAt().Equal(now.Add(time.Minute)) || deleted.Version() != 2 {
		t.Fatalf("Delete = %+v, %v", deleted, err)
	}
	// Deleted at its creation instant, it still expires after it was created.
	if early, _ := link.Delete(now); !early.ExpiresAt().After(early.CreatedAt()) {
		t.Fatalf("a link deleted as it is created expires at %v", early.ExpiresAt())
	}
	if _, err := deleted.Delete(now); !errors.Is(err, domain.ErrGone) {
		t.Fatalf("second Delete = %v, want ErrGone", err)
	}
	if _, err := deleted.SetDisabled(false, domain.ActorAdmin); !errors.Is(err, domain.ErrGone) {
		t.Fatalf("enable after Delete = %v, want ErrGone", err)
	}
}

func TestCodeQuarantine(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	link := mustLink(t, now, now.Add(time.Hour))
	if got := domain.CodeQuarantine(24 * time.Hour).FreeAfter(link); !got.Equal(now.Add(25 * time.Hour)) {
		t.Fatalf("FreeAfter = %v", got)
	}
	if got := domain.CodeQuarantine(0).FreeAfter(link); got.Year() < 9999 {
		t.Fatalf("quarantine 0 frees the code at %v, want never", got)
	}
}

func TestManageTokens(t *testing.T) {
	t.Parallel()
	token, digest := domain.NewManageToken()
	other, _ := domain.NewManageToken()
	if len(token) < 22 || token == other || !digest.Matches(domain.DigestToken(token)) || digest.Matches(domain.DigestToken(other)) {
		t.Fatalf("token %q digest %x", token, digest)
	}
	if (domain.TokenDigest{}).Matches(domain.DigestToken("")) {
		t.Fatal("a link without a token matched")
	}
}
