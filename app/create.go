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
	// Rules are the link's redirect rules as sent (nil: none).
	Rules []domain.RuleSpec
	// OriginalCreatedAt is an imported link's date at its source (zero: none).
	OriginalCreatedAt time.Time
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
	// URLs checks the URLs of redirect rules, as those of links.
	URLs domain.URLPolicy
	// Domains are the registered short domains, which no rule may target
	// (no loops, as for links); nil: the default one only.
	Domains *Domains
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
	p, err := c.prepare(ctx, req)
	if err != nil {
		return Created{}, err
	}
	stored, err := c.store.Insert(ctx, p.link, c.quarantine.FreeAfter(p.link))
	return c.settle(ctx, p, stored, err)
}

// pendingCreate is a checked create with its link built, not yet stored.
type pendingCreate struct {
	link  domain.ShortLink
	alias bool
	token string
	// build makes the link under another code (a generated code found
	// claimed as an alias).
	build func(domain.Code) (domain.ShortLink, error)
}

// prepare checks req and builds its link, under its alias or the next
// generated code.
func (c *Creator) prepare(ctx context.Context, req CreateRequest) (pendingCreate, error) {
	target, err := c.urls.Parse(req.URL)
	if err != nil {
		return pendingCreate{}, err
	}
	if c.domains != nil && c.domains.Set().Targets(target) {
		return pendingCreate{}, &domain.ValidationError{Field: "url", Reason: domain.ReasonOwnHost, Message: "url must not point at this service (one of its short domains)"}
	}
	alias, err := domain.ParseAlias(req.Alias)
	if err != nil {
		return pendingCreate{}, err
	}
	now := c.clock.Now()
	expiresAt, err := c.expiry.ExpiresAt(req.ExpiresAt, now)
	if err != nil {
		return pendingCreate{}, err
	}
	title, err := domain.ParseTitle(req.Title)
	if err != nil {
		return pendingCreate{}, err
	}
	tags, err := domain.ParseTags(req.Tags)
	if err != nil {
		return pendingCreate{}, err
	}
	forwardQuery := c.features.ForwardQueryDefault
	if req.ForwardQuery != nil {
		forwardQuery = *req.ForwardQuery
	}
	host, err := c.domainOf(ctx, req)
	if err != nil {
		return pendingCreate{}, err
	}
	var passwordHash string
	if req.Password != "" {
		if passwordHash, err = c.features.hashPassword(ctx, req.Password); err != nil {
			return pendingCreate{}, err
		}
	}
	rules, err := c.Rules(ctx, req.Rules)
	if err != nil {
		return pendingCreate{}, err
	}
	token, owner := domain.NewManageToken()
	p := pendingCreate{alias: alias != "", token: token}
	p.build = func(code domain.Code) (domain.ShortLink, error) {
		link, err := domain.NewShortLink(domain.CodeOn(host, "", code), target, now, expiresAt, owner)
		if err != nil {
			return domain.ShortLink{}, err
		}
		return link.Owned(req.Owner).Labelled(domain.Labels{Title: title, Tags: tags}).
			WithForwardQuery(forwardQuery).WithPasswordHash(passwordHash).WithRules(rules).WithOriginalCreatedAt(req.OriginalCreatedAt), nil
	}
	code := alias
	if code == "" {
		if code, err = c.codes.Next(ctx); err != nil {
			return pendingCreate{}, fmt.Errorf("next code: %w", err)
		}
	}
	p.link, err = p.build(code)
	return p, err
}

// settle finishes a create whose insert answered stored and err: a taken
// alias is ErrAliasTaken; a generated code claimed as an alias first draws
// the next one, for as long as the request may take, rather than fail a
// create that nothing is wrong with. A stored link is written through to
// the cache.
func (c *Creator) settle(ctx context.Context, p pendingCreate, stored domain.ShortLink, err error) (Created, error) {
	for errors.Is(err, domain.ErrCodeTaken) {
		if p.alias {
			return Created{}, domain.ErrAliasTaken
		}
		c.log.Warn("generated code already claimed as an alias; drawing the next one", "code", p.link.Code())
		code, nextErr := c.codes.Next(ctx)
		if nextErr != nil {
			return Created{}, fmt.Errorf("next code: %w", nextErr)
		}
		if p.link, err = p.build(code); err != nil {
			return Created{}, err
		}
		stored, err = c.store.Insert(ctx, p.link, c.quarantine.FreeAfter(p.link))
	}
	if err != nil {
		return Created{}, fmt.Errorf("insert link %s: %w", p.link.Code(), err)
	}
	if err := c.caches.created(ctx, stored, c.clock.Now()); err != nil {
		c.log.Debug("write-through to cache failed", "error", err)
	}
	return Created{Link: stored, ManageToken: p.token}, nil
}

// Rules checks a new link's redirect rules (domain.ParseRules, with the
// URL policy of links) and that rules are enabled (the feature gate, as
// for passwords): what every way of creating a link (create, bulk,
// import) calls. No specs: no rules, nil.
func (c *Creator) Rules(ctx context.Context, specs []domain.RuleSpec) (*domain.Rules, error) {
	return c.features.rules(ctx, specs, c.urls)
}

func (f LinkFeatures) rules(ctx context.Context, specs []domain.RuleSpec, urls domain.URLPolicy) (*domain.Rules, error) {
	rules, err := domain.ParseRules(specs, urls)
	if err != nil || rules.Len() == 0 {
		return nil, err
	}
	if f.Domains != nil {
		set := f.Domains.Set()
		for i, s := range rules.Specs() {
			if set.Targets(s.URL) {
				return nil, &domain.ValidationError{Field: fmt.Sprintf("rules[%d].url", i), Reason: domain.ReasonOwnHost,
					Message: "a rule's url must not point at this service (one of its short domains)"}
			}
		}
	}
	if err := f.Gate.Require(ctx); err != nil {
		return nil, err
	}
	return rules, nil
}

// domainOf is the registered domain a create asks for ("" for the default
// one): one the caller may use. Links on a registered domain wait for the
// deploy's contract step: the previous release knows nothing of domains.
func (c *Creator) domainOf(ctx context.Context, req CreateRequest) (domain.DomainHost, error) {
	if req.Domain == "" {
		return "", nil
	}
	if c.domains == nil {
		return "", &domain.ValidationError{Field: "domain", Reason: domain.ReasonInvalidDomain, Message: "this server has no short domains but its own"}
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
