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

// maxCodeAttempts bounds how many generated codes one create tries. A
// generated code only collides with a live alias of the same shape, so a
// second attempt is already rare.
const maxCodeAttempts = 8

// CreateRequest is a create as the client sent it; empty strings mean "not given".
type CreateRequest struct {
	URL       string
	ExpiresAt string
	Alias     string
}

// Creator is the create-a-link use case.
type Creator struct {
	store  ports.LinkStore
	cache  ports.LinkCache
	codes  *CodeSupply
	clock  ports.Clock
	urls   domain.URLPolicy
	expiry domain.ExpiryPolicy
	log    *slog.Logger
}

// NewCreator returns the create use case.
func NewCreator(store ports.LinkStore, cache ports.LinkCache, codes *CodeSupply, clock ports.Clock,
	urls domain.URLPolicy, expiry domain.ExpiryPolicy, log *slog.Logger,
) *Creator {
	return &Creator{store: store, cache: cache, codes: codes, clock: clock, urls: urls, expiry: expiry, log: log}
}

// Create validates req, stores the link and writes it through to the cache.
// A returned link is committed. Errors: domain.ErrInvalidInput (as a
// *domain.ValidationError), domain.ErrAliasTaken, domain.ErrUnavailable.
func (c *Creator) Create(ctx context.Context, req CreateRequest) (domain.ShortLink, error) {
	target, err := c.urls.Parse(req.URL)
	if err != nil {
		return domain.ShortLink{}, err
	}
	alias, err := domain.ParseAlias(req.Alias)
	if err != nil {
		return domain.ShortLink{}, err
	}
	now := c.clock.Now()
	expiresAt, err := c.expiry.ExpiresAt(req.ExpiresAt, now)
	if err != nil {
		return domain.ShortLink{}, err
	}

	var link domain.ShortLink
	if alias != "" {
		link, err = c.insert(ctx, alias, target, now, expiresAt)
		if errors.Is(err, domain.ErrCodeTaken) {
			return domain.ShortLink{}, domain.ErrAliasTaken
		}
	} else {
		link, err = c.insertGenerated(ctx, target, now, expiresAt)
	}
	if err != nil {
		return domain.ShortLink{}, err
	}
	if err := c.cache.Set(ctx, link, c.clock.Now()); err != nil {
		c.log.Debug("write-through to cache failed", "error", err)
	}
	return link, nil
}

func (c *Creator) insertGenerated(ctx context.Context, target string, now, expiresAt time.Time) (domain.ShortLink, error) {
	for range maxCodeAttempts {
		code, err := c.codes.Next(ctx)
		if err != nil {
			return domain.ShortLink{}, fmt.Errorf("next code: %w", err)
		}
		link, err := c.insert(ctx, code, target, now, expiresAt)
		if !errors.Is(err, domain.ErrCodeTaken) {
			return link, err
		}
		c.log.Info("generated code collides with a live link; trying the next one", "code", code)
	}
	return domain.ShortLink{}, fmt.Errorf("%d generated codes in a row were taken", maxCodeAttempts)
}

func (c *Creator) insert(ctx context.Context, code domain.Code, target string, now, expiresAt time.Time) (domain.ShortLink, error) {
	link, err := domain.NewShortLink(code, target, now, expiresAt)
	if err != nil {
		return domain.ShortLink{}, err
	}
	if err := c.store.Insert(ctx, link); err != nil {
		return domain.ShortLink{}, fmt.Errorf("insert link %s: %w", code, err)
	}
	return link, nil
}
