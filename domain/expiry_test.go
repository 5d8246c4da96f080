package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

var (
	testExpiry = domain.ExpiryPolicy{Default: 14 * 24 * time.Hour, Max: 365 * 24 * time.Hour}
	testNow    = time.Date(2026, 11, 27, 12, 0, 0, 123456789, time.UTC)
)

func TestExpiryPolicyExpiresAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    string
		want   time.Time
		reason string
	}{
		{"default", "", time.Date(2026, 12, 11, 12, 0, 0, 123456000, time.UTC), ""},
		{"zulu", "2027-01-01T00:00:00Z", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"offset stored in UTC", "2027-01-01T02:00:00+02:00", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"fraction kept to microseconds", "2027-01-01T00:00:00.1234567Z", time.Date(2027, 1, 1, 0, 0, 0, 123456000, time.UTC), ""},
		{"exactly max", "2027-11-27T12:00:00.123456789Z", time.Date(2027, 11, 27, 12, 0, 0, 123456000, time.UTC), ""},
		{"no zone", "2027-01-01T00:00:00", time.Time{}, "must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-02T15:04:05Z"},
		{"date only", "2027-01-01", time.Time{}, "must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-02T15:04:05Z"},
		{"garbage", "tomorrow", time.Time{}, "must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-02T15:04:05Z"},
		{"past", "2020-01-01T00:00:00Z", time.Time{}, "must be in the future"},
		{"now", "2026-11-27T12:00:00.123456Z", time.Time{}, "must be in the future"},
		{"beyond max", "2027-11-28T12:00:00Z", time.Time{}, "must be at most 365 days from now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := testExpiry.ExpiresAt(tt.raw, testNow)
			if tt.reason == "" {
				if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
					t.Fatalf("ExpiresAt(%q) = %v, %v; want %v", tt.raw, got, err, tt.want)
				}
				return
			}
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || verr.Field != "expires_at" || verr.Message != "expires_at "+tt.reason {
				t.Fatalf("ExpiresAt(%q) error = %v, want expires_at: %s", tt.raw, err, tt.reason)
			}
		})
	}
}

func TestDefaultExpiryIsComputedPerCall(t *testing.T) {
	t.Parallel()
	later := testNow.Add(time.Hour)
	a, _ := testExpiry.ExpiresAt("", testNow)
	b, _ := testExpiry.ExpiresAt("", later)
	if b.Sub(a) != time.Hour {
		t.Fatalf("default expiry did not move with the clock: %v then %v", a, b)
	}
}

func TestShortLinkExpiry(t *testing.T) {
	t.Parallel()
	expires := testNow.Add(time.Minute)
	link, err := domain.NewShortLink("abc", "https://example.com", testNow, expires, domain.TokenDigest{})
	if err != nil {
		t.Fatal(err)
	}
	if link.ExpiredAt(expires.Add(-time.Nanosecond)) || !link.ExpiredAt(expires) {
		t.Fatal("a link must be live strictly before its expiry instant and expired from it on")
	}
	if got := link.TimeToLive(testNow); got != time.Minute {
		t.Fatalf("TimeToLive = %v", got)
	}
	if _, err := domain.NewShortLink("abc", "https://example.com", testNow, testNow, domain.TokenDigest{}); !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("NewShortLink accepted a link that expires as it is created: %v", err)
	}
}

func FuzzExpiryPolicyExpiresAt(f *testing.F) {
	for _, s := range []string{"", "2027-01-01T00:00:00Z", "2027-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z", "2027-02-30T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := testExpiry.ExpiresAt(raw, testNow)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalidInput) {
				t.Fatalf("error %v is not a validation error", err)
			}
			return
		}
		if !got.After(testNow) || got.After(testNow.Add(testExpiry.Max)) || got.Location() != time.UTC {
			t.Fatalf("ExpiresAt(%q) = %v is outside (now, now+max] or not UTC", raw, got)
		}
	})
}
