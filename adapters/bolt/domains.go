package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// domainsBucket holds the registered short domains: host → storedDomain.
// It is made on the first registration (files from before have none).
var domainsBucket = []byte("domains")

var _ ports.DomainStore = (*Store)(nil)

type storedDomain struct {
	Workspace   string    `json:"workspace,omitempty"`
	NotFoundURL string    `json:"not_found_url,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// CreateDomain implements ports.DomainStore.
func (s *Store) CreateDomain(_ context.Context, d domain.ShortDomain) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := bucket(tx, domainsBucket)
		if err != nil {
			return err
		}
		if b.Get([]byte(d.Host)) != nil {
			return domain.ErrDomainTaken
		}
		raw, err := json.Marshal(storedDomain{Workspace: string(d.Workspace), NotFoundURL: d.NotFoundURL, CreatedAt: d.CreatedAt})
		if err != nil {
			return err
		}
		return b.Put([]byte(d.Host), raw)
	})
	if errors.Is(err, domain.ErrDomainTaken) {
		return err
	}
	return translate("create domain", err)
}

// ListDomains implements ports.DomainStore; bbolt keeps keys sorted, so
// the domains come by host.
func (s *Store) ListDomains(context.Context) ([]domain.ShortDomain, error) {
	var list []domain.ShortDomain
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(domainsBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var sd storedDomain
			if err := json.Unmarshal(v, &sd); err != nil {
				return errCorruptRecord
			}
			list = append(list, domain.ShortDomain{
				Host: domain.DomainHost(k), Workspace: domain.WorkspaceID(sd.Workspace), NotFoundURL: sd.NotFoundURL, CreatedAt: sd.CreatedAt,
			})
			return nil
		})
	})
	return list, translate("list domains", err)
}

// DeleteDomain implements ports.DomainStore.
func (s *Store) DeleteDomain(_ context.Context, host domain.DomainHost) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(domainsBucket)
		if b == nil || b.Get([]byte(host)) == nil {
			return domain.ErrDomainNotFound
		}
		return b.Delete([]byte(host))
	})
	if errors.Is(err, domain.ErrDomainNotFound) {
		return err
	}
	return translate("delete domain", err)
}

// LinksTo implements ports.DomainStore by scanning every link (registering
// a domain is rare).
func (s *Store) LinksTo(_ context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error) {
	links, err := s.allLinks()
	if err != nil {
		return nil, err
	}
	return domain.LinksPointingAt(links, host, now, limit), nil
}

// LinksOn implements ports.DomainStore by scanning every link.
func (s *Store) LinksOn(_ context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error) {
	links, err := s.allLinks()
	if err != nil {
		return nil, err
	}
	return domain.LinksOnDomain(links, host, now, limit), nil
}
