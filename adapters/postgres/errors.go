package postgres

import (
	"errors"
	"fmt"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
)

// ErrCredentialsRejected marks Postgres refusing to let a connection in: a
// wrong or missing password, an unknown role, or a connection pg_hba.conf
// does not admit (one without TLS, say). No retry fixes it; its message
// names the settings to check, since whoever reads it is deploying.
var ErrCredentialsRejected = errors.New("check DATABASE_PASSWORD, and the user and sslmode in DATABASE_URL")

// translate wraps a driver error for op, turning every sign that Postgres
// cannot be reached or cannot serve right now into domain.ErrUnavailable.
// Only errors Postgres itself raised about the statement stay opaque.
func translate(op string, err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code.Class() {
		case "28": // invalid authorization: the store is as good as down
			return fmt.Errorf("%s: %w: %w: %w", op, domain.ErrUnavailable, err, ErrCredentialsRejected)
		case "08", // connection exception
			"53", // insufficient resources
			"57", // operator intervention: shutdown, cancel, cannot connect now
			"58": // system error
			return fmt.Errorf("%s: %w: %w", op, domain.ErrUnavailable, err)
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	// Dial errors, resets, EOF, driver.ErrBadConn and timeouts.
	return fmt.Errorf("%s: %w: %w", op, domain.ErrUnavailable, err)
}

// WithCredentialsHint adds ErrCredentialsRejected to err when err is
// Postgres refusing the credentials and does not carry it yet, and returns
// any other err as it is: for the errors of tools that connect without the
// store (dbmate's status and rollback).
func WithCredentialsHint(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code.Class() == "28" && !errors.Is(err, ErrCredentialsRejected) {
		return fmt.Errorf("%w: %w", err, ErrCredentialsRejected)
	}
	return err
}
