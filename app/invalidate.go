package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

const (
	// drainEvery is how often a replica drains the cache outbox: after a
	// cache outage, a stale entry lasts at most about this long.
	drainEvery = 250 * time.Millisecond
	// drainDelay holds each invalidation back this long after its change:
	// the Set right after the commit is the fast path, and this second
	// invalidation removes any entry that a lookup which read the old link
	// before the commit wrote back after it.
	drainDelay = time.Second
	drainBatch = 256
)

// CacheInvalidator delivers the cache invalidations a shared store's outbox
// holds: the changes committed while the cache was unreachable, and the
// delayed second invalidation of every change. Any replica may run it.
type CacheInvalidator struct {
	outbox ports.CacheOutbox
	cache  ports.LinkCache
	clock  ports.Clock
	log    *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}
}

// NewCacheInvalidator returns an invalidator that drains outbox into cache.
func NewCacheInvalidator(outbox ports.CacheOutbox, cache ports.LinkCache, clock ports.Clock, log *slog.Logger) *CacheInvalidator {
	return &CacheInvalidator{outbox: outbox, cache: cache, clock: clock, log: log}
}

// DrainOnce delivers what is due now and returns how many it delivered.
func (v *CacheInvalidator) DrainOnce(ctx context.Context) (int, error) {
	return v.outbox.Drain(ctx, v.clock.Now().Add(-drainDelay), drainBatch, func(codes []domain.Code) error {
		for _, code := range codes {
			if err := v.cache.Invalidate(ctx, code); err != nil {
				return err
			}
		}
		return nil
	})
}

// Start drains every drainEvery until Stop. Failures (cache or store down)
// are retried at the next tick: the outbox keeps what was not delivered.
func (v *CacheInvalidator) Start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel, v.done = cancel, make(chan struct{})
	go func() {
		defer close(v.done)
		ticker := time.NewTicker(drainEvery)
		defer ticker.Stop()
		failing := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			_, err := v.DrainOnce(ctx)
			switch {
			case err != nil && !failing && ctx.Err() == nil:
				v.log.Warn("cache invalidations wait in the outbox", "error", err)
				failing = true
			case err == nil && failing:
				v.log.Info("cache invalidations delivered again")
				failing = false
			}
		}
	}()
	return nil
}

// Stop ends the loop.
func (v *CacheInvalidator) Stop(context.Context) error {
	v.cancel()
	<-v.done
	return nil
}
