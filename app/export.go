package app

import (
	"context"
	"fmt"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// ExportPage is how many links an export reads from the store at a time:
// what bounds its memory, whatever the number of links.
const ExportPage = 1000

// ExportRow is a link as exported: with its status when read and the
// visits the store keeps of it.
type ExportRow struct {
	Link   domain.ShortLink
	Status domain.Status
	Visits int64
}

// Exporter is the export use case: every link the caller may list (the
// listing's scope and filters), with its visit total, a page at a time.
type Exporter struct {
	lister *Lister
	totals ports.VisitTotals
	clock  ports.Clock
}

// NewExporter returns the use case; without totals an export is unavailable.
func NewExporter(lister *Lister, totals ports.VisitTotals, clock ports.Clock) *Exporter {
	return &Exporter{lister: lister, totals: totals, clock: clock}
}

// Export passes every link of q that caller may list, newest first, to
// write, ExportPage links or fewer at a time (q's cursor and limit are
// ignored; the listing's keyset pages through the store, so no more than a
// page is held). write gets one empty page for an empty export, and the
// slice it gets is reused for the next page. Export stops at the first
// error, of the store or of write; an error of the first page comes before
// write is ever called, so the caller can still answer it as a whole.
func (e *Exporter) Export(ctx context.Context, caller Caller, q domain.LinkQuery, write func([]ExportRow) error) error {
	q.After, q.Limit = domain.Cursor{}, ExportPage
	rows := make([]ExportRow, 0, ExportPage)
	ids := make([]domain.LinkID, 0, ExportPage)
	for {
		links, next, err := e.lister.List(ctx, caller, q)
		if err != nil {
			return err
		}
		if e.totals == nil {
			return domain.ErrUnavailable
		}
		ids = ids[:0]
		for _, l := range links {
			ids = append(ids, l.ID())
		}
		totals, err := e.totals.VisitTotals(ctx, ids)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		now := e.clock.Now()
		rows = rows[:0]
		for i, l := range links {
			rows = append(rows, ExportRow{Link: l, Status: l.Status(now), Visits: totals[i]})
		}
		if err := write(rows); err != nil {
			return err
		}
		if next.IsZero() {
			return nil
		}
		q.After = next
	}
}

type exporterParams struct {
	fx.In
	Lister *Lister
	Totals ports.VisitTotals `optional:"true"`
	Clock  ports.Clock
}

func newExporterFx(p exporterParams) *Exporter { return NewExporter(p.Lister, p.Totals, p.Clock) }
