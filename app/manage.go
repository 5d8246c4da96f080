package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Patch is a PATCH of a link as the client sent it; nil fields are absent.
type Patch struct {
	ExpiresAt *time.Time
	Disabled  *bool
}

// LinkInfo is a link as its info shows it at an instant.
type LinkInfo struct {
	Link   domain.ShortLink
	Status domain.Status
}

// Manager is the link management use case: info, changes and deletion by
// the link's owner (its manage token) or an administrator (ADMIN_KEYS).
// Every answer follows one precedence: an unknown code first, then missing
// credentials, then credentials that do not grant the link, then the action.
type Manager struct {
	store      ports.LinkStore
	cache      ports.LinkCache
	clock      ports.Clock
	admins     domain.KeySet
	quarantine domain.CodeQuarantine
	maxTTL     time.Duration
	log        *slog.Logger

	// changing serialises the changes of one code in this process, from
	// the commit to the cache write, so the cache learns them in the order
	// they committed: without it, a PATCH that committed first could write
	// its (older) version over a DELETE's, and the cache would redirect a
	// deleted link until the entry expired. (Across replicas, the outbox's
	// delayed invalidation removes such an entry.)
	changing [64]sync.Mutex
}

// NewManager returns the management use case. adminKeys are ADMIN_KEYS;
// maxTTL bounds a link's lifetime from its creation.
func NewManager(store ports.LinkStore, cache ports.LinkCache, clock ports.Clock, adminKeys []string,
	quarantine domain.CodeQuarantine, maxTTL time.Duration, log *slog.Logger,
) *Manager {
	return &Manager{store: store, cache: cache, clock: clock, admins: domain.NewKeySet(adminKeys), quarantine: quarantine, maxTTL: maxTTL, log: log}
}

// Info shows the link that holds rawCode. Without credentials (bearer is
// empty) only a live link is shown, and disabled or deleted ones are
// domain.ErrGone; with the owner's token or an admin key, any state.
func (m *Manager) Info(ctx context.Context, rawCode, bearer string) (LinkInfo, error) {
	link, now, err := m.find(ctx, rawCode)
	if err != nil {
		return LinkInfo{}, err
	}
	if bearer == "" {
		if err := link.Resolve(now); err != nil {
			return LinkInfo{}, err
		}
		return LinkInfo{Link: link, Status: domain.StatusActive}, nil
	}
	if _, err := m.authorize(link, bearer); err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{Link: link, Status: link.Status(now)}, nil
}

// Authorize checks that bearer may see the private side of the link that
// holds rawCode (its statistics), and returns the link.
func (m *Manager) Authorize(ctx context.Context, rawCode, bearer string) (domain.ShortLink, error) {
	link, _, err := m.find(ctx, rawCode)
	if err != nil {
		return domain.ShortLink{}, err
	}
	_, err = m.authorize(link, bearer)
	return link, err
}

// Update applies p to the link that holds rawCode.
func (m *Manager) Update(ctx context.Context, rawCode, bearer string, p Patch) (LinkInfo, error) {
	return m.change(ctx, rawCode, bearer, "update", func(link domain.ShortLink, by domain.Actor, now time.Time) (domain.ShortLink, error) {
		var err error
		switch {
		case link.State() == domain.StateDeleted:
			return domain.ShortLink{}, domain.ErrGone
		case link.ExpiredAt(now): // a change needs a live link: no revival, and no state to flip
			return domain.ShortLink{}, domain.ErrLinkExpired
		}
		if p.ExpiresAt != nil {
			if link, err = link.ExtendTo(*p.ExpiresAt, now, m.maxTTL); err != nil {
				return domain.ShortLink{}, err
			}
		}
		if p.Disabled != nil {
			if link, err = link.SetDisabled(*p.Disabled, by); err != nil {
				return domain.ShortLink{}, err
			}
		}
		return link, nil
	})
}

// Delete ends the link that holds rawCode for good and erases its target.
func (m *Manager) Delete(ctx context.Context, rawCode, bearer string) error {
	_, err := m.change(ctx, rawCode, bearer, "delete", func(link domain.ShortLink, _ domain.Actor, now time.Time) (domain.ShortLink, error) {
		return link.Delete(now)
	})
	return err
}

type edit func(link domain.ShortLink, by domain.Actor, now time.Time) (domain.ShortLink, error)

// change authorizes bearer on the link rawCode holds, then applies edit in
// one store update, so that concurrent changes apply in one serial order,
// and tells the cache. A change commits even while the cache is down: the
// store's outbox invalidates the entry once the cache is back.
func (m *Manager) change(ctx context.Context, rawCode, bearer, action string, apply edit) (LinkInfo, error) {
	link, now, err := m.find(ctx, rawCode)
	if err != nil {
		return LinkInfo{}, err
	}
	by, err := m.authorize(link, bearer)
	if err != nil {
		return LinkInfo{}, err
	}
	lock := &m.changing[fnv32(link.Code())%uint32(len(m.changing))]
	lock.Lock()
	defer lock.Unlock()
	updated, err := m.store.Update(ctx, link.Code(), now, func(current domain.ShortLink) (domain.ShortLink, time.Time, error) {
		if current.ID() != link.ID() { // the code changed hands in between: nothing to manage
			return domain.ShortLink{}, time.Time{}, domain.ErrNotFound
		}
		next, err := apply(current, by, now)
		if err != nil {
			return domain.ShortLink{}, time.Time{}, err
		}
		return next, m.quarantine.FreeAfter(next), nil
	})
	if err != nil {
		return LinkInfo{}, fmt.Errorf("%s link %s: %w", action, link.Code(), err)
	}
	if by == domain.ActorAdmin {
		m.log.Info("admin changed a link", "code", link.Code(), "action", action, "status", updated.Status(now))
	}
	if err := m.cache.Set(ctx, updated, m.clock.Now()); err != nil {
		m.log.Warn("cache not told of a link change; the outbox will invalidate it", "code", link.Code(), "error", err)
	}
	return LinkInfo{Link: updated, Status: updated.Status(now)}, nil
}

func (m *Manager) find(ctx context.Context, rawCode string) (domain.ShortLink, time.Time, error) {
	code, err := domain.ParseCode(rawCode)
	if err != nil {
		return domain.ShortLink{}, time.Time{}, err
	}
	now := m.clock.Now()
	link, err := m.store.Find(ctx, code, now)
	if err != nil {
		return domain.ShortLink{}, time.Time{}, fmt.Errorf("find link %s: %w", code, err)
	}
	return link, now, nil
}

// authorize tells who bearer is for link; every comparison is in constant
// time (domain.KeySet, TokenDigest.Matches).
func (m *Manager) authorize(link domain.ShortLink, bearer string) (domain.Actor, error) {
	if bearer == "" {
		return domain.ActorNone, domain.ErrUnauthenticated
	}
	presented := domain.DigestToken(bearer)
	switch {
	case m.admins.Contains(presented):
		return domain.ActorAdmin, nil
	case link.Owner().Matches(presented):
		return domain.ActorOwner, nil
	}
	return domain.ActorNone, domain.ErrForbidden
}

// fnv32 is the FNV-1a hash of code, to pick its lock.
func fnv32(code domain.Code) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(code); i++ {
		h = (h ^ uint32(code[i])) * 16777619
	}
	return h
}
