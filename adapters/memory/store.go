// Package memory holds in-process implementations of the ports: a link
// store and counter (the fake behind fast tests, checked by the same
// contract suite as the real stores), a byte-bounded in-process cache and
// a rate limiter.
package memory

import (
	"context"
	"sync"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// LinkStore keeps links, code claims, the code counter and the code
// secret in memory. It implements the store ports with the same rules as
// the durable stores, but keeps nothing across restarts.
type LinkStore struct {
	mu     sync.Mutex
	links  map[domain.LinkID]domain.ShortLink
	claims map[domain.Code]claim
	lastID domain.LinkID
	next   uint64
	secret *domain.SecretRecord
	down   bool
	visits visits
	log    changeLog
	ws     workspaces
	// idem keeps the answers of requests with an Idempotency-Key.
	idem map[string]ports.IdempotencyRecord
	// domains are the registered short domains, by host.
	domains map[domain.DomainHost]domain.ShortDomain
}

// claim is who holds a code, and from when another link may claim it.
type claim struct {
	link      domain.LinkID
	freeAfter time.Time
}

var (
	_ ports.LinkStore       = (*LinkStore)(nil)
	_ ports.CodeCounter     = (*LinkStore)(nil)
	_ ports.CodeSecretStore = (*LinkStore)(nil)
)

// NewLinkStore returns an empty store.
func NewLinkStore() *LinkStore {
	return &LinkStore{links: map[domain.LinkID]domain.ShortLink{}, claims: map[domain.Code]claim{}}
}

// SetDown makes every call fail with domain.ErrUnavailable, for outage tests.
func (s *LinkStore) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Insert implements ports.LinkStore.
func (s *LinkStore) Insert(_ context.Context, link domain.ShortLink, codeFreeAfter time.Time) (domain.ShortLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ShortLink{}, domain.ErrUnavailable
	}
	previous, claimed := s.claims[link.Code()]
	if claimed && !previous.freeAfter.Before(link.CreatedAt()) {
		return domain.ShortLink{}, domain.ErrCodeTaken
	}
	s.lastID++
	link = link.WithID(s.lastID)
	s.links[link.ID()] = link
	s.claims[link.Code()] = claim{link: link.ID(), freeAfter: codeFreeAfter}
	if claimed { // a code taken over from another link
		s.log.append(ports.Change{Kind: ports.ChangeLink, Key: string(link.Code()), ID: int64(link.ID()), Version: link.Version()}, link.CreatedAt())
	}
	return link, nil
}

// Find implements ports.LinkStore.
func (s *LinkStore) Find(_ context.Context, code domain.Code, _ time.Time) (domain.ShortLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ShortLink{}, domain.ErrUnavailable
	}
	return s.holderLocked(code)
}

// Update implements ports.LinkStore.
func (s *LinkStore) Update(ctx context.Context, code domain.Code, now time.Time, change ports.LinkChange) (domain.ShortLink, error) {
	return s.UpdateAudited(ctx, code, now, change, nil)
}

// UpdateAudited implements ports.AuditedLinkStore.
func (s *LinkStore) UpdateAudited(_ context.Context, code domain.Code, now time.Time, change ports.LinkChange, audit ports.LinkAudit) (domain.ShortLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ShortLink{}, domain.ErrUnavailable
	}
	current, err := s.holderLocked(code)
	if err != nil {
		return domain.ShortLink{}, err
	}
	next, freeAfter, err := change(current)
	if err != nil {
		return domain.ShortLink{}, err
	}
	s.links[next.ID()] = next
	s.claims[code] = claim{link: next.ID(), freeAfter: freeAfter}
	if audit != nil {
		for _, e := range audit(current, next) {
			e.ID = int64(len(s.ws.audit) + 1)
			s.ws.audit = append(s.ws.audit, e)
		}
	}
	s.log.append(ports.Change{Kind: ports.ChangeLink, Key: string(code), ID: int64(next.ID()), Version: next.Version()}, now)
	return next, nil
}

func (s *LinkStore) holderLocked(code domain.Code) (domain.ShortLink, error) {
	c, ok := s.claims[code]
	if !ok {
		return domain.ShortLink{}, domain.ErrNotFound
	}
	link, ok := s.links[c.link]
	if !ok { // pruned; the claim stays
		return domain.ShortLink{}, domain.ErrNotFound
	}
	return link, nil
}

var _ ports.Pruner = (*LinkStore)(nil)

// Prune implements ports.Pruner as the embedded store does.
func (s *LinkStore) Prune(_ context.Context, c domain.RetentionCutoffs) (ports.Pruned, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return ports.Pruned{}, domain.ErrUnavailable
	}
	var out ports.Pruned
	for id, link := range s.links {
		if link.ExpiresAt().Before(c.LinksEndedBefore) {
			delete(s.links, id)
			out.Links++
		}
	}
	before := domain.VisitHourOf(c.VisitsBefore)
	for _, hours := range s.visits.hours {
		for h := range hours {
			if h < before {
				delete(hours, h)
			}
		}
	}
	for code, cl := range s.claims {
		if _, live := s.links[cl.link]; !live && cl.freeAfter.Before(c.Now) {
			delete(s.claims, code)
		}
	}
	return out, nil
}

// Reserve implements ports.CodeCounter.
func (s *LinkStore) Reserve(_ context.Context, n int) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return 0, domain.ErrUnavailable
	}
	first := s.next
	s.next += uint64(n)
	return first, nil
}

// LoadOrCreate implements ports.CodeSecretStore.
func (s *LinkStore) LoadOrCreate(_ context.Context, candidate domain.SecretRecord) (domain.SecretRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.SecretRecord{}, domain.ErrUnavailable
	}
	if s.secret == nil {
		s.secret = &candidate
	}
	return *s.secret, nil
}

// Replace implements ports.CodeSecretStore.
func (s *LinkStore) Replace(_ context.Context, record domain.SecretRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ErrUnavailable
	}
	s.secret = &record
	return nil
}

// ReadinessCheck is Ping under the name /v1/ready reports: store.
func (s *LinkStore) ReadinessCheck() ports.DependencyCheck {
	return ports.DependencyCheck{Name: "store", Ping: s.Ping}
}

// Ping reports whether the store is up.
func (s *LinkStore) Ping(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ErrUnavailable
	}
	return nil
}
