package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var _ ports.DomainStore = (*LinkStore)(nil)

// CreateDomain implements ports.DomainStore.
func (s *LinkStore) CreateDomain(_ context.Context, d domain.ShortDomain) error {
	unlock, err := s.lockUp()
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := s.domains[d.Host]; ok {
		return domain.ErrDomainTaken
	}
	if s.domains == nil {
		s.domains = map[domain.DomainHost]domain.ShortDomain{}
	}
	s.domains[d.Host] = d
	return nil
}

// ListDomains implements ports.DomainStore.
func (s *LinkStore) ListDomains(context.Context) ([]domain.ShortDomain, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return nil, err
	}
	defer unlock()
	list := make([]domain.ShortDomain, 0, len(s.domains))
	for _, d := range s.domains {
		list = append(list, d)
	}
	slices.SortFunc(list, func(a, b domain.ShortDomain) int { return cmp.Compare(a.Host, b.Host) })
	return list, nil
}

// DeleteDomain implements ports.DomainStore.
func (s *LinkStore) DeleteDomain(_ context.Context, host domain.DomainHost) error {
	unlock, err := s.lockUp()
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := s.domains[host]; !ok {
		return domain.ErrDomainNotFound
	}
	delete(s.domains, host)
	return nil
}

// LinksTo implements ports.DomainStore by scanning every link.
func (s *LinkStore) LinksTo(_ context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return nil, err
	}
	defer unlock()
	links := make([]domain.ShortLink, 0, len(s.links))
	for _, l := range s.links {
		links = append(links, l)
	}
	return domain.LinksPointingAt(links, host, now, limit), nil
}

// LinksOn implements ports.DomainStore by scanning every link.
func (s *LinkStore) LinksOn(_ context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return nil, err
	}
	defer unlock()
	links := make([]domain.ShortLink, 0, len(s.links))
	for _, l := range s.links {
		links = append(links, l)
	}
	return domain.LinksOnDomain(links, host, now, limit), nil
}
