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

// Patch is a PATCH of a link as the client sent it; nil fields are absent.
type Patch struct {
	ExpiresAt    *time.Time
	Disabled     *bool
	ForwardQuery *bool
	// Password sets the link's password; "" removes it.
	Password *string
}

// LinkInfo is a link as its info shows it at an instant.
type LinkInfo struct {
	Link   domain.ShortLink
	Status domain.Status
}

// Manager is the link management use case: info, changes and deletion by
// the link's owner (its manage token) or an administrator (ADMIN_KEYS).
// Every answer follows one precedence: an unknown code first (and an
// expired link, to anyone it does not belong to), then missing
// credentials, then credentials that do not grant the link (or, for a
// change, a link an administrator took down, to its owner), then the
// action. Management reads the store, never the cache: it needs the
// owner's digest and the state as committed. Its lookups count against
// the same MissLimit as the public ones.
type Manager struct {
	store      ports.LinkStore
	caches     *LinkCaches
	clock      ports.Clock
	admins     domain.KeySet
	misses     MissLimit
	quarantine domain.CodeQuarantine
	maxTTL     time.Duration
	features   LinkFeatures
	log        *slog.Logger

	// changing serialises the changes of one code in this process, from
	// the commit to the cache write, so the cache learns them in the order
	// they committed: without it, a PATCH that committed first could write
	// its (older) version over a DELETE's, and the cache would redirect a
	// deleted link until the entry expired. (Across replicas, the outbox's
	// delayed invalidation removes such an entry from the shared cache, and
	// the local caches refuse versions older than the change feed named.)
	changing [64]sync.Mutex
}

// ManagerOptions are the Manager's settings.
type ManagerOptions struct {
	// AdminKeys are ADMIN_KEYS.
	AdminKeys []string
	// Misses is the miss limit management lookups count against.
	Misses     MissLimit
	Quarantine domain.CodeQuarantine
	// MaxTTL bounds a link's lifetime from its creation.
	MaxTTL time.Duration
	// Features are the settings of links' optional features (passwords).
	Features LinkFeatures
}

// NewManager returns the management use case.
func NewManager(store ports.LinkStore, caches *LinkCaches, clock ports.Clock, opts ManagerOptions, log *slog.Logger) *Manager {
	return &Manager{
		store: store, caches: caches, clock: clock, admins: domain.NewKeySet(opts.AdminKeys), misses: opts.Misses,
		quarantine: opts.Quarantine, maxTTL: opts.MaxTTL, features: opts.Features, log: log,
	}
}

// Info shows the link that holds rawCode, in any state, to its owner or an
// administrator. (Public info, without credentials, is the Resolver's.)
func (m *Manager) Info(ctx context.Context, rawCode, bearer string, who Requester) (LinkInfo, error) {
	link, _, now, err := m.access(ctx, rawCode, bearer, who)
	if err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{Link: link, Status: link.Status(now)}, nil
}

// Authorize checks that bearer may see the private side of the link that
// holds rawCode (its statistics), and returns the link.
func (m *Manager) Authorize(ctx context.Context, rawCode, bearer string, who Requester) (domain.ShortLink, error) {
	link, _, _, err := m.access(ctx, rawCode, bearer, who)
	return link, err
}

// AuthorizeChange checks that bearer may change the link that holds
// rawCode: Authorize, and the owner of a link an administrator took down
// may not. A change checks again as it applies.
func (m *Manager) AuthorizeChange(ctx context.Context, rawCode, bearer string, who Requester) error {
	link, by, _, err := m.access(ctx, rawCode, bearer, who)
	if err != nil {
		return err
	}
	return mayChange(link, by)
}

// Update applies p to the link that holds rawCode.
func (m *Manager) Update(ctx context.Context, rawCode, bearer string, who Requester, p Patch) (LinkInfo, error) {
	var passwordHash string
	if p.Password != nil && *p.Password != "" {
		// Hashed before the change, outside the link's lock; the caller
		// has authorized the change (AuthorizeChange), and change checks
		// again.
		hash, err := m.features.hashPassword(ctx, *p.Password)
		if err != nil {
			return LinkInfo{}, err
		}
		passwordHash = hash
	}
	return m.change(ctx, rawCode, bearer, who, "update", func(link domain.ShortLink, by domain.Actor, now time.Time) (domain.ShortLink, error) {
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
		if p.ForwardQuery != nil && *p.ForwardQuery != link.ForwardQuery() {
			if link, err = link.SetForwardQuery(*p.ForwardQuery); err != nil {
				return domain.ShortLink{}, err
			}
		}
		if p.Password != nil && (passwordHash != "" || link.Protected()) {
			if link, err = link.SetPasswordHash(passwordHash); err != nil {
				return domain.ShortLink{}, err
			}
		}
		return link, nil
	})
}

// Delete ends the link that holds rawCode for good and erases its target.
func (m *Manager) Delete(ctx context.Context, rawCode, bearer string, who Requester) error {
	_, err := m.change(ctx, rawCode, bearer, who, "delete", func(link domain.ShortLink, _ domain.Actor, now time.Time) (domain.ShortLink, error) {
		return link.Delete(now)
	})
	return err
}

type edit func(link domain.ShortLink, by domain.Actor, now time.Time) (domain.ShortLink, error)

// change authorizes bearer on the link rawCode holds, then applies edit in
// one store update, so that concurrent changes apply in one serial order,
// and tells the caches. A change commits even while the shared cache is
// down: the store's outbox invalidates its entry once it is back, and the
// store's change feed tells every replica's local cache at once.
func (m *Manager) change(ctx context.Context, rawCode, bearer string, who Requester, action string, apply edit) (LinkInfo, error) {
	link, by, now, err := m.access(ctx, rawCode, bearer, who)
	if err != nil {
		return LinkInfo{}, err
	}
	if err := mayChange(link, by); err != nil {
		return LinkInfo{}, err
	}
	lock := &m.changing[fnv32(link.Code())%uint32(len(m.changing))]
	lock.Lock()
	defer lock.Unlock()
	updated, err := m.store.Update(ctx, link.Code(), now, func(current domain.ShortLink) (domain.ShortLink, time.Time, error) {
		if current.ID() != link.ID() { // the code changed hands in between: nothing to manage
			return domain.ShortLink{}, time.Time{}, domain.ErrNotFound
		}
		if err := mayChange(current, by); err != nil { // taken down in between
			return domain.ShortLink{}, time.Time{}, err
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
	if err := m.caches.set(ctx, updated, m.clock.Now()); err != nil {
		m.log.Warn("shared cache not told of a link change; the outbox will invalidate it", "code", link.Code(), "error", err)
	}
	return LinkInfo{Link: updated, Status: updated.Status(now)}, nil
}

// access finds the link that holds rawCode and tells who bearer is for it,
// in the precedence of answers: unknown (or expired, unless bearer grants
// the link) 404, no credentials 401, credentials that do not grant it 403.
// Every comparison is in constant time (domain.KeySet, TokenDigest.Matches).
func (m *Manager) access(ctx context.Context, rawCode, bearer string, who Requester) (domain.ShortLink, domain.Actor, time.Time, error) {
	code, err := domain.ParseCode(rawCode)
	if err != nil {
		return domain.ShortLink{}, domain.ActorNone, time.Time{}, err
	}
	now := m.clock.Now()
	client, err := m.misses.admit(ctx, who, now, m.log)
	if err != nil {
		return domain.ShortLink{}, domain.ActorNone, time.Time{}, err
	}
	link, err := m.store.Find(ctx, code, now)
	if errors.Is(err, domain.ErrNotFound) {
		m.misses.miss(ctx, client, now, m.log)
	}
	if err != nil {
		return domain.ShortLink{}, domain.ActorNone, time.Time{}, fmt.Errorf("find link %s: %w", code, err)
	}
	by := m.actor(link, bearer)
	switch {
	case by == domain.ActorNone && link.Status(now) == domain.StatusExpired:
		// Nobody learns that an expired code existed but those it belongs to.
		m.misses.miss(ctx, client, now, m.log)
		return domain.ShortLink{}, domain.ActorNone, time.Time{}, fmt.Errorf("find link %s: %w", code, domain.ErrNotFound)
	case bearer == "":
		return domain.ShortLink{}, domain.ActorNone, time.Time{}, domain.ErrUnauthenticated
	case by == domain.ActorNone:
		return domain.ShortLink{}, domain.ActorNone, time.Time{}, domain.ErrForbidden
	}
	return link, by, now, nil
}

// actor is who bearer is for link: an administrator, its owner, or no one.
func (m *Manager) actor(link domain.ShortLink, bearer string) domain.Actor {
	if bearer == "" {
		return domain.ActorNone
	}
	presented := domain.DigestToken(bearer)
	switch {
	case m.admins.Contains(presented):
		return domain.ActorAdmin
	case link.Owner().Matches(presented):
		return domain.ActorOwner
	}
	return domain.ActorNone
}

// mayChange refuses the owner any change of a link an administrator
// disabled: a takedown is the operator's record, kept with its target
// until an administrator changes or deletes it.
func mayChange(link domain.ShortLink, by domain.Actor) error {
	if by != domain.ActorAdmin && link.State() == domain.StateDisabled && link.DisabledByAdmin() {
		return domain.ErrTakenDown
	}
	return nil
}

// fnv32 is the FNV-1a hash of code, to pick its lock.
func fnv32(code domain.Code) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(code); i++ {
		h = (h ^ uint32(code[i])) * 16777619
	}
	return h
}
