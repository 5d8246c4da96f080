package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func TestPermanentLinks(t *testing.T) {
	t.Parallel()
	open := domain.ExpiryPolicy{Default: 14 * 24 * time.Hour, Max: domain.Forever}
	never := domain.ExpiryPolicy{Default: domain.Forever, Max: domain.Forever}

	if got, err := open.ExpiresAt("never", testNow); err != nil || !got.Equal(domain.PermanentExpiry) {
		t.Fatalf(`MAX_TTL=never: ExpiresAt("never") = %v, %v`, got, err)
	}
	if got, err := open.ExpiresAt("", testNow); err != nil || !got.Equal(testNow.Add(14*24*time.Hour).Truncate(time.Microsecond)) {
		t.Fatalf(`MAX_TTL=never: the default is still DEFAULT_TTL, got %v, %v`, got, err)
	}
	if got, err := open.ExpiresAt("2500-01-01T00:00:00Z", testNow); err != nil || got.Year() != 2500 {
		t.Fatalf(`MAX_TTL=never: any future instant, got %v, %v`, got, err)
	}
	if got, err := never.ExpiresAt("", testNow); err != nil || !got.Equal(domain.PermanentExpiry) {
		t.Fatalf(`DEFAULT_TTL=never: the default is permanent, got %v, %v`, got, err)
	}
	refused := []struct {
		policy      domain.ExpiryPolicy
		raw, reason string
	}{
		{testExpiry, "never", "expires_at may not be never: links on this service expire at most 365 days from now"},
		{open, "9999-12-31T00:00:00Z", `expires_at must be before 9999-12-31; send "never" for a link that does not expire`},
		{open, "2020-01-01T00:00:00Z", "expires_at must be in the future"},
		{open, "Never", "expires_at must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-02T15:04:05Z"},
	}
	for _, tt := range refused {
		_, err := tt.policy.ExpiresAt(tt.raw, testNow)
		var verr *domain.ValidationError
		if !errors.As(err, &verr) || verr.Message != tt.reason {
			t.Errorf("ExpiresAt(%q) = %v, want %q", tt.raw, err, tt.reason)
		}
	}

	link := mustLink(t, testNow, domain.PermanentExpiry)
	if !link.Permanent() || link.Status(testNow.AddDate(5000, 0, 0)) != domain.StatusActive {
		t.Fatalf("a permanent link: Permanent %v, status in 5000 years %s", link.Permanent(), link.Status(testNow.AddDate(5000, 0, 0)))
	}
	if got := domain.CodeQuarantine(24 * time.Hour).FreeAfter(link); !got.Equal(domain.PermanentExpiry) {
		t.Fatalf("a permanent link's code is free after %v", got)
	}
	if ttl := link.CacheFor(testNow, time.Hour); ttl != time.Hour {
		t.Fatalf("CacheFor = %v, want the cache's own bound", ttl)
	}
}

func TestExtendToAndFromPermanent(t *testing.T) {
	t.Parallel()
	year := 365 * 24 * time.Hour
	live := mustLink(t, testNow, testNow.Add(time.Hour))

	permanent, err := live.ExtendTo(domain.PermanentExpiry, testNow, domain.Forever)
	if err != nil || !permanent.Permanent() || permanent.Version() != 2 {
		t.Fatalf("make permanent = %+v, %v", permanent, err)
	}
	if _, err := live.ExtendTo(domain.PermanentExpiry, testNow, year); !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("make permanent without MAX_TTL=never = %v, want invalid", err)
	}
	ended, err := permanent.ExtendTo(testNow.Add(48*time.Hour), testNow, domain.Forever)
	if err != nil || ended.Permanent() || !ended.ExpiresAt().Equal(testNow.Add(48*time.Hour).Truncate(time.Microsecond)) {
		t.Fatalf("give a permanent link an end = %+v, %v", ended, err)
	}
	// After MAX_TTL went back from never to a year, a permanent link may
	// still be given an end within a year of its creation (§9).
	if _, err := permanent.ExtendTo(testNow.Add(2*year), testNow, year); !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("an end beyond MAX_TTL = %v, want invalid", err)
	}
	if _, err := permanent.ExtendTo(testNow.Add(-time.Hour), testNow, domain.Forever); !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("an end in the past = %v, want invalid", err)
	}
	deleted, _ := permanent.Delete(testNow)
	if deleted.Permanent() || deleted.Status(testNow) != domain.StatusDeleted {
		t.Fatalf("a deleted permanent link: permanent %v, status %s", deleted.Permanent(), deleted.Status(testNow))
	}
}
