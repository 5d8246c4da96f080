package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// domainRefresh is how often a replica reads the registered domains again
// on its own, besides on its own changes and on the change feed's: the
// bound on how long another replica's registration takes to reach it when
// the feed is silent.
const domainRefresh = 10 * time.Second

// conflictCodes is how many codes a refusal because of live links names.
const conflictCodes = 20

// DomainSet is one snapshot of the short domains: the default domain and
// the registered ones. It never changes; Domains swaps in a new one.
type DomainSet struct {
	def    domain.ShortDomain
	byHost map[domain.DomainHost]domain.ShortDomain
}

// OnlyDefault reports whether the default domain is the only one: every
// Host then resolves to it (SPEC §14), and the redirect path skips the
// Host header entirely.
func (s *DomainSet) OnlyDefault() bool { return len(s.byHost) == 0 }

// Default is the default domain.
func (s *DomainSet) Default() domain.ShortDomain { return s.def }

// Lookup returns the domain of host, the default one included.
func (s *DomainSet) Lookup(host domain.DomainHost) (domain.ShortDomain, bool) {
	if host == s.def.Host {
		return s.def, true
	}
	d, ok := s.byHost[host]
	return d, ok
}

// All is every domain, the default first, then the registered ones by host.
func (s *DomainSet) All() []domain.ShortDomain {
	list := []domain.ShortDomain{s.def}
	for _, d := range s.byHost {
		list = append(list, d)
	}
	slices.SortFunc(list[1:], func(a, b domain.ShortDomain) int {
		switch {
		case a.Host < b.Host:
			return -1
		case a.Host > b.Host:
			return 1
		}
		return 0
	})
	return list
}

// Targets reports whether a stored target URL points at one of the
// domains: such a link would redirect to the service itself (SPEC §8, §14).
func (s *DomainSet) Targets(target string) bool {
	if s.OnlyDefault() {
		return false // URLPolicy refuses the default domain already
	}
	_, ok := s.byHost[domain.TargetHost(target)]
	return ok
}

// Domains is the use case of short domains (SPEC §14): registering,
// listing and removing them, and the snapshot of them the redirect path
// and creates read without a store round trip.
type Domains struct {
	store ports.DomainStore // nil: the default domain only
	def   domain.ShortDomain
	clock ports.Clock
	log   *slog.Logger
	audit *Auditor // nil: registrations and removals are not audited
	set   atomic.Pointer[DomainSet]

	cancel context.CancelFunc
	done   chan struct{}
}

// NewDomains returns the domains use case; def is the default domain (the
// host of PUBLIC_BASE_URL and NOT_FOUND_URL). Without a store only def
// exists.
func NewDomains(store ports.DomainStore, def domain.ShortDomain, clock ports.Clock, log *slog.Logger) *Domains {
	def.Default = true
	d := &Domains{store: store, def: def, clock: clock, log: log}
	d.set.Store(&DomainSet{def: def})
	return d
}

// WithAudit has registrations and removals recorded in the audit log
// (domain.register, domain.remove, by the admin, the host as the target,
// in the domain's workspace when it is tied to one).
func (d *Domains) WithAudit(a *Auditor) *Domains { d.audit = a; return d }

// Set is the current snapshot: one atomic load, no allocation.
func (d *Domains) Set() *DomainSet {
	if d == nil {
		return &DomainSet{}
	}
	return d.set.Load()
}

// Refresh reads the registered domains from the store into a new snapshot.
func (d *Domains) Refresh(ctx context.Context) error {
	if d.store == nil {
		return nil
	}
	list, err := d.store.ListDomains(ctx)
	if err != nil {
		return fmt.Errorf("list domains: %w", err)
	}
	byHost := make(map[domain.DomainHost]domain.ShortDomain, len(list))
	for _, x := range list {
		if x.Host != d.def.Host {
			byHost[x.Host] = x
		}
	}
	d.set.Store(&DomainSet{def: d.def, byHost: byHost})
	return nil
}

// Start reads the domains, then reads them again every domainRefresh until
// Stop. A first read that fails is logged, not fatal: the service then
// knows only the default domain until the store answers.
func (d *Domains) Start(ctx context.Context) error {
	if d.store == nil {
		return nil
	}
	if err := d.Refresh(ctx); err != nil {
		d.log.Warn("domains: could not read the registered domains; retrying", "error", err)
	}
	loop, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan struct{})
	go func() {
		defer close(d.done)
		t := time.NewTicker(domainRefresh)
		defer t.Stop()
		for {
			select {
			case <-loop.Done():
				return
			case <-t.C:
				if err := d.Refresh(loop); err != nil && loop.Err() == nil {
					d.log.Debug("domains: refresh failed; next time", "error", err)
				}
			}
		}
	}()
	return nil
}

// Stop ends the refreshes Start began.
func (d *Domains) Stop(context.Context) error {
	if d.cancel != nil {
		d.cancel()
		<-d.done
	}
	return nil
}

// forget refreshes the snapshot when changes name a domain (the change
// feed's kind "domain"), or after a restart of the feed.
func (d *Domains) forget(ctx context.Context, changes []ports.Change, restart bool) {
	if d == nil || d.store == nil {
		return
	}
	if !restart && !slices.ContainsFunc(changes, func(c ports.Change) bool { return c.Kind == ChangeDomain }) {
		return
	}
	if err := d.Refresh(ctx); err != nil {
		d.log.Debug("domains: refresh after a change failed; next time", "error", err)
	}
}

// lookupFresh is the domain of host, reading the domains again first when
// the snapshot has none: another replica may have registered it since the
// last refresh. For creates, never the redirect path.
func (d *Domains) lookupFresh(ctx context.Context, host domain.DomainHost) (domain.ShortDomain, bool) {
	if x, ok := d.Set().Lookup(host); ok || d == nil || d.store == nil {
		return x, ok
	}
	if err := d.Refresh(ctx); err != nil {
		d.log.Debug("domains: refresh for a create failed", "error", err)
	}
	return d.Set().Lookup(host)
}

// ChangeDomain is a registration or removal of a short domain on the
// change feed: Key is its host.
const ChangeDomain ports.ChangeKind = "domain"

// List returns the domains caller may use: the default and the shared ones,
// and those tied to its workspace (an administrator sees every one).
func (d *Domains) List(caller Caller) []domain.ShortDomain {
	all := d.Set().All()
	return slices.DeleteFunc(all, func(x domain.ShortDomain) bool { return !x.UsableBy(caller.Key.Workspace, caller.Admin) })
}

// Register adds a domain (administrators only). It is refused while live
// links point at the host: they would redirect in a loop once it serves
// short links (a *domain.DomainConflictError names some of them).
func (d *Domains) Register(ctx context.Context, caller Caller, host string, ws domain.WorkspaceID, notFoundURL string) (domain.ShortDomain, error) {
	if !caller.Admin {
		return domain.ShortDomain{}, domain.ErrForbidden
	}
	sd, err := domain.NewShortDomain(host, ws, notFoundURL, d.clock.Now())
	if err != nil {
		return domain.ShortDomain{}, err
	}
	if sd.Host == d.def.Host {
		return domain.ShortDomain{}, domain.ErrDomainTaken
	}
	if d.store == nil {
		return domain.ShortDomain{}, domain.ErrUnavailable
	}
	codes, err := d.store.LinksTo(ctx, sd.Host, d.clock.Now(), conflictCodes)
	if err != nil {
		return domain.ShortDomain{}, fmt.Errorf("links to %s: %w", sd.Host, err)
	}
	if len(codes) > 0 {
		return domain.ShortDomain{}, &domain.DomainConflictError{Codes: codes}
	}
	if err := d.store.CreateDomain(ctx, sd); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return domain.ShortDomain{}, &domain.ValidationError{Field: "workspace", Reason: domain.ReasonInvalidFilter, Message: "no such workspace"}
		}
		return domain.ShortDomain{}, fmt.Errorf("create domain %s: %w", sd.Host, err)
	}
	d.audit.record(ctx, sd.Workspace, domain.WhoAdmin, domain.AuditDomainRegistered, string(sd.Host))
	d.refreshAfterChange(ctx)
	return sd, nil
}

// Remove deletes a registered domain (administrators only); the default
// domain cannot be removed, nor one that live links are on (a
// *domain.DomainConflictError names some of them). A link created on it
// between the check and the removal stays in the store, unreachable until
// the domain is registered again.
func (d *Domains) Remove(ctx context.Context, caller Caller, rawHost string) error {
	if !caller.Admin {
		return domain.ErrForbidden
	}
	host, err := domain.ParseDomainHost(rawHost)
	if err != nil {
		return err
	}
	if host == d.def.Host {
		return domain.ErrDefaultDomain
	}
	if d.store == nil {
		return domain.ErrDomainNotFound
	}
	codes, err := d.store.LinksOn(ctx, host, d.clock.Now(), conflictCodes)
	if err != nil {
		return fmt.Errorf("links on %s: %w", host, err)
	}
	if len(codes) > 0 {
		return &domain.DomainConflictError{InUse: true, Codes: codes}
	}
	// The workspace the domain was tied to, for its audit entry: from a
	// fresh read, as another replica may have registered it.
	var ws domain.WorkspaceID
	if x, ok := d.lookupFresh(ctx, host); ok {
		ws = x.Workspace
	}
	if err := d.store.DeleteDomain(ctx, host); err != nil {
		return fmt.Errorf("delete domain %s: %w", host, err)
	}
	d.audit.record(ctx, ws, domain.WhoAdmin, domain.AuditDomainRemoved, string(host))
	d.refreshAfterChange(ctx)
	return nil
}

func (d *Domains) refreshAfterChange(ctx context.Context) {
	if err := d.Refresh(ctx); err != nil {
		d.log.Warn("domains: refresh after a change failed; the next one catches up", "error", err)
	}
}
