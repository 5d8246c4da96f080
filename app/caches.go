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
// Negative entries and the tombstones of deleted links live in the shared
// tier then: a create is not on the feed, and a local one could hide a new
// link (a code is claimed again once its quarantine is over). Locally, a
// deletion leaves only its version, which refuses the live link's copies.
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

// Get looks code up in the local tier, then the shared one, and keeps a
// shared hit locally. A code the feed said changed, and the local tier
// holds no copy of since, is a miss without asking the shared tier: its
// copy may predate the change (the change's write to it may be late, or
// lost while it was down), so the store answers, whether Redis does or not.
// err is the shared tier's failure, which the caller works around.
func (c *LinkCaches) Get(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, ports.CacheResult, error) {
	if c.localAnswers(now) {
		link, result, _ := c.local.Get(ctx, code, now)
		if result != ports.CacheMiss {
			return link, result, nil
		}
		if c.local.Forgotten(code, now) {
			return domain.ShortLink{}, ports.CacheMiss, nil
		}
	}
	if c.shared == nil {
		return domain.ShortLink{}, ports.CacheMiss, nil
	}
	link, result, err := c.shared.Get(ctx, code, now)
	if err == nil && result == ports.CacheHit {
		// Refused if the feed has since said the link changed.
		c.putLocal(ctx, link, now, false)
	}
	return link, result, err
}

// Add caches link as a lookup read it from the store, in the shared tier
// only when shared (it answered the lookup's Get), and never replacing an
// entry (ports.LinkCache.Add).
func (c *LinkCaches) Add(ctx context.Context, link domain.ShortLink, now time.Time, shared bool) error {
	c.putLocal(ctx, link, now, false)
	if c.shared == nil || !shared {
		return nil
	}
	return c.shared.Add(ctx, link, now)
}

// SetMissing records that no link has code: in the shared tier when there
// is one (and shared says it answered), else in the local one.
func (c *LinkCaches) SetMissing(ctx context.Context, code domain.Code, now time.Time, shared bool) error {
	switch {
	case c.shared == nil && c.local != nil:
		return c.local.SetMissing(ctx, code, now)
	case c.shared != nil && shared:
		return c.shared.SetMissing(ctx, code, now)
	}
	return nil
}

// Set caches link as a change or a create just committed it: the local
// tier first, so this process answers the new state before its caller
// does, then the shared one. The error is the shared tier's.
func (c *LinkCaches) Set(ctx context.Context, link domain.ShortLink, now time.Time) error {
	c.putLocal(ctx, link, now, true)
	if c.shared == nil {
		return nil
	}
	return c.shared.Set(ctx, link, now)
}

// putLocal writes link to the local tier (Set, or Add unless set), or, for
// a deleted link in front of a shared tier, only its version.
func (c *LinkCaches) putLocal(ctx context.Context, link domain.ShortLink, now time.Time, set bool) {
	switch {
	case c.local == nil:
	case c.shared != nil && link.State() == domain.StateDeleted:
		c.local.Forget(link.Code(), link.ID(), link.Version(), now)
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
