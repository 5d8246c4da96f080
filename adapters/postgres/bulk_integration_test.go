//go:build integration

package postgres_test

import (
	"testing"

	"github.com/shortlink/shortlink/ports/porttest"
)

func TestBulkInsertContract(t *testing.T) {
	t.Parallel()
	porttest.BulkInsertContract(t, newStore(t))
}
