package memory_test

import (
	"testing"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestIdempotencyContract(t *testing.T) {
	t.Parallel()
	porttest.IdempotencyContract(t, func(*testing.T) ports.IdempotencyStore { return memory.NewLinkStore() })
}
