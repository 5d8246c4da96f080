package postgres

import (
	"errors"
	"fmt"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
)

// translate wraps a driver error for op, turning every sign that Postgres
// cannot be reached or cannot serve right now into domain.ErrUnavailable.
// Only errors Postgres itself raised about the statement stay opaque.
func translate(op string, err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code.Class() {
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
