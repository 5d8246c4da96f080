package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/ports"
)

// defaultSweepChunk bounds the records one sweep transaction looks at, so a
// sweep never holds the writer lock long enough to delay creates noticeably.
const defaultSweepChunk = 1000

// Sweep is retention, the embedded counterpart of dropping old Postgres
// partitions: it removes the links created before cutoff (every one of
// them has expired, if cutoff is MAX_TTL ago, and their statistics go with
// them), the visit counters of links that are gone, and the claims whose
// quarantine ended by now, which free their codes no more than they
// already are. It returns how many links it removed.
func (s *Store) Sweep(ctx context.Context, cutoff, now time.Time) (int, error) {
	links, err := s.sweepBucket(ctx, linksBucket, func(_ *bbolt.Tx, _, v []byte) (bool, error) {
		link, err := decodeLink(v)
		return err == nil && link.CreatedAt().Before(cutoff), err
	})
	if err != nil {
		return links, err
	}
	if _, err := s.sweepVisits(ctx); err != nil {
		return links, err
	}
	// The audit log is retained like visits: as long as the links it names.
	if _, err := s.sweepBucket(ctx, auditBucket, func(_ *bbolt.Tx, _, v []byte) (bool, error) {
		var e storedAudit
		if err := json.Unmarshal(v, &e); err != nil {
			return false, errCorruptRecord
		}
		return e.At.Before(cutoff), nil
	}); err != nil {
		return links, err
	}
	_, err = s.sweepBucket(ctx, claimsBucket, func(_ *bbolt.Tx, _, v []byte) (bool, error) {
		c, err := decodeClaim(v)
		return err == nil && c.freeAfter.Before(now), err
	})
	return links, err
}

// sweepBucket deletes the records of bucket that drop says to, a chunk per
// transaction, and returns how many it deleted.
func (s *Store) sweepBucket(ctx context.Context, bucket []byte, drop func(tx *bbolt.Tx, k, v []byte) (bool, error)) (int, error) {
	deleted := 0
	var resume []byte // first key of the next chunk; nil once the bucket is done
	for first := true; first || resume != nil; first = false {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		err := s.db.Update(func(tx *bbolt.Tx) error {
			b := tx.Bucket(bucket)
			c := b.Cursor()
			k, v := c.First()
			if resume != nil {
				k, v = c.Seek(resume)
			}
			resume = nil
			var doomed [][]byte
			for seen := 0; k != nil; k, v = c.Next() {
				if seen == s.sweepChunk {
					resume = bytes.Clone(k)
					break
				}
				seen++
				ok, err := drop(tx, k, v)
				if err != nil {
					return err
				}
				if ok {
					doomed = append(doomed, bytes.Clone(k))
				}
			}
			for _, key := range doomed { // after the walk: deleting under a cursor skips keys
				if err := b.Delete(key); err != nil {
					return err
				}
			}
			deleted += len(doomed)
			return nil
		})
		if err != nil {
			return deleted, translate("sweep", err)
		}
	}
	return deleted, nil
}

// sweeper runs Sweep every interval while the app runs.
type sweeper struct {
	store     *Store
	interval  time.Duration
	retention time.Duration
	clock     ports.Clock
	log       *slog.Logger
	cancel    context.CancelFunc
	done      chan struct{}
}

func (w *sweeper) start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go func() {
		defer close(w.done)
		ticker := time.NewTicker(w.interval)
		defer ticker.Stop()
		for {
			now := w.clock.Now()
			n, err := w.store.Sweep(ctx, now.Add(-w.retention), now)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				w.log.Warn("embedded store: retention sweep failed", "error", err)
			case n > 0:
				w.log.Info("embedded store: deleted links past retention", "count", n)
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
