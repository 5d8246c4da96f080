package bolt_test

import (
	"testing"

	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestIdempotencyContract(t *testing.T) {
	t.Parallel()
	porttest.IdempotencyContract(t, func(t *testing.T) ports.IdempotencyStore { return openStore(t, tempDB(t)) })
}

func TestBulkInsertContract(t *testing.T) {
	t.Parallel()
	porttest.BulkInsertContract(t, openStore(t, tempDB(t)))
}
