package bolt

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// defaultSweepChunk bounds the links one sweep transaction looks at, so a
// sweep never holds the writer lock long enough to delay creates noticeably.
const defaultSweepChunk = 1000

// DeleteExpired removes the links expired at now and returns how many it
// removed. Expired links never resolve and their codes are free anyway, so
// this only reclaims space: the embedded counterpart of dropping old
// Postgres partitions.
func (s *LinkStore) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	deleted := 0
	var resume []byte // first key of the next chunk; nil once the bucket is done
	for first := true; first || resume != nil; first = false {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		err := s.db.Update(func(tx *bbolt.Tx) error {
			b := tx.Bucket(linksBucket)
			c := b.Cursor()
			k, v := c.First()
			if resume != nil {
				k, v = c.Seek(resume)
			}
			resume = nil
			var expired [][]byte
			for seen := 0; k != nil; k, v = c.Next() {
				if seen == s.sweepChunk {
					resume = bytes.Clone(k)
					break
				}
				seen++
				link, err := decodeLink(domain.Code(k), v)
				if err != nil {
					return err
				}
				if link.ExpiredAt(now) {
					expired = append(expired, bytes.Clone(k))
				}
			}
			for _, key := range expired { // after the walk: deleting under a cursor skips keys
				if err := b.Delete(key); err != nil {
					return err
				}
			}
			deleted += len(expired)
			return nil
		})
		if err != nil {
			return deleted, translate("delete expired links", err)
		}
	}
	return deleted, nil
}

// sweeper runs DeleteExpired every interval while the app runs.
type sweeper struct {
	store    *LinkStore
	interval time.Duration
	clock    ports.Clock
	log      *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}
}

func (w *sweeper) start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go func() {
		defer close(w.done)
		ticker := time.NewTicker(w.interval)
		defer ticker.Stop()
		for {
			n, err := w.store.DeleteExpired(ctx, w.clock.Now())
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				w.log.Warn("embedded store: sweeping expired links failed", "error", err)
			case n > 0:
				w.log.Info("embedded store: deleted expired links", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
	return nil
}

func (w *sweeper) stop(context.Context) error {
	w.cancel()
	<-w.done
	return nil
}
