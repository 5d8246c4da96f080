package app

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// localTrust is how long after the change feed last caught up the local
// tier may answer. A replica whose feed stalls (its Postgres unreachable,
// the others' not) stops trusting its own memory that long after, and
// asks the shared cache and the store instead. It is a few polls long, so
// a slow poll does not turn the local tier off.
const localTrust = time.Second

// LinkCaches is the redirect cache as the use cases see it: the process's
// own memory (the local tier) in front of the cache the replicas share
// (Redis), when there is one.
//
// Without a shared tier (embedded mode: one process, one store) the local
// tier is the cache. With one, the local tier answers only while a change
// feed keeps it in step with the store (ChangeFollower): each replica
// drops the entries other replicas' changes name, without Redis, so a
// frozen Redis can delay a takedown by one poll of the feed at most.
// Negative entries live in the shared tier then: a create of a code never
// claimed is not on the feed, and a local negative entry could hide the
// new link. (A create that takes over a code whose quarantine is over is
// on the feed: another replica may hold the old link's tombstone.)
type LinkCaches struct {
	local  ports.LocalLinkCache // nil: no local tier
	shared ports.LinkCache      // nil: no shared tier
	// caughtUp is when (unix ns, by the app's clock) the change feed last
	// caught up; 0 before it ever did.
	caughtUp atomic.Int64
	// behind, when running, writes lookups' write-backs to the shared tier
	// after the lookup has answered (WriteBehind).
	behind *writeBehind
}

// NewLinkCaches returns the tiers: local (may be nil) in front of shared
// (nil in a process that shares no store). followed says a ChangeFollower
// keeps local in step; with a shared tier and no follower, local is left
// out, since nothing would tell it of other replicas' changes.
func NewLinkCaches(local ports.LocalLinkCache, shared ports.LinkCache, followed bool) *LinkCaches {
	if shared != nil && !followed {
		local = nil
	}
	return &LinkCaches{local: local, shared: shared}
}

// localAnswers reports whether the local tier may answer at now.
func (c *LinkCaches) localAnswers(now time.Time) bool {
	if c.local == nil {
		return false
	}
	return c.shared == nil || now.UnixNano()-c.caughtUp.Load() <= int64(localTrust)
}

// writeBack says which tier a lookup that missed the caches writes back
// what the store answered.
type writeBack uint8

const (
	// toShared: the shared tier answered the lookup. A link read again
	// reaches memory from there: memory keeps what is read twice, not every
	// one-off lookup of a scan or a cold link.
	toShared writeBack = iota
	// toLocal: there is no shared tier, or it failed, or it was not asked
	// (the code changed): memory keeps the store's answer, so that hot
	// links keep being answered without the store while Redis is out.
	toLocal
)

// get looks code up in the local tier, then the shared one, and keeps a
// shared hit locally. A code the feed said changed, and the local tier
// holds no copy of since, is a miss without asking the shared tier: its
// copy may predate the change (the change's write to it may be late, or
// lost while it was down), so the store answers, whether Redis does or not.
// back says where to write the store's answer back; err is the shared
// tier's failure, which the caller works around.
func (c *LinkCaches) get(ctx context.Context, code domain.Code, now time.Time) (link domain.ShortLink, result ports.CacheResult, back writeBack, err error) {
	if c.localAnswers(now) {
		link, result, _ := c.local.Get(ctx, code, now)
		if result != ports.CacheMiss {
			return link, result, toLocal, nil
		}
		if c.local.Forgotten(code, now) {
			return domain.ShortLink{}, ports.CacheMiss, toLocal, nil
		}
	}
	if c.shared == nil {
		return domain.ShortLink{}, ports.CacheMiss, toLocal, nil
	}
	link, result, err = c.shared.Get(ctx, code, now)
	switch {
	case err != nil:
		return domain.ShortLink{}, ports.CacheMiss, toLocal, err
	case result == ports.CacheHit:
		c.putLocal(ctx, link, now, false) // refused if the feed has since said the link changed
	}
	return link, result, toShared, nil
}

// add caches link as a lookup read it from the store, in the tier back
// names, never replacing an entry (ports.LinkCache.Add).
func (c *LinkCaches) add(ctx context.Context, link domain.ShortLink, now time.Time, back writeBack) error {
	if back == toLocal {
		c.putLocal(ctx, link, now, false)
		return nil
	}
	if c.behind.offer(link) {
		return nil
	}
	return c.shared.Add(ctx, link, now)
}

// setMissing records that no link has code: in the shared tier when it
// answered the lookup, or in the local one when there is no shared tier
// (a local negative entry in front of one could hide another replica's
// create).
func (c *LinkCaches) setMissing(ctx context.Context, code domain.Code, now time.Time, back writeBack) error {
	switch {
	case c.shared == nil && c.local != nil:
		return c.local.SetMissing(ctx, code, now)
	case c.shared != nil && back == toShared:
		return c.shared.SetMissing(ctx, code, now)
	}
	return nil
}

// set caches link as a change just committed it: the local tier first, so
// this process answers the new state before its caller does, then the
// shared one. The error is the shared tier's.
func (c *LinkCaches) set(ctx context.Context, link domain.ShortLink, now time.Time) error {
	c.putLocal(ctx, link, now, true)
	if c.shared == nil {
		return nil
	}
	return c.shared.Set(ctx, link, now)
}

// created caches a link just created where its first lookup looks: the
// shared tier when there is one (memory takes it from there once it is
// read), else the local one. The error is the shared tier's.
func (c *LinkCaches) created(ctx context.Context, link domain.ShortLink, now time.Time) error {
	if c.shared == nil {
		c.putLocal(ctx, link, now, true)
		return nil
	}
	return c.shared.Set(ctx, link, now)
}

// putLocal writes link to the local tier: Set, or Add unless set.
func (c *LinkCaches) putLocal(ctx context.Context, link domain.ShortLink, now time.Time, set bool) {
	switch {
	case c.local == nil:
	case set:
		_ = c.local.Set(ctx, link, now) // in process: never fails
	default:
		_ = c.local.Add(ctx, link, now)
	}
}

// forget applies changes read from the feed at at: it drops the local
// copies they name, and refuses older ones from then on; all of them
// first, when restart says the feed may have missed some.
func (c *LinkCaches) forget(changes []ports.Change, restart bool, at time.Time) {
	if c.local == nil {
		return
	}
	if restart {
		c.local.Clear()
	}
	for _, ch := range changes {
		if ch.Kind == ports.ChangeLink {
			c.local.Forget(domain.Code(ch.Key), domain.LinkID(ch.ID), ch.Version, at)
		}
	}
}

// caughtUpAt lets the local tier answer until localTrust after at: every
// change committed before at has been applied.
func (c *LinkCaches) caughtUpAt(at time.Time) { c.caughtUp.Store(at.UnixNano()) }

// maxWriteBehind caps the write-backs one exchange carries, and how many
// may wait for it: a full queue sends the next write-back the old way,
// from the request, so a slow Redis slows the lookups as before rather
// than piling links up in memory.
const maxWriteBehind = 256

// writeBehind writes lookups' write-backs (SET NX) to a shared tier that
// takes many in one exchange, from one goroutine, after the lookups have
// answered: a cold miss waits for the Redis GET and the store, not for the
// write too, and the writes of concurrent misses share one round trip
// instead of waking each request once more.
//
// A write-back is still an Add (SET NX): it never replaces an entry, so a
// change's Set (a deleted link's tombstone included) that lands first
// wins, as it did when the request sent it. What the queue adds is the
// time a write waits in it, which under load is the previous exchange's
// round trip: the entry's lifetime is computed when the write is sent,
// and a cached link's expiry is checked again on every answer.
type writeBehind struct {
	adder   ports.LinkCacheBatch
	clock   ports.Clock
	log     *slog.Logger
	queue   chan domain.ShortLink
	running atomic.Bool
	stop    chan struct{}
	done    chan struct{}
	// failed counts exchanges that failed (their links are not cached;
	// the next lookup reads the store again).
	failed atomic.Uint64
}

// WriteBehind makes lookups that the shared tier answered hand their
// write-back to one goroutine, which sends them in batches (AddAll), while
// Start has run and Stop has not. It does nothing unless the shared tier
// implements ports.LinkCacheBatch.
func (c *LinkCaches) WriteBehind(clock ports.Clock, log *slog.Logger) *LinkCaches {
	if adder, ok := c.shared.(ports.LinkCacheBatch); ok {
		c.behind = &writeBehind{adder: adder, clock: clock, log: log, queue: make(chan domain.ShortLink, maxWriteBehind)}
	}
	return c
}

// Start starts the write-behind goroutine, if there is one.
func (c *LinkCaches) Start(context.Context) error {
	if w := c.behind; w != nil {
		w.stop, w.done = make(chan struct{}), make(chan struct{})
		w.running.Store(true)
		go w.run()
	}
	return nil
}

// Stop sends what waits and stops the goroutine; write-backs go from the
// requests again. A write-back queued as it stops may be left out: the
// next lookup of its link reads the store.
func (c *LinkCaches) Stop(ctx context.Context) error {
	w := c.behind
	if w == nil || !w.running.Swap(false) {
		return nil
	}
	close(w.stop)
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WriteBehindFailures counts batches of write-backs that failed.
func (c *LinkCaches) WriteBehindFailures() uint64 {
	if c.behind == nil {
		return 0
	}
	return c.behind.failed.Load()
}

// offer queues link's write-back, or reports false when it must be sent
// by the caller: no write-behind, not running, or its queue full.
func (w *writeBehind) offer(link domain.ShortLink) bool {
	if w == nil || !w.running.Load() {
		return false
	}
	select {
	case w.queue <- link:
		return true
	default:
		return false
	}
}

func (w *writeBehind) run() {
	defer close(w.done)
	batch := make([]domain.ShortLink, 0, maxWriteBehind)
	for {
		select {
		case link := <-w.queue:
			batch = w.fill(append(batch[:0], link))
			w.send(batch)
		case <-w.stop:
			if batch = w.fill(batch[:0]); len(batch) > 0 {
				w.send(batch)
			}
			return
		}
	}
}

// fill adds to batch what waits in the queue, up to its capacity.
func (w *writeBehind) fill(batch []domain.ShortLink) []domain.ShortLink {
	for len(batch) < cap(batch) {
		select {
		case link := <-w.queue:
			batch = append(batch, link)
		default:
			return batch
		}
	}
	return batch
}

func (w *writeBehind) send(batch []domain.ShortLink) {
	if err := w.adder.AddAll(context.Background(), batch, w.clock.Now()); err != nil {
		w.failed.Add(1)
		w.log.Debug("cache write-back failed; the next lookups read the store", "links", len(batch), "error", err)
	}
	clear(batch) // keep no link alive until the next batch
}
