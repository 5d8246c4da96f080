package postgres

import (
	"context"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var _ ports.BulkInserter = (*Store)(nil)

// maxBulkInsert caps how many links of a bulk create share one statement
// (and one commit): a whole bulk request.
const maxBulkInsert = domain.MaxBulkItems

// InsertMany implements ports.BulkInserter: the links go in statements of
// up to maxBulkInsert links, one commit each, outside the insert batcher
// (whose batches of maxInsertBatch, one in flight per worker, suit
// concurrent single creates). A taken code fails its link alone.
func (s *Store) InsertMany(ctx context.Context, links []domain.ShortLink, codeFreeAfter []time.Time) ([]domain.ShortLink, []error) {
	stored, errs := make([]domain.ShortLink, len(links)), make([]error, len(links))
	for start := 0; start < len(links); start += maxBulkInsert {
		end := min(start+maxBulkInsert, len(links))
		batch := make([]*pendingInsert, 0, end-start)
		for i := start; i < end; i++ {
			batch = append(batch, &pendingInsert{request: newRequest(ctx), link: links[i], freeAfter: codeFreeAfter[i]})
		}
		s.insertBatch(batch)
		for j, p := range batch {
			a := <-p.answer
			stored[start+j], errs[start+j] = a.link, a.err
		}
	}
	return stored, errs
}
