package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// TestValidationErrorsCarryReasonAndField: every rule the domain checks
// names the field at fault and a reason a client can branch on, and says
// it in a sentence that names the field without a "field:" prefix.
func TestValidationErrorsCarryReasonAndField(t *testing.T) {
	t.Parallel()
	link, err := domain.NewShortLink("abc", "https://example.com", testNow, testNow.Add(time.Hour), domain.TokenDigest{})
	if err != nil {
		t.Fatal(err)
	}
	parse := func(raw string) func() error {
		return func() error { _, err := testURLPolicy.Parse(raw); return err }
	}
	expires := func(raw string) func() error {
		return func() error { _, err := testExpiry.ExpiresAt(raw, testNow); return err }
	}
	window := func(from, to, interval string) func() error {
		return func() error {
			_, err := domain.ParseVisitWindow(from, to, interval, testNow, 365*24*time.Hour)
			return err
		}
	}
	for _, tc := range []struct {
		name   string
		run    func() error
		field  string
		reason domain.Reason
	}{
		{"bad code", func() error { _, err := domain.ParseCode("a_b"); return err }, "code", domain.ReasonInvalidCode},
		{"bad alias", func() error { _, err := domain.ParseAlias("a_b"); return err }, "alias", domain.ReasonInvalidAlias},
		{"long alias", func() error { _, err := domain.ParseAlias(strings.Repeat("a", 33)); return err }, "alias", domain.ReasonInvalidAlias},
		{"reserved alias", func() error { _, err := domain.ParseAlias("metrics"); return err }, "alias", domain.ReasonReservedAlias},
		{"no url", parse(""), "url", domain.ReasonMissingField},
		{"relative url", parse("/x"), "url", domain.ReasonInvalidURL},
		{"url with a space", parse("https://example.com/a b"), "url", domain.ReasonInvalidURL},
		{"url not UTF-8", parse("https://example.com/\xff"), "url", domain.ReasonInvalidURL},
		{"url with a bad port", parse("https://example.com:99999/"), "url", domain.ReasonInvalidURL},
		{"long url", parse("https://example.com/" + strings.Repeat("a", 64)), "url", domain.ReasonURLTooLong},
		{"own host", parse("https://SHO.RT./x"), "url", domain.ReasonOwnHost},
		{"denied host", parse("https://a.evil.example/"), "url", domain.ReasonDeniedHost},
		{"expiry not a time", expires("tomorrow"), "expires_at", domain.ReasonInvalidExpiresAt},
		{"expiry in the past", expires("2020-01-01T00:00:00Z"), "expires_at", domain.ReasonExpiresAtPast},
		{"expiry too far", expires("2030-01-01T00:00:00Z"), "expires_at", domain.ReasonExpiresAtTooFar},
		{"extended into the past", func() error { _, err := link.ExtendTo(testNow.Add(-time.Hour), testNow, time.Hour); return err }, "expires_at", domain.ReasonExpiresAtPast},
		{"extended too far", func() error { _, err := link.ExtendTo(testNow.Add(2*time.Hour), testNow, time.Hour); return err }, "expires_at", domain.ReasonExpiresAtTooFar},
		{"bad interval", window("", "", "week"), "interval", domain.ReasonInvalidInterval},
		{"long hourly series", window("2026-01-01T00:00:00Z", "2026-11-01T00:00:00Z", "hour"), "interval", domain.ReasonInvalidInterval},
		{"from not a time", window("yesterday", "", ""), "from", domain.ReasonInvalidWindow},
		{"from after to", window("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z", ""), "from", domain.ReasonInvalidWindow},
		{"window too long", window("2020-01-01T00:00:00Z", "2026-11-01T00:00:00Z", ""), "to", domain.ReasonInvalidWindow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.run()
			var verr *domain.ValidationError
			switch {
			case !errors.As(err, &verr) || !errors.Is(err, domain.ErrInvalidInput):
				t.Fatalf("error = %v, want a validation error", err)
			case verr.Field != tc.field || verr.Reason != tc.reason:
				t.Fatalf("field %q, reason %q; want %q, %q (%s)", verr.Field, verr.Reason, tc.field, tc.reason, verr.Message)
			case !strings.Contains(verr.Message, tc.field) || strings.HasPrefix(verr.Message, tc.field+":") || err.Error() != verr.Message:
				t.Fatalf("message %q must name %s in a sentence, without a %q prefix", verr.Message, tc.field, tc.field+":")
			}
		})
	}
}
