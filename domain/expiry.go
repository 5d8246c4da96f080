package domain

import (
	"fmt"
	"time"
)

// ExpiryPolicy decides when a new link expires.
type ExpiryPolicy struct {
	// Default lifetime when the client names no expiry; computed per request.
	Default time.Duration
	// Max is the longest lifetime a client may ask for. Stores also use it to
	// bound lookups by creation time, so lowering it hides nothing that was
	// allowed before but raising it must not be followed by a lowering.
	Max time.Duration
}

// ExpiresAt returns the expiry of a link created at now. raw is the client's
// RFC 3339 timestamp with a zone, or "" for the default. The result is in UTC
// at microsecond precision, the precision stores keep.
func (p ExpiryPolicy) ExpiresAt(raw string, now time.Time) (time.Time, error) {
	if raw == "" {
		return normalizeInstant(now.Add(p.Default)), nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, invalid("expires_at", ReasonInvalidExpiresAt, "expires_at must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-02T15:04:05Z")
	}
	t = normalizeInstant(t)
	if !t.After(now) {
		return time.Time{}, invalid("expires_at", ReasonExpiresAtPast, "expires_at must be in the future")
	}
	if t.After(now.Add(p.Max)) {
		return time.Time{}, invalid("expires_at", ReasonExpiresAtTooFar, fmt.Sprintf("expires_at must be at most %s from now", formatDuration(p.Max)))
	}
	return t, nil
}

func normalizeInstant(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// formatDuration writes whole days as days ("365 days"), the unit people set
// lifetimes in, and anything else as Go does.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d%day == 0 {
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}
