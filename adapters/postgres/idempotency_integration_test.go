//go:build integration

package postgres_test

import (
	"testing"

	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestIdempotencyContract(t *testing.T) {
	t.Parallel()
	porttest.IdempotencyContract(t, func(t *testing.T) ports.IdempotencyStore { return newStore(t) })
}
