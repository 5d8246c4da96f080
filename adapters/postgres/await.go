package postgres

import (
	"context"
	"fmt"

	"github.com/shortlink/shortlink/domain"
)

// await runs call and returns its result, or domain.ErrUnavailable as soon as
// ctx ends, whichever comes first. lib/pq honours a context only between
// network reads: a statement waiting on a frozen or partitioned server runs
// on until the connection's I/O deadline (ioTimeoutDialer). With await the
// caller is answered on time and the statement finishes, or fails, on its
// own; a write that commits after the caller gave up is a committed write
// whose answer was lost, as with any timeout.
func await[T any](ctx context.Context, op string, call func() (T, error)) (T, error) {
	type result struct {
		value T
		err   error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.value, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%s: %w: %w", op, domain.ErrUnavailable, ctx.Err())
	}
}
