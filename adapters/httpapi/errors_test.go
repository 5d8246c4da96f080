package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// TestAnswerOf checks the one table from errors to answers: every error a
// use case returns, wrapped as the layers wrap it, gets its status, reason
// and field; anything else is a 500 that tells nothing.
func TestAnswerOf(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("update link abc: %w", fmt.Errorf("find: %w", err)) }
	valErr := &domain.ValidationError{Field: "url", Reason: domain.ReasonDeniedHost, Message: "url points at a host that is not allowed"}
	for _, tc := range []struct {
		name   string
		err    error
		status int
		reason domain.Reason
		field  string
		header map[string]string
	}{
		{"not found", domain.ErrNotFound, http.StatusNotFound, "not_found", "", nil},
		{"gone", domain.ErrGone, http.StatusGone, "gone", "", nil},
		{"alias taken", domain.ErrAliasTaken, http.StatusConflict, "alias_taken", "alias", nil},
		{"link expired", domain.ErrLinkExpired, http.StatusConflict, "link_expired", "", nil},
		{"no credentials", domain.ErrUnauthenticated, http.StatusUnauthorized, "unauthorized", "", map[string]string{"WWW-Authenticate": `Bearer realm="shortlink"`}},
		{"taken down, though it wraps forbidden", domain.ErrTakenDown, http.StatusForbidden, "taken_down", "", nil},
		{"admin only is a takedown's refusal", domain.ErrAdminOnly, http.StatusForbidden, "taken_down", "", nil},
		{"forbidden", domain.ErrForbidden, http.StatusForbidden, "forbidden", "", nil},
		{"unavailable", domain.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "", nil},
		{"validation", valErr, http.StatusBadRequest, domain.ReasonDeniedHost, "url", nil},
		{"too many misses", &app.TooManyMissesError{RetryAfter: 1200 * time.Millisecond}, http.StatusTooManyRequests, "rate_limited", "", map[string]string{"Retry-After": "2"}},
		{"too many misses, nearly over", &app.TooManyMissesError{RetryAfter: time.Millisecond}, http.StatusTooManyRequests, "rate_limited", "", map[string]string{"Retry-After": "1"}},
		{"the HTTP layer's own", errBodyTooLarge, http.StatusRequestEntityTooLarge, "body_too_large", "", nil},
		{"code space exhausted", domain.ErrCodeSpaceExhausted, http.StatusInternalServerError, "internal", "", nil},
		{"anything else", errors.New("pq: connection reset by peer"), http.StatusInternalServerError, "internal", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := answerOf(wrap(tc.err))
			if got.status != tc.status || got.reason != tc.reason || got.field != tc.field || got.message == "" {
				t.Fatalf("answer = %d %q field %q %q; want %d %q field %q", got.status, got.reason, got.field, got.message, tc.status, tc.reason, tc.field)
			}
			for name, value := range tc.header {
				if got.header[name] != value {
					t.Fatalf("header %s = %q, want %q", name, got.header[name], value)
				}
			}
		})
	}
	if got := answerOf(errors.New("dial tcp 127.0.0.1:5432: connection refused")); got.message != "internal server error" {
		t.Fatalf("an unknown error's message is %q: it must tell the client nothing", got.message)
	}
}

// TestEverySentinelHasAnAnswer keeps the table whole: each entry answers
// its own error with an error status and a reason, and no entry is
// shadowed by an earlier one.
func TestEverySentinelHasAnAnswer(t *testing.T) {
	t.Parallel()
	for _, s := range sentinelAnswers {
		got := answerOf(fmt.Errorf("wrapped: %w", s.err))
		if got != s.answer || got.status < 400 || got.reason == "" || got.message == "" {
			t.Errorf("%v answers %d %q, want its own entry (%d %q)", s.err, got.status, got.reason, s.answer.status, s.answer.reason)
		}
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{0: "1", time.Millisecond: "1", time.Second: "1", 1001 * time.Millisecond: "2", 59500 * time.Millisecond: "60"} {
		if got := retryAfter(d)["Retry-After"]; got != want {
			t.Errorf("retryAfter(%v) = %s, want %s", d, got, want)
		}
	}
}
