package domain

import (
	"fmt"
	"math"
	"time"
)

// Forever is the lifetime of a link that never expires: as MAX_TTL it lets
// clients ask for permanent links, as DEFAULT_TTL it makes them the default
// (both configured as "never").
const Forever time.Duration = math.MaxInt64

// PermanentExpiry is the expiry stored for a permanent link: a timestamp,
// never NULL, so every store column, cache codec and the previous release
// read it as an ordinary (distant) expiry; answers show it as null. No
// other expiry may reach it.
var PermanentExpiry = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// NeverExpires is how a client asks for a permanent link ("expires_at": "never").
const NeverExpires = "never"

// IsPermanent reports whether t is a permanent link's expiry.
func IsPermanent(t time.Time) bool { return !t.Before(PermanentExpiry) }

// ExpiryPolicy decides when a new link expires.
type ExpiryPolicy struct {
	// Default lifetime when the client names no expiry; computed per
	// request. Forever makes new links permanent by default.
	Default time.Duration
	// Max is the longest lifetime a client may ask for; Forever allows
	// permanent links.
	Max time.Duration
}

// AllowsPermanent reports whether links may live for ever (MAX_TTL=never).
func (p ExpiryPolicy) AllowsPermanent() bool { return p.Max == Forever }

// ParseExpiry reads a client's expiry: "never" is PermanentExpiry, anything
// else an RFC 3339 timestamp with a zone, before PermanentExpiry. The
// result is in UTC at microsecond precision, the precision stores keep.
func ParseExpiry(raw string) (time.Time, error) {
	if raw == NeverExpires {
		return PermanentExpiry, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, invalid("expires_at", ReasonInvalidExpiresAt, "expires_at must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-02T15:04:05Z")
	}
	t = normalizeInstant(t)
	if IsPermanent(t) {
		return time.Time{}, invalid("expires_at", ReasonExpiresAtTooFar, `expires_at must be before 9999-12-31; send "never" for a link that does not expire`)
	}
	return t, nil
}

// ExpiresAt returns the expiry of a link created at now. raw is the
// client's RFC 3339 timestamp with a zone, "never", or "" for the default.
func (p ExpiryPolicy) ExpiresAt(raw string, now time.Time) (time.Time, error) {
	if raw == "" {
		if p.Default == Forever {
			return PermanentExpiry, nil
		}
		return normalizeInstant(now.Add(p.Default)), nil
	}
	t, err := ParseExpiry(raw)
	if err != nil {
		return time.Time{}, err
	}
	return t, p.check(t, now, now, "from now")
}

// check tests an expiry t asked for at now, of a link created at created:
// in the future, and within Max of created.
func (p ExpiryPolicy) check(t, now, created time.Time, since string) error {
	switch {
	case !t.After(now):
		return invalid("expires_at", ReasonExpiresAtPast, "expires_at must be in the future")
	case p.AllowsPermanent():
		return nil
	case IsPermanent(t):
		return invalid("expires_at", ReasonExpiresAtTooFar, fmt.Sprintf("expires_at may not be never: links on this service expire at most %s %s", formatDuration(p.Max), since))
	case t.After(created.Add(p.Max)):
		return invalid("expires_at", ReasonExpiresAtTooFar, fmt.Sprintf("expires_at must be at most %s %s", formatDuration(p.Max), since))
	}
	return nil
}

func normalizeInstant(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// formatDuration writes whole days as days ("365 days"), the unit people set
// lifetimes in, and anything else as Go does.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d == Forever {
		return "never"
	}
	if d%day == 0 {
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}
