// Package memory holds in-process implementations of the ports: a link
// store and counter (the fake behind fast tests, checked by the same
// contract suite as the real stores) and a bounded in-process cache.
package memory

import (
	"context"
	"sync"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// LinkStore keeps links and the code counter in memory. It implements
// ports.LinkStore and ports.CodeCounter with the same rules as the durable
// stores, but keeps nothing across restarts.
type LinkStore struct {
	mu    sync.Mutex
	links map[domain.Code][]domain.ShortLink // every link ever stored under a code, oldest first
	next  uint64
	down  bool
}

// NewLinkStore returns an empty store.
func NewLinkStore() *LinkStore {
	return &LinkStore{links: map[domain.Code][]domain.ShortLink{}}
}

// SetDown makes every call fail with domain.ErrUnavailable, for outage tests.
func (s *LinkStore) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Insert implements ports.LinkStore.
func (s *LinkStore) Insert(_ context.Context, link domain.ShortLink) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ErrUnavailable
	}
	if _, live := liveAt(s.links[link.Code()], link.CreatedAt()); live {
		return domain.ErrCodeTaken
	}
	s.links[link.Code()] = append(s.links[link.Code()], link)
	return nil
}

// FindLive implements ports.LinkStore.
func (s *LinkStore) FindLive(_ context.Context, code domain.Code, now time.Time) (domain.ShortLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ShortLink{}, domain.ErrUnavailable
	}
	if link, ok := liveAt(s.links[code], now); ok {
		return link, nil
	}
	return domain.ShortLink{}, domain.ErrNotFound
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

// Ping reports whether the store is up.
func (s *LinkStore) Ping(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ErrUnavailable
	}
	return nil
}

// liveAt returns the newest link in history that is live at now.
func liveAt(history []domain.ShortLink, now time.Time) (domain.ShortLink, bool) {
	for i := len(history) - 1; i >= 0; i-- {
		if !history[i].ExpiredAt(now) {
			return history[i], true
		}
	}
	return domain.ShortLink{}, false
}
