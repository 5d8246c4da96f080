package postgres

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	wrongPassword := &pq.Error{Code: "28P01", Message: `password authentication failed for user "shortlink"`}
	tests := []struct {
		name            string
		err             error
		unavailable     bool
		credentials     bool
		messageContains string
	}{
		{"wrong password", wrongPassword, true, true, `password authentication failed for user "shortlink"`},
		{"wrong password wrapped by a driver", fmt.Errorf("open: %w", wrongPassword), true, true, "check DATABASE_PASSWORD"},
		{"no pg_hba.conf entry (no TLS)", &pq.Error{Code: "28000", Message: "no pg_hba.conf entry for host"}, true, true, "sslmode in DATABASE_URL"},
		{"connection failure", &pq.Error{Code: "08006", Message: "connection failure"}, true, false, "connection failure"},
		{"cannot connect now", &pq.Error{Code: "57P03", Message: "the database system is starting up"}, true, false, "starting up"},
		{"unique violation stays opaque", &pq.Error{Code: "23505", Message: "duplicate key"}, false, false, "duplicate key"},
		{"dial error", io.ErrUnexpectedEOF, true, false, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := translate("connect", tt.err)
			if errors.Is(got, domain.ErrUnavailable) != tt.unavailable {
				t.Errorf("translate = %v: ErrUnavailable %v, want %v", got, !tt.unavailable, tt.unavailable)
			}
			if errors.Is(got, ErrCredentialsRejected) != tt.credentials {
				t.Errorf("translate = %v: ErrCredentialsRejected %v, want %v", got, !tt.credentials, tt.credentials)
			}
			if !strings.HasPrefix(got.Error(), "connect: ") || !strings.Contains(got.Error(), tt.messageContains) {
				t.Errorf("translate = %q, want the operation and %q", got, tt.messageContains)
			}
			if tt.credentials && !strings.Contains(got.Error(), "check DATABASE_PASSWORD") {
				t.Errorf("translate = %q, want it to name DATABASE_PASSWORD", got)
			}
		})
	}
}

func TestWithCredentialsHint(t *testing.T) {
	t.Parallel()
	wrongPassword := fmt.Errorf("dbmate: %w", &pq.Error{Code: "28P01", Message: "password authentication failed"})
	other := &pq.Error{Code: "42P01", Message: "relation does not exist"}
	tests := []struct {
		name     string
		err      error
		wantHint bool
	}{
		{"rejected credentials get the hint", wrongPassword, true},
		{"once", translate("connect", wrongPassword), true},
		{"other errors stay as they are", other, false},
		{"nil stays nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := WithCredentialsHint(tt.err)
			if errors.Is(got, ErrCredentialsRejected) != tt.wantHint {
				t.Fatalf("WithCredentialsHint(%v) = %v, hint %v, want %v", tt.err, got, !tt.wantHint, tt.wantHint)
			}
			if got != nil && strings.Count(got.Error(), "DATABASE_PASSWORD") > 1 {
				t.Fatalf("WithCredentialsHint(%v) = %q, hint repeated", tt.err, got)
			}
			if !tt.wantHint && got != tt.err { //nolint:errorlint // identity: the error must come back unchanged
				t.Fatalf("WithCredentialsHint(%v) = %v, want it unchanged", tt.err, got)
			}
		})
	}
}
