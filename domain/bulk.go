package domain

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// The bounds of one bulk create and one import (SPEC §17).
const (
	// MaxBulkItems is how many creates one bulk request may carry.
	MaxBulkItems = 1000
	// MaxImportRows is how many rows (the header aside) one import may carry.
	MaxImportRows = 100_000
)

// IdempotencyKeep is how long the answer of a request sent with an
// Idempotency-Key is kept: a retry within it answers the first result.
const IdempotencyKeep = 24 * time.Hour

// The reasons of bulk creates, imports and idempotency keys.
const (
	ReasonTooManyItems          Reason = "too_many_items"
	ReasonInvalidCSV            Reason = "invalid_csv"
	ReasonInvalidCreatedAt      Reason = "invalid_created_at"
	ReasonInvalidIdempotencyKey Reason = "invalid_idempotency_key"
)

var (
	// ErrIdempotencyInProgress means a request with the same Idempotency-Key
	// (of the same caller) is still being answered: retry later.
	ErrIdempotencyInProgress = errors.New("a request with this Idempotency-Key is still in progress; retry later")
	// ErrIdempotencyKeyReused means the Idempotency-Key was used for another
	// request (another route or body) within IdempotencyKeep.
	ErrIdempotencyKeyReused = errors.New("this Idempotency-Key was used for a different request")
)

// maxIdempotencyKey bounds an Idempotency-Key header.
const maxIdempotencyKey = 255

// ParseIdempotencyKey checks an Idempotency-Key header value: 1 to 255
// visible ASCII characters (a UUID is the usual choice).
func ParseIdempotencyKey(raw string) (string, error) {
	if raw == "" || len(raw) > maxIdempotencyKey {
		return "", invalid("Idempotency-Key", ReasonInvalidIdempotencyKey, "Idempotency-Key must be 1 to 255 visible ASCII characters")
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] > '~' {
			return "", invalid("Idempotency-Key", ReasonInvalidIdempotencyKey, "Idempotency-Key must be 1 to 255 visible ASCII characters")
		}
	}
	return raw, nil
}

// TooManyItems is the refusal of a bulk request or import over its bound.
func TooManyItems(field, what string, limit int) error {
	return invalid(field, ReasonTooManyItems, "at most "+strconv.Itoa(limit)+" "+what+" per request")
}

// InvalidCSV is the refusal of an import whose CSV cannot be read as a
// whole (no header, no long URL column, a broken quote).
func InvalidCSV(message string) error { return invalid("", ReasonInvalidCSV, message) }

// ParseOriginalCreatedAt reads an imported row's source date: RFC 3339
// (2006-01-02T15:04:05Z07:00, with or without fractions), the same with a
// space for the T, or without a zone (UTC) as YOURLS writes it
// (2006-01-02 15:04:05), a date alone, or Unix seconds. "" is no date.
func ParseOriginalCreatedAt(raw string) (time.Time, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t.UTC(), nil
		}
	}
	if secs, ok := unixSeconds(raw); ok {
		return time.Unix(secs, 0).UTC(), nil
	}
	return time.Time{}, invalid("created_at", ReasonInvalidCreatedAt, "created_at must be an RFC 3339 date-time, \"YYYY-MM-DD hh:mm:ss\" (UTC) or Unix seconds")
}

func unixSeconds(raw string) (int64, bool) {
	if len(raw) == 0 || len(raw) > 12 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(raw); i++ {
		if raw[i] < '0' || raw[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(raw[i]-'0')
	}
	return n, true
}

// AuditLinksImported is the audited action of an import (its target: how
// many links it created).
const AuditLinksImported AuditAction = "links.import"
