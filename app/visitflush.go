package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

const (
	// visitWriteTimeout bounds one write of a batch; past it the write is
	// uncertain and the same batch is retried.
	visitWriteTimeout = 5 * time.Second
	// VisitBatchMemory is how long stores remember applied batch ids: a
	// batch retried later than that (after a longer outage) could count twice.
	VisitBatchMemory = 48 * time.Hour
	// visitForgetEvery is how often a flusher lets the store forget old batch ids.
	visitForgetEvery = time.Hour
)

// Flush outcomes, as ObserveFlush is told them.
const (
	FlushApplied    = "applied"
	FlushNotApplied = "not_applied"
	FlushUncertain  = "uncertain"
)

// VisitFlusher writes what a VisitRecorder counted every interval, one
// batch per write, exactly once: a batch whose write is uncertain (a
// timeout, a connection lost after sending) is kept and retried, with the
// same id, before anything new is taken; a batch certainly not applied is
// merged back into the recorder. While the store is down the counts wait in
// the recorder, within its key bound. Stop writes what is left, so it must
// run after the HTTP server has drained.
type VisitFlusher struct {
	rec      *VisitRecorder
	store    ports.VisitStore
	clock    ports.Clock
	interval time.Duration
	log      *slog.Logger
	// ObserveFlush, when set before Start, is told each write's duration and outcome.
	ObserveFlush func(d time.Duration, outcome string)

	// Keys, when set before Start, are asked for each day's visitor key
	// (the recorder keeps visitor hashes only then).
	Keys ports.VisitorKeys

	// UniquesEvery, when set before Start, is how often the visitor hashes
	// of applied batches are merged (VISIT_UNIQUES_INTERVAL); 0 merges them
	// with every write.
	UniquesEvery time.Duration

	mu             sync.Mutex // one flush at a time
	held           *domain.VisitBatch
	gathered       []domain.VisitCounts // visitor hashes of applied batches, not merged yet: one entry per link and day
	gatheredAt     map[gatherKey]int    // gathered's entry of each link and day
	gatheredHashes int
	lastUniques    time.Time
	uniqueTries    int
	lastForget     time.Time
	failing        bool
	keyFailing     bool

	cancel context.CancelFunc
	done   chan struct{}
}

// NewVisitFlusher returns a flusher of rec into store every interval.
func NewVisitFlusher(rec *VisitRecorder, store ports.VisitStore, clock ports.Clock, interval time.Duration, log *slog.Logger) *VisitFlusher {
	return &VisitFlusher{rec: rec, store: store, clock: clock, interval: interval, log: log}
}

// maxUniqueTries is how often gathered visitor hashes are offered to the
// store before they are given up (their counts are applied by then): a
// store that keeps refusing them must not hold them forever.
const maxUniqueTries = 5

// maxGatheredHashes is how many visitor hashes the flusher gathers before
// it merges them whatever UniquesEvery says.
const maxGatheredHashes = 1 << 20

// Flush writes the batch held for a retry, if any, else everything
// pending, as one batch, exactly once (AddVisits), then every visitor hash
// gathered (MergeUniques, a union, so a retry adds nothing). It returns
// the first write's error.
func (f *VisitFlusher) Flush(ctx context.Context) error { return f.flush(ctx, true) }

// flush is Flush, the visitor hashes merged only when due (UniquesEvery)
// unless all.
func (f *VisitFlusher) flush(ctx context.Context, all bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held == nil {
		if counts := f.rec.take(); len(counts) > 0 {
			f.held = &domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: f.clock.Now(), Counts: counts}
		}
	}
	var err error
	if f.held != nil {
		err = f.writeCounts(ctx)
	}
	if uerr := f.mergeUniques(ctx, all); err == nil {
		err = uerr
	}
	return err
}

// writeCounts writes the held batch; once applied, its visitor hashes are
// gathered for mergeUniques.
func (f *VisitFlusher) writeCounts(ctx context.Context) error {
	batch := *f.held
	wctx, cancel := context.WithTimeout(ctx, visitWriteTimeout)
	start := time.Now()
	err := f.store.AddVisits(wctx, batch)
	took := time.Since(start)
	cancel()
	outcome := FlushApplied
	switch {
	case err == nil:
		f.rec.settle(len(batch.Counts))
		f.gather(batch.Counts)
		f.held = nil
		f.rec.recycle()
	case errors.Is(err, domain.ErrNotApplied):
		outcome = FlushNotApplied
		f.rec.restore(batch.Counts)
		f.held = nil
		f.rec.recycle()
	default:
		outcome = FlushUncertain // keep it: only this batch may be retried
	}
	if f.ObserveFlush != nil {
		f.ObserveFlush(took, outcome)
	}
	if err != nil {
		return fmt.Errorf("write %d visits of %d keys (batch %s, %s): %w", batch.Visits(), len(batch.Counts), batch.ID, outcome, err)
	}
	return nil
}

// gatherKey is a link and day of gathered visitor hashes.
type gatherKey struct {
	link domain.LinkID
	day  int64 // Unix days
}

// gather copies the visitor hashes of an applied batch's counts into
// gathered, one entry per link and day (what the stores merge them by):
// thirty batches of a link's day cost one entry, not thirty, and the
// batch's own arrays can be used again.
func (f *VisitFlusher) gather(counts []domain.VisitCounts) {
	for _, c := range counts {
		if len(c.Uniques) == 0 {
			continue
		}
		k := gatherKey{link: c.Link, day: unixDay(c.Hour)}
		i, ok := f.gatheredAt[k]
		if !ok {
			if f.gatheredAt == nil {
				f.gatheredAt = map[gatherKey]int{}
			}
			i = len(f.gathered)
			f.gatheredAt[k] = i
			f.gathered = append(f.gathered, domain.VisitCounts{Link: c.Link, LinkCreatedAt: c.LinkCreatedAt, Hour: c.Hour})
		}
		g := &f.gathered[i]
		g.Uniques = append(g.Uniques, c.Uniques...)
		f.gatheredHashes += len(c.Uniques)
	}
}

// mergeUniques merges the gathered visitor hashes into the stores'
// sketches when all, when UniquesEvery has passed since the last merge,
// or when many are gathered. Rewriting a link and day's sketch costs the
// same for one hash as for thousands, so merging less often than the
// counts are written saves the most of it; unique visitors lag by
// UniquesEvery meanwhile. Hashes the store refuses maxUniqueTries times
// are given up (logged).
func (f *VisitFlusher) mergeUniques(ctx context.Context, all bool) error {
	if f.gatheredHashes == 0 {
		return nil
	}
	now := f.clock.Now()
	if !all && f.UniquesEvery > 0 && now.Sub(f.lastUniques) < f.UniquesEvery && f.gatheredHashes < maxGatheredHashes {
		return nil
	}
	batch := domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: now, Counts: f.gathered}
	wctx, cancel := context.WithTimeout(ctx, visitWriteTimeout)
	err := f.store.MergeUniques(wctx, batch)
	cancel()
	hashes := f.gatheredHashes
	if err == nil || f.uniqueTries+1 >= maxUniqueTries {
		if err != nil {
			f.log.Warn("visits: giving up visitor hashes (their visits are written; unique visitors undercount)", "hashes", hashes, "error", err)
		}
		f.gathered, f.gatheredAt, f.gatheredHashes, f.uniqueTries, f.lastUniques = nil, nil, 0, 0, now
	} else {
		f.uniqueTries++
	}
	if err != nil {
		return fmt.Errorf("merge %d visitor hashes: %w", hashes, err)
	}
	return nil
}

// Start flushes every interval until Stop.
func (f *VisitFlusher) Start(context.Context) error {
	if !f.rec.Enabled() {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel, f.done = cancel, make(chan struct{})
	f.lastUniques = f.clock.Now()
	go func() {
		defer close(f.done)
		f.refreshKey(ctx) // the first visits have their key
		ticker := time.NewTicker(f.interval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			f.tick(ctx)
		}
	}()
	return nil
}

func (f *VisitFlusher) tick(ctx context.Context) {
	f.refreshKey(ctx)
	err := f.flush(ctx, false)
	switch {
	case err != nil && !f.failing:
		f.failing = true
		f.log.Warn("visits: write failed; counts stay in memory and are retried", "error", err)
	case err != nil:
		f.log.Debug("visits: write failed again", "error", err)
	case f.failing:
		f.failing = false
		f.log.Info("visits: writes work again")
	}
	if now := f.clock.Now(); now.Sub(f.lastForget) >= visitForgetEvery && !f.failing {
		f.lastForget = now
		fctx, cancel := context.WithTimeout(ctx, visitWriteTimeout)
		defer cancel()
		if err := f.store.ForgetVisitBatches(fctx, now.Add(-VisitBatchMemory)); err != nil {
			f.log.Warn("visits: forgetting old batch ids failed", "error", err)
		}
	}
}

// refreshKey makes sure the recorder holds today's visitor key.
func (f *VisitFlusher) refreshKey(ctx context.Context) {
	if f.Keys == nil {
		return
	}
	kctx, cancel := context.WithTimeout(ctx, visitWriteTimeout)
	defer cancel()
	err := f.rec.RefreshKey(kctx, f.Keys, f.clock.Now())
	switch {
	case err != nil && !f.keyFailing:
		f.keyFailing = true
		f.log.Warn("visits: no visitor key for today; unique visitors are not counted until there is one (visits are)", "error", err)
	case err == nil && f.keyFailing:
		f.keyFailing = false
		f.log.Info("visits: unique visitors are counted again")
	}
}

// Stop ends the loop and writes what is pending, retrying until ctx ends;
// visits it could not write are logged as lost.
func (f *VisitFlusher) Stop(ctx context.Context) error {
	if f.cancel == nil {
		return nil
	}
	f.cancel()
	<-f.done
	for {
		err := f.Flush(ctx)
		f.mu.Lock()
		pending := f.held != nil || f.rec.PendingKeys() > 0 || f.gatheredHashes > 0
		f.mu.Unlock()
		if err == nil && !pending {
			return nil
		}
		select {
		case <-ctx.Done():
			f.log.Error("visits: shutting down with visits not written; they are lost",
				"pending_keys", f.rec.PendingKeys(), "error", err)
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}
