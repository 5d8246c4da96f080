package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
	// Title and Tags, when given, replace the link's labels (already parsed).
	Title   *string
	Tags    []string
	SetTags bool
	// Rules, when SetRules, replace the link's redirect rules (nil or
	// empty: none); only an administrator may.
	Rules    []domain.RuleSpec
	SetRules bool
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
	// keys, when set, tells workspace keys; audit records changes.
	keys  *KeyRing
	audit *Auditor

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

// WithWorkspaces lets workspace keys manage their workspace's links, and
// records changes in the audit log.
func (m *Manager) WithWorkspaces(keys *KeyRing, audit *Auditor) *Manager {
	m.keys, m.audit = keys, audit
	return m
}

// grant is what a credential may do with one link.
type grant struct {
	by    domain.Actor
	who   domain.Who
	write bool
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
	link, g, _, err := m.access(ctx, rawCode, bearer, who)
	if err != nil {
		return err
	}
	if !g.write {
		return domain.ErrForbidden
	}
	return mayChange(link, g.by)
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
	var rules *domain.Rules
	if p.SetRules {
		var err error
		if rules, err = m.features.rules(ctx, p.Rules, m.features.URLs); err != nil {
			return LinkInfo{}, err
		}
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
		if p.Title != nil || p.SetTags {
			if link, err = link.Relabel(p.Title, p.Tags, p.SetTags); err != nil {
				return domain.ShortLink{}, err
			}
		}
		if p.ForwardQuery != nil && *p.ForwardQuery != link.ForwardQuery() {
			if link, err = link.SetForwardQuery(*p.ForwardQuery); err != nil {
				return domain.ShortLink{}, err
			}
		}
		if p.SetRules {
			if by != domain.ActorAdmin {
				return domain.ShortLink{}, domain.ErrRulesAdminOnly
			}
			if !domain.SameRules(rules, link.Rules()) {
				if link, err = link.SetRules(rules); err != nil {
					return domain.ShortLink{}, err
				}
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
	link, g, now, err := m.access(ctx, rawCode, bearer, who)
	if err != nil {
		return LinkInfo{}, err
	}
	if !g.write {
		return LinkInfo{}, domain.ErrForbidden
	}
	by := g.by
	if err := mayChange(link, by); err != nil {
		return LinkInfo{}, err
	}
	lock := &m.changing[fnv32(link.Code())%uint32(len(m.changing))]
	lock.Lock()
	defer lock.Unlock()
	changeFn := func(current domain.ShortLink) (domain.ShortLink, time.Time, error) {
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
	}
	// The audit entries commit with the change where the store can (and
	// are written just after it where it cannot).
	var (
		updated domain.ShortLink
		audited bool
	)
	if store, ok := m.store.(ports.AuditedLinkStore); ok && m.audit.enabled() {
		audited = true
		updated, err = store.UpdateAudited(ctx, link.Code(), now, changeFn, func(current, next domain.ShortLink) []domain.AuditEntry {
			return m.audit.entries(next.Ownership().Workspace, g.who, auditActions(current, next, by), string(next.Code()))
		})
	} else {
		updated, err = m.store.Update(ctx, link.Code(), now, changeFn)
	}
	if err != nil {
		return LinkInfo{}, fmt.Errorf("%s link %s: %w", action, link.Code(), err)
	}
	if by == domain.ActorAdmin {
		m.log.Info("admin changed a link", "code", link.Code(), "action", action, "status", updated.Status(now))
	}
	if err := m.caches.set(ctx, updated, m.clock.Now()); err != nil {
		m.log.Warn("shared cache not told of a link change; the outbox will invalidate it", "code", link.Code(), "error", err)
	}
	if !audited {
		for _, a := range auditActions(link, updated, by) {
			m.audit.record(ctx, updated.Ownership().Workspace, g.who, a, string(updated.Code()))
		}
	}
	return LinkInfo{Link: updated, Status: updated.Status(now)}, nil
}

// access finds the link that holds rawCode and tells what bearer may do
// with it, in the precedence of answers: unknown (or expired, unless bearer
// grants the link) 404, no credentials 401, an invalid workspace key 401,
// credentials that do not grant it 403. Every comparison is in constant
// time (domain.KeySet, TokenDigest.Matches, APIKey.Matches).
func (m *Manager) access(ctx context.Context, rawCode, bearer string, who Requester) (domain.ShortLink, grant, time.Time, error) {
	code, err := domain.ParseCodeKey(rawCode)
	if err != nil {
		return domain.ShortLink{}, grant{}, time.Time{}, err
	}
	now := m.clock.Now()
	client, err := m.misses.admit(ctx, who, now, m.log)
	if err != nil {
		return domain.ShortLink{}, grant{}, time.Time{}, err
	}
	link, err := m.store.Find(ctx, code, now)
	if errors.Is(err, domain.ErrNotFound) {
		m.misses.miss(ctx, client, now, m.log)
	}
	if err != nil {
		return domain.ShortLink{}, grant{}, time.Time{}, fmt.Errorf("find link %s: %w", code, err)
	}
	g, idErr := m.grantOf(ctx, link, bearer, who)
	switch {
	case g.by == domain.ActorNone && link.Status(now) == domain.StatusExpired:
		// Nobody learns that an expired code existed but those it belongs to.
		m.misses.miss(ctx, client, now, m.log)
		return domain.ShortLink{}, grant{}, time.Time{}, fmt.Errorf("find link %s: %w", code, domain.ErrNotFound)
	case bearer == "":
		return domain.ShortLink{}, grant{}, time.Time{}, domain.ErrUnauthenticated
	case idErr != nil:
		return domain.ShortLink{}, grant{}, time.Time{}, idErr
	case g.by == domain.ActorNone:
		return domain.ShortLink{}, grant{}, time.Time{}, domain.ErrForbidden
	}
	return link, g, now, nil
}

// grantOf is what bearer may do with link: an administrator everything,
// its manage token everything, a key of its workspace read (viewer) or
// write (editor, owner); anyone else nothing.
func (m *Manager) grantOf(ctx context.Context, link domain.ShortLink, bearer string, who Requester) (grant, error) {
	if bearer == "" {
		return grant{}, nil
	}
	if m.keys == nil {
		return grant{by: m.actor(link, bearer), who: domain.WhoManageToken, write: true}, nil
	}
	caller, err := m.keys.Identify(ctx, bearer, who)
	switch {
	case err != nil:
		return grant{}, err
	case caller.Admin:
		return grant{by: domain.ActorAdmin, who: domain.WhoAdmin, write: true}, nil
	case caller.HasKey():
		ws := link.Ownership().Workspace
		if ws == "" || ws != caller.Key.Workspace {
			return grant{}, nil
		}
		return grant{by: domain.ActorOwner, who: caller.Who(), write: caller.Key.Role.CanEdit()}, nil
	case link.Owner().Matches(domain.DigestToken(bearer)):
		return grant{by: domain.ActorOwner, who: domain.WhoManageToken, write: true}, nil
	}
	return grant{}, nil
}

// auditActions are the audit entries of a change from before to after.
func auditActions(before, after domain.ShortLink, by domain.Actor) []domain.AuditAction {
	var actions []domain.AuditAction
	switch {
	case after.State() == domain.StateDeleted:
		return []domain.AuditAction{domain.AuditLinkDeleted}
	case after.State() == domain.StateDisabled && (before.State() != domain.StateDisabled || after.DisabledByAdmin() != before.DisabledByAdmin()):
		if by == domain.ActorAdmin {
			actions = append(actions, domain.AuditLinkTakenDown)
		} else {
			actions = append(actions, domain.AuditLinkDisabled)
		}
	case after.State() == domain.StateActive && before.State() == domain.StateDisabled:
		actions = append(actions, domain.AuditLinkEnabled)
	}
	if !after.ExpiresAt().Equal(before.ExpiresAt()) {
		actions = append(actions, domain.AuditLinkExtended)
	}
	if after.Labels().Title != before.Labels().Title || !slices.Equal(after.Labels().Tags, before.Labels().Tags) {
		actions = append(actions, domain.AuditLinkRelabelled)
	}
	return actions
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

// actor is who bearer is for link without workspace keys: an
// administrator, its owner, or no one.
func (m *Manager) actor(link domain.ShortLink, bearer string) domain.Actor {
	presented := domain.DigestToken(bearer)
	switch {
	case m.admins.Contains(presented):
		return domain.ActorAdmin
	case link.Owner().Matches(presented):
		return domain.ActorOwner
	}
	return domain.ActorNone
}
