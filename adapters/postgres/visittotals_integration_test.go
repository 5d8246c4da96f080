//go:build integration

package postgres_test

import (
	"testing"

	"github.com/shortlink/shortlink/ports/porttest"
)

func TestVisitTotalsContract(t *testing.T) {
	t.Parallel()
	porttest.VisitTotalsContract(t, func(t *testing.T) porttest.VisitTotalsStore { return newStore(t) })
}
