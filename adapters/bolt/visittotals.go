package bolt

import (
	"bytes"
	"context"
	"encoding/binary"

	bbolt "go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var _ ports.VisitTotals = (*Store)(nil)

// VisitTotals implements ports.VisitTotals with a range scan of each
// link's hours, in one read transaction.
func (s *Store) VisitTotals(_ context.Context, links []domain.LinkID) ([]int64, error) {
	totals := make([]int64, len(links))
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(visitsBucket).Cursor()
		prefix := make([]byte, 8)
		for i, link := range links {
			binary.BigEndian.PutUint64(prefix, uint64(link))
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				h, err := decodeHour(v)
				if err != nil {
					return err
				}
				totals[i] += h.humans + h.bots
			}
		}
		return nil
	})
	if err != nil {
		return nil, translate("visit totals", err)
	}
	return totals, nil
}
