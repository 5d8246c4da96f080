package ports

import (
	"context"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// DomainStore keeps the registered short domains (SPEC §14). The default
// domain, the host of PUBLIC_BASE_URL, is configuration and never stored.
type DomainStore interface {
	// CreateDomain stores d, or returns domain.ErrDomainTaken when a domain
	// with its host is registered.
	CreateDomain(ctx context.Context, d domain.ShortDomain) error
	// ListDomains returns every registered domain, by host.
	ListDomains(ctx context.Context) ([]domain.ShortDomain, error)
	// DeleteDomain removes the domain of host, or returns
	// domain.ErrDomainNotFound.
	DeleteDomain(ctx context.Context, host domain.DomainHost) error
	// LinksTo returns the codes of up to limit links live at now (active,
	// not expired) whose target's host is host, in any order.
	LinksTo(ctx context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error)
	// LinksOn returns the bare codes of up to limit links on the registered
	// domain host (their code keys start "<host>/") that are neither
	// deleted nor expired at now, in any order.
	LinksOn(ctx context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error)
}
