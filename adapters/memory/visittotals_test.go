package memory_test

import (
	"testing"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestVisitTotalsContract(t *testing.T) {
	t.Parallel()
	porttest.VisitTotalsContract(t, func(*testing.T) porttest.VisitTotalsStore { return memory.NewLinkStore() })
}
