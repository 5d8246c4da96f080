package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// workspaces is what LinkStore keeps of workspaces, keys and the audit log.
type workspaces struct {
	spaces map[domain.WorkspaceID]domain.Workspace
	keys   map[domain.KeyID]domain.APIKey
	audit  []domain.AuditEntry
}

var (
	_ ports.KeyStore   = (*LinkStore)(nil)
	_ ports.KeyUsage   = (*LinkStore)(nil)
	_ ports.LinkLister = (*LinkStore)(nil)
	_ ports.AuditLog   = (*LinkStore)(nil)
)

func (s *LinkStore) lockUp() (unlock func(), err error) {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		return nil, domain.ErrUnavailable
	}
	if s.ws.spaces == nil {
		s.ws.spaces, s.ws.keys = map[domain.WorkspaceID]domain.Workspace{}, map[domain.KeyID]domain.APIKey{}
	}
	return s.mu.Unlock, nil
}

// CreateWorkspace implements ports.KeyStore.
func (s *LinkStore) CreateWorkspace(_ context.Context, ws domain.Workspace, first domain.APIKey) error {
	unlock, err := s.lockUp()
	if err != nil {
		return err
	}
	defer unlock()
	s.ws.spaces[ws.ID] = ws
	s.ws.keys[first.ID] = first
	return nil
}

// CreateKey implements ports.KeyStore.
func (s *LinkStore) CreateKey(_ context.Context, key domain.APIKey) error {
	unlock, err := s.lockUp()
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := s.ws.spaces[key.Workspace]; !ok {
		return domain.ErrNotFound
	}
	s.ws.keys[key.ID] = key
	return nil
}

// FindKey implements ports.KeyStore.
func (s *LinkStore) FindKey(_ context.Context, id domain.KeyID) (domain.APIKey, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return domain.APIKey{}, err
	}
	defer unlock()
	key, ok := s.ws.keys[id]
	if !ok {
		return domain.APIKey{}, domain.ErrNotFound
	}
	return key, nil
}

// ListKeys implements ports.KeyStore.
func (s *LinkStore) ListKeys(_ context.Context, ws domain.WorkspaceID) ([]domain.APIKey, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return nil, err
	}
	defer unlock()
	var keys []domain.APIKey
	for _, k := range s.ws.keys {
		if ws == "" || k.Workspace == ws {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b domain.APIKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return keys, nil
}

// RevokeKey implements ports.KeyStore.
func (s *LinkStore) RevokeKey(_ context.Context, id domain.KeyID, now time.Time) (domain.APIKey, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return domain.APIKey{}, err
	}
	defer unlock()
	key, ok := s.ws.keys[id]
	if !ok {
		return domain.APIKey{}, domain.ErrNotFound
	}
	if !key.Revoked() {
		key.RevokedAt = now
		s.ws.keys[id] = key
		s.log.append(ports.Change{Kind: ports.ChangeKey, Key: string(id)}, now)
	}
	return key, nil
}

// TouchKeys implements ports.KeyUsage.
func (s *LinkStore) TouchKeys(_ context.Context, used map[domain.KeyID]time.Time) error {
	unlock, err := s.lockUp()
	if err != nil {
		return err
	}
	defer unlock()
	for id, at := range used {
		if key, ok := s.ws.keys[id]; ok && at.After(key.LastUsedAt) {
			key.LastUsedAt = at
			s.ws.keys[id] = key
		}
	}
	return nil
}

// ListLinks implements ports.LinkLister by scanning.
func (s *LinkStore) ListLinks(_ context.Context, q domain.LinkQuery) ([]domain.ShortLink, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return nil, err
	}
	all := make([]domain.ShortLink, 0, len(s.links))
	for _, l := range s.links {
		all = append(all, l)
	}
	unlock()
	return domain.ListPage(all, q), nil
}

// TagCounts implements ports.LinkLister.
func (s *LinkStore) TagCounts(_ context.Context, ws domain.WorkspaceID) ([]domain.TagCount, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return nil, err
	}
	defer unlock()
	links := make([]domain.ShortLink, 0, len(s.links))
	for _, l := range s.links {
		links = append(links, l)
	}
	return domain.CountTags(links, ws), nil
}

// RecordAudit implements ports.AuditLog.
func (s *LinkStore) RecordAudit(_ context.Context, e domain.AuditEntry) error {
	unlock, err := s.lockUp()
	if err != nil {
		return err
	}
	defer unlock()
	e.ID = int64(len(s.ws.audit) + 1)
	s.ws.audit = append(s.ws.audit, e)
	return nil
}

// ListAudit implements ports.AuditLog.
func (s *LinkStore) ListAudit(_ context.Context, q domain.AuditQuery) ([]domain.AuditEntry, error) {
	unlock, err := s.lockUp()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return domain.AuditPage(s.ws.audit, q), nil
}
