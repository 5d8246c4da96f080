package bolt

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var (
	workspacesBucket = []byte("workspaces") // workspace id → storedWorkspace
	keysBucket       = []byte("keys")       // key id → storedKey
	auditBucket      = []byte("audit")      // entry id (its sequence) → storedAudit
)

var (
	_ ports.KeyStore   = (*Store)(nil)
	_ ports.KeyUsage   = (*Store)(nil)
	_ ports.LinkLister = (*Store)(nil)
	_ ports.AuditLog   = (*Store)(nil)
)

// The records of workspaces, keys and audit entries are JSON: small,
// rarely written, and free to grow fields.
type storedWorkspace struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

type storedKey struct {
	Workspace  string    `json:"workspace"`
	Role       string    `json:"role"`
	Name       string    `json:"name"`
	Digest     []byte    `json:"digest"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	RevokedAt  time.Time `json:"revoked_at"`
}

type storedAudit struct {
	At        time.Time `json:"at"`
	Workspace string    `json:"workspace"`
	Who       string    `json:"who"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
}

func encodeKey(k domain.APIKey) ([]byte, error) {
	return json.Marshal(storedKey{
		Workspace: string(k.Workspace), Role: string(k.Role), Name: k.Name, Digest: k.Digest[:],
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt,
	})
}

func decodeKey(id []byte, raw []byte) (domain.APIKey, error) {
	var s storedKey
	if err := json.Unmarshal(raw, &s); err != nil {
		return domain.APIKey{}, errCorruptRecord
	}
	k := domain.APIKey{
		ID: domain.KeyID(id), Workspace: domain.WorkspaceID(s.Workspace), Role: domain.Role(s.Role), Name: s.Name,
		CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, RevokedAt: s.RevokedAt,
	}
	copy(k.Digest[:], s.Digest)
	return k, nil
}

// bucket is name's bucket, created on first write (files from before
// workspaces have none).
func bucket(tx *bbolt.Tx, name []byte) (*bbolt.Bucket, error) {
	if b := tx.Bucket(name); b != nil || !tx.Writable() {
		return b, nil
	}
	return tx.CreateBucketIfNotExists(name)
}

// CreateWorkspace implements ports.KeyStore.
func (s *Store) CreateWorkspace(_ context.Context, ws domain.Workspace, first domain.APIKey) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		spaces, err := bucket(tx, workspacesBucket)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(storedWorkspace{Name: ws.Name, CreatedAt: ws.CreatedAt})
		if err != nil {
			return err
		}
		if err := spaces.Put([]byte(ws.ID), raw); err != nil {
			return err
		}
		return putKey(tx, first)
	})
	return translate("create workspace", err)
}

func putKey(tx *bbolt.Tx, k domain.APIKey) error {
	keys, err := bucket(tx, keysBucket)
	if err != nil {
		return err
	}
	raw, err := encodeKey(k)
	if err != nil {
		return err
	}
	return keys.Put([]byte(k.ID), raw)
}

// CreateKey implements ports.KeyStore.
func (s *Store) CreateKey(_ context.Context, key domain.APIKey) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		spaces, err := bucket(tx, workspacesBucket)
		if err != nil {
			return err
		}
		if spaces.Get([]byte(key.Workspace)) == nil {
			return domain.ErrNotFound
		}
		return putKey(tx, key)
	})
	if errors.Is(err, domain.ErrNotFound) {
		return err
	}
	return translate("create key", err)
}

// FindKey implements ports.KeyStore.
func (s *Store) FindKey(_ context.Context, id domain.KeyID) (domain.APIKey, error) {
	var key domain.APIKey
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(keysBucket)
		if b == nil {
			return domain.ErrNotFound
		}
		raw := b.Get([]byte(id))
		if raw == nil {
			return domain.ErrNotFound
		}
		var err error
		key, err = decodeKey([]byte(id), raw)
		return err
	})
	if errors.Is(err, domain.ErrNotFound) {
		return domain.APIKey{}, err
	}
	return key, translate("find key", err)
}

// ListKeys implements ports.KeyStore.
func (s *Store) ListKeys(_ context.Context, ws domain.WorkspaceID) ([]domain.APIKey, error) {
	var keys []domain.APIKey
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(keysBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			key, err := decodeKey(k, v)
			if err == nil && (ws == "" || key.Workspace == ws) {
				keys = append(keys, key)
			}
			return err
		})
	})
	slices.SortFunc(keys, func(a, b domain.APIKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return keys, translate("list keys", err)
}

// RevokeKey implements ports.KeyStore.
func (s *Store) RevokeKey(ctx context.Context, id domain.KeyID, now time.Time) (domain.APIKey, error) {
	return s.updateKey(ctx, id, func(k *domain.APIKey) {
		if !k.Revoked() {
			k.RevokedAt = now
		}
	})
}

func (s *Store) updateKey(_ context.Context, id domain.KeyID, change func(k *domain.APIKey)) (domain.APIKey, error) {
	var key domain.APIKey
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := bucket(tx, keysBucket)
		if err != nil {
			return err
		}
		raw := b.Get([]byte(id))
		if raw == nil {
			return domain.ErrNotFound
		}
		if key, err = decodeKey([]byte(id), raw); err != nil {
			return err
		}
		change(&key)
		return putKey(tx, key)
	})
	if errors.Is(err, domain.ErrNotFound) {
		return domain.APIKey{}, err
	}
	return key, translate("update key", err)
}

// TouchKeys implements ports.KeyUsage.
func (s *Store) TouchKeys(ctx context.Context, used map[domain.KeyID]time.Time) error {
	for id, at := range used {
		_, err := s.updateKey(ctx, id, func(k *domain.APIKey) {
			if at.After(k.LastUsedAt) {
				k.LastUsedAt = at
			}
		})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
	}
	return nil
}

// allLinks reads every link: the listing of embedded mode scans (its cost
// is in docs/api.md).
func (s *Store) allLinks() ([]domain.ShortLink, error) {
	var links []domain.ShortLink
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(linksBucket).ForEach(func(_, v []byte) error {
			link, err := decodeLink(v)
			if err == nil {
				links = append(links, link)
			}
			return err
		})
	})
	return links, translate("scan links", err)
}

// ListLinks implements ports.LinkLister by scanning every link, holding
// no more than the page (an export pages through every link).
func (s *Store) ListLinks(_ context.Context, q domain.LinkQuery) ([]domain.ShortLink, error) {
	top := domain.NewTopLinks(q)
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(linksBucket).ForEach(func(_, v []byte) error {
			link, err := decodeLink(v)
			if err == nil {
				top.Offer(link)
			}
			return err
		})
	})
	if err != nil {
		return nil, translate("scan links", err)
	}
	return top.Page(), nil
}

// TagCounts implements ports.LinkLister by scanning every link.
func (s *Store) TagCounts(_ context.Context, ws domain.WorkspaceID) ([]domain.TagCount, error) {
	links, err := s.allLinks()
	if err != nil {
		return nil, err
	}
	return domain.CountTags(links, ws), nil
}

// RecordAudit implements ports.AuditLog.
func (s *Store) RecordAudit(_ context.Context, e domain.AuditEntry) error {
	err := s.db.Update(func(tx *bbolt.Tx) error { return putAudit(tx, e) })
	return translate("record audit", err)
}

// putAudit appends e to the audit bucket, under the bucket's next sequence.
func putAudit(tx *bbolt.Tx, e domain.AuditEntry) error {
	b, err := bucket(tx, auditBucket)
	if err != nil {
		return err
	}
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(storedAudit{At: e.At, Workspace: string(e.Workspace), Who: string(e.Who), Action: string(e.Action), Target: e.Target})
	if err != nil {
		return err
	}
	return b.Put(binary.BigEndian.AppendUint64(nil, id), raw)
}

// ListAudit implements ports.AuditLog, newest first from q.Before.
func (s *Store) ListAudit(_ context.Context, q domain.AuditQuery) ([]domain.AuditEntry, error) {
	var page []domain.AuditEntry
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(auditBucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if q.Before > 0 {
			if k, _ = c.Seek(binary.BigEndian.AppendUint64(nil, uint64(q.Before))); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		} else {
			k, v = c.Last()
		}
		for ; k != nil && len(page) < q.Limit; k, v = c.Prev() {
			var e storedAudit
			if err := json.Unmarshal(v, &e); err != nil {
				return errCorruptRecord
			}
			if !q.Scope.All && domain.WorkspaceID(e.Workspace) != q.Scope.Workspace {
				continue
			}
			page = append(page, domain.AuditEntry{
				ID: int64(binary.BigEndian.Uint64(k)), At: e.At, Workspace: domain.WorkspaceID(e.Workspace),
				Who: domain.Who(e.Who), Action: domain.AuditAction(e.Action), Target: e.Target,
			})
		}
		return nil
	})
	return page, translate("list audit", err)
}
