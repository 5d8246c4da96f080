package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// CreateRequest is a create as the client sent it; empty strings mean "not given".
type CreateRequest struct {
	URL       string
	ExpiresAt string
	Alias     string
	// Title and Tags label the link (unparsed); Owner is the workspace and
	// key it was created with (zero: anonymous).
	Title string
	Tags  []string
	Owner domain.Ownership
	// ForwardQuery is forward_query; nil: LinkFeatures.ForwardQueryDefault.
	ForwardQuery *bool
	// Password, when not empty, protects the link.
	Password string
	// Domain is the host of the short domain the link is on; "" the default.
	Domain string
}

// LinkFeatures are the settings of links' optional features.
type LinkFeatures struct {
	// ForwardQueryDefault is FORWARD_QUERY_DEFAULT: a create's forward_query
	// when it sends none.
	ForwardQueryDefault bool
	// Gate keeps passwords back until the deploy's contract step; nil: open.
	Gate *FeatureGate
	// Passwords hashes passwords; nil refuses them as not enabled.
	Passwords ports.PasswordHasher
}

// hashPassword checks a new password, that passwords are enabled, and
// hashes it (the slow part, last).
func (f LinkFeatures) hashPassword(ctx context.Context, password string) (string, error) {
	if err := domain.CheckPassword(password); err != nil {
		return "", err
	}
	if f.Passwords == nil {
		return "", domain.ErrFeatureNotEnabled
	}
	if err := f.Gate.Require(ctx); err != nil {
		return "", err
	}
	hash, err := f.Passwords.Hash(ctx, password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w: %w", domain.ErrUnavailable, err)
	}
	return hash, nil
}

// Created is a stored link and its manage token, which exists only here:
// the store keeps its digest.
type Created struct {
	Link        domain.ShortLink
	ManageToken string
}

// Creator is the create-a-link use case.
type Creator struct {
	store      ports.LinkStore
	caches     *LinkCaches
	codes      *CodeSupply
	clock      ports.Clock
	urls       domain.URLPolicy
	expiry     domain.ExpiryPolicy
	quarantine domain.CodeQuarantine
	features   LinkFeatures
	log        *slog.Logger
	domains    *Domains
}

// NewCreator returns the create use case.
func NewCreator(store ports.LinkStore, caches *LinkCaches, codes *CodeSupply, clock ports.Clock,
	urls domain.URLPolicy, expiry domain.ExpiryPolicy, quarantine domain.CodeQuarantine, log *slog.Logger,
) *Creator {
	return &Creator{store: store, caches: caches, codes: codes, clock: clock, urls: urls, expiry: expiry, quarantine: quarantine, log: log}
}

// WithDomains has creates refuse targets on the registered short domains.
func (c *Creator) WithDomains(d *Domains) *Creator { c.domains = d; return c }

// WithFeatures sets the settings of links' optional features.
func (c *Creator) WithFeatures(f LinkFeatures) *Creator { c.features = f; return c }

// Create validates req, stores the link and writes it through to the
// cache its first lookup reads (LinkCaches.created).
// A returned link is committed. Errors: domain.ErrInvalidInput (as a
// *domain.ValidationError), domain.ErrAliasTaken, domain.ErrUnavailable.
func (c *Creator) Create(ctx context.Context, req CreateRequest) (Created, error) {
	target, err := c.urls.Parse(req.URL)
	if err != nil {
		return Created{}, err
	}
	if c.domains != nil && c.domains.Set().Targets(target) {
		return Created{}, &domain.ValidationError{Field: "url", Reason: domain.ReasonOwnHost, Message: "url must not point at this service (one of its short domains)"}
	}
	alias, err := domain.ParseAlias(req.Alias)
	if err != nil {
		return Created{}, err
	}
	now := c.clock.Now()
	expiresAt, err := c.expiry.ExpiresAt(req.ExpiresAt, now)
	if err != nil {
		return Created{}, err
	}
	title, err := domain.ParseTitle(req.Title)
	if err != nil {
		return Created{}, err
	}
	tags, err := domain.ParseTags(req.Tags)
	if err != nil {
		return Created{}, err
	}
	forwardQuery := c.features.ForwardQueryDefault
	if req.ForwardQuery != nil {
		forwardQuery = *req.ForwardQuery
	}
	host, err := c.domainOf(ctx, req)
	if err != nil {
		return Created{}, err
	}
	var passwordHash string
	if req.Password != "" {
		if passwordHash, err = c.features.hashPassword(ctx, req.Password); err != nil {
			return Created{}, err
		}
	}
	extra := func(l domain.ShortLink) domain.ShortLink {
		return l.Owned(req.Owner).Labelled(domain.Labels{Title: title, Tags: tags}).
			WithForwardQuery(forwardQuery).WithPasswordHash(passwordHash)
	}
	token, owner := domain.NewManageToken()

	var link domain.ShortLink
	if alias != "" {
		link, err = c.insert(ctx, domain.CodeOn(host, "", alias), target, now, expiresAt, owner, extra)
		if errors.Is(err, domain.ErrCodeTaken) {
			return Created{}, domain.ErrAliasTaken
		}
	} else {
		link, err = c.insertGenerated(ctx, host, target, now, expiresAt, owner, extra)
	}
	if err != nil {
		return Created{}, err
	}
	if err := c.caches.created(ctx, link, c.clock.Now()); err != nil {
		c.log.Debug("write-through to cache failed", "error", err)
	}
	return Created{Link: link, ManageToken: token}, nil
}

// insertGenerated stores the link under the next generated code that is
// free. A generated code is taken only when someone claimed it as an alias
// first, so it keeps drawing, for as long as the request may take, rather
// than fail a create that nothing is wrong with.
func (c *Creator) insertGenerated(ctx context.Context, host domain.DomainHost, target string, now, expiresAt time.Time, owner domain.TokenDigest, extra func(domain.ShortLink) domain.ShortLink) (domain.ShortLink, error) {
	for {
		code, err := c.codes.Next(ctx)
		if err != nil {
			return domain.ShortLink{}, fmt.Errorf("next code: %w", err)
		}
		link, err := c.insert(ctx, domain.CodeOn(host, "", code), target, now, expiresAt, owner, extra)
		if !errors.Is(err, domain.ErrCodeTaken) {
			return link, err
		}
		c.log.Warn("generated code already claimed as an alias; drawing the next one", "code", code)
	}
}

func (c *Creator) insert(ctx context.Context, code domain.Code, target string, now, expiresAt time.Time, owner domain.TokenDigest,
	extra func(domain.ShortLink) domain.ShortLink,
) (domain.ShortLink, error) {
	link, err := domain.NewShortLink(code, target, now, expiresAt, owner)
	if err != nil {
		return domain.ShortLink{}, err
	}
	link = extra(link)
	stored, err := c.store.Insert(ctx, link, c.quarantine.FreeAfter(link))
	if err != nil {
		return domain.ShortLink{}, fmt.Errorf("insert link %s: %w", code, err)
	}
	return stored, nil
}

// domainOf is the registered domain a create asks for ("" for the default
// one): one the caller may use. Links on a registered domain wait for the
// deploy's contract step: the previous release knows nothing of domains.
func (c *Creator) domainOf(ctx context.Context, req CreateRequest) (domain.DomainHost, error) {
	if req.Domain == "" {
		return "", nil
	}
	set := c.domains.Set()
	if domain.RequestHost(req.Domain) == set.Default().Host {
		return "", nil
	}
	host, err := domain.ParseDomainHost(req.Domain)
	if err != nil {
		return "", &domain.ValidationError{Field: "domain", Reason: domain.ReasonInvalidDomain, Message: "domain must be a domain name (GET /v1/domains lists them)"}
	}
	d, ok := c.domains.lookupFresh(ctx, host)
	if !ok || !d.UsableBy(req.Owner.Workspace, false) {
		return "", &domain.ValidationError{Field: "domain", Reason: domain.ReasonInvalidDomain,
			Message: "domain is not a short domain this caller may use (GET /v1/domains lists them)"}
	}
	if err := c.features.Gate.Require(ctx); err != nil {
		return "", err
	}
	return host, nil
}
