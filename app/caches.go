package app

import (
	"context"
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
