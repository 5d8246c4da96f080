package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// defaultSweepChunk bounds the records one sweep transaction looks at, so a
// sweep never holds the writer lock long enough to delay creates noticeably.
const defaultSweepChunk = 1000

var _ ports.Pruner = (*Store)(nil)

// Prune implements ports.Pruner, the embedded counterpart of `partitions
// --prune`, a chunk of records per transaction: it deletes the links that
// ended before c.LinksEndedBefore (a permanent link never ends), the visit
// counters of hours before c.VisitsBefore, and the claims whose quarantine
// ended by c.Now and whose link is gone, which free their codes no more
// than they already are.
func (s *Store) Prune(ctx context.Context, c domain.RetentionCutoffs) (ports.Pruned, error) {
	links, err := s.sweepBucket(ctx, linksBucket, func(_ *bbolt.Tx, _, v []byte) (bool, error) {
		link, err := decodeLink(v)
		return err == nil && link.ExpiresAt().Before(c.LinksEndedBefore), err
	})
	if err != nil {
		return ports.Pruned{Links: links}, err
	}
	if _, err := s.sweepVisits(ctx, c.VisitsBefore); err != nil {
		return ports.Pruned{Links: links}, err
	}
	// The audit log is retained like visits.
	if _, err := s.sweepBucket(ctx, auditBucket, func(_ *bbolt.Tx, _, v []byte) (bool, error) {
		var e storedAudit
		if err := json.Unmarshal(v, &e); err != nil {
			return false, errCorruptRecord
		}
		return e.At.Before(c.VisitsBefore), nil
	}); err != nil {
		return ports.Pruned{Links: links}, err
	}
	// A claim leads lookups to its link: it goes only once that link is
	// gone too (a link may outlive its code's quarantine, within retention).
	_, err = s.sweepBucket(ctx, claimsBucket, func(tx *bbolt.Tx, _, v []byte) (bool, error) {
		cl, err := decodeClaim(v)
		return err == nil && cl.freeAfter.Before(c.Now) && tx.Bucket(linksBucket).Get(idKey(cl.link)) == nil, err
	})
	return ports.Pruned{Links: links}, err
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
	retention domain.Retention
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
			pruned, err := w.store.Prune(ctx, w.retention.Cutoffs(now))
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				w.log.Warn("embedded store: retention sweep failed", "error", err)
			case pruned.Links > 0:
				w.log.Info("embedded store: deleted links past retention", "count", pruned.Links)
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
