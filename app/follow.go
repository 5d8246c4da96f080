package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/shortlink/shortlink/ports"
)

const (
	// followEvery is how often the follower reads the change feed when no
	// notification wakes it: with a notification lost, a change reaches
	// this replica's memory that much later at most.
	followEvery = 250 * time.Millisecond
	// followBatch is how many changes one read returns at most.
	followBatch = 1024
	// changeReplay is how far back a follower that starts over reads: the
	// store's clock may run behind this one, and a shared cache may not
	// have heard yet of a change committed just before.
	changeReplay = 10 * time.Second
	// changeRetention is how long the store keeps changes. A follower
	// that could not read for half of it may have lost some, and starts
	// over.
	changeRetention = time.Hour
	// pruneEvery is how often a follower forgets changes older than
	// changeRetention. Every replica prunes; the deletes are idempotent.
	pruneEvery = time.Minute
)

// ChangeFollower keeps the local cache tier in step with the store: it
// reads the store's change feed every followEvery, and at once when the
// feed wakes it (LISTEN/NOTIFY), and drops the local copies the changes
// name. It is what lets each replica see every other's changes without
// Redis.
type ChangeFollower struct {
	feed   ports.ChangeFeed
	caches *LinkCaches
	// Keys, when set, has its cached keys dropped as the feed names them.
	Keys  *KeyRing
	clock ports.Clock
	log   *slog.Logger

	lastRead, lastPrune time.Time

	cancel context.CancelFunc
	done   chan struct{}

	// Domains, when set, reads the domains again as the feed names one.
	Domains *Domains
}

// NewChangeFollower returns a follower of feed for caches.
func NewChangeFollower(feed ports.ChangeFeed, caches *LinkCaches, clock ports.Clock, log *slog.Logger) *ChangeFollower {
	return &ChangeFollower{feed: feed, caches: caches, clock: clock, log: log}
}

// FollowOnce reads what the feed has and applies it; the first read, and
// one after the feed could not be read for half of changeRetention, start
// over. It also prunes, every pruneEvery. Not for concurrent use.
func (f *ChangeFollower) FollowOnce(ctx context.Context) error {
	start := f.clock.Now()
	restart := f.lastRead.IsZero() || start.Sub(f.lastRead) > changeRetention/2
	if restart {
		f.feed.Rewind(start.Add(-changeReplay))
	}
	for {
		changes, err := f.feed.Changes(ctx, start, followBatch)
		if err != nil {
			return err
		}
		f.caches.forget(changes, restart, start)
		if f.Keys != nil {
			f.Keys.forget(changes, restart)
		}
		f.Domains.forget(ctx, changes, restart)
		restart = false
		if len(changes) < followBatch {
			break
		}
	}
	f.lastRead = start
	f.caches.caughtUpAt(start)
	if f.Keys != nil {
		f.Keys.caughtUpAt(start)
	}
	if start.Sub(f.lastPrune) >= pruneEvery {
		if err := f.feed.Prune(ctx, start.Add(-changeRetention)); err != nil {
			f.log.Debug("change feed: prune failed; next time", "error", err)
		} else {
			f.lastPrune = start
		}
	}
	return nil
}

// Start follows until Stop. A failed read is retried at the next tick;
// meanwhile the local tier stops answering once localTrust has passed.
func (f *ChangeFollower) Start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel, f.done = cancel, make(chan struct{})
	go func() {
		defer close(f.done)
		ticker := time.NewTicker(followEvery)
		defer ticker.Stop()
		failing := false
		for {
			err := f.FollowOnce(ctx)
			switch {
			case err != nil && !failing && ctx.Err() == nil:
				f.log.Warn("change feed unreadable: this replica's memory cache is bypassed until it is back", "error", err)
				failing = true
			case err == nil && failing:
				f.log.Info("change feed readable again")
				failing = false
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			case <-f.feed.Wake():
			}
		}
	}()
	return nil
}

// Stop ends the loop.
func (f *ChangeFollower) Stop(context.Context) error {
	f.cancel()
	<-f.done
	return nil
}
