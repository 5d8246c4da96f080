package porttest

import (
	"context"
	"testing"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// VisitTotalsStore is a visit store that also sums visits per link.
type VisitTotalsStore interface {
	ports.VisitStore
	ports.VisitTotals
}

// VisitTotalsContract runs the visit totals contract against fresh stores
// made by newStore, one per rule. Link ids need no stored link.
func VisitTotalsContract(t *testing.T, newStore func(t *testing.T) VisitTotalsStore) {
	t.Helper()
	runRules(t, visitTotalsRules, func(t *testing.T) totalsCase { return totalsCase{newStore(t)} })
}

type totalsCase struct{ s VisitTotalsStore }

var visitTotalsRules = []rule[totalsCase]{
	{"no links: no totals", noLinksNoTotals},
	{"a link without visits totals 0", aLinkWithoutVisitsTotalsZero},
	{"totals sum humans and bots over every hour and day, per link, in the order asked", totalsSumEveryHourPerLinkInOrder},
}

func (c totalsCase) totals(t *testing.T, links ...domain.LinkID) []int64 {
	t.Helper()
	got, err := c.s.VisitTotals(context.Background(), links)
	if err != nil {
		t.Fatalf("VisitTotals: %v", err)
	}
	return got
}

func noLinksNoTotals(t *testing.T, c totalsCase) {
	if got := c.totals(t); len(got) != 0 {
		t.Fatalf("totals of no links = %v, want none", got)
	}
}

func aLinkWithoutVisitsTotalsZero(t *testing.T, c totalsCase) {
	visitCase{c.s}.add(t, visitBatch(visits(1, 1, 2, 3)))
	expectEqual(t, "totals", []int64{0, 5, 0}, c.totals(t, 7, 1, 8))
}

func totalsSumEveryHourPerLinkInOrder(t *testing.T, c totalsCase) {
	v := visitCase{c.s}
	v.add(t, visitBatch(visits(1, 1, 3, 1, ref("direct", 4)), visits(1, 5, 2, 0), visits(2, 1, 100, 100)))
	v.add(t, visitBatch(visits(1, 30, 4, 0), visits(2, 24*40, 1, 0))) // another day, another month
	v.add(t, visitBatch(visits(3, 2, 0, 9)))
	expectEqual(t, "totals", []int64{201, 9, 10}, c.totals(t, 2, 3, 1))
}
