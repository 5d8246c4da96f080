package ports

import (
	"context"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// KeyStore keeps workspaces and their keys (digests only).
type KeyStore interface {
	// CreateWorkspace stores ws and its first key in one write.
	CreateWorkspace(ctx context.Context, ws domain.Workspace, first domain.APIKey) error
	// CreateKey stores key; its workspace must exist (domain.ErrNotFound).
	CreateKey(ctx context.Context, key domain.APIKey) error
	// FindKey returns the key of id, revoked or not, or domain.ErrNotFound.
	FindKey(ctx context.Context, id domain.KeyID) (domain.APIKey, error)
	// ListKeys returns the keys of ws (every key when ws is ""), oldest first.
	ListKeys(ctx context.Context, ws domain.WorkspaceID) ([]domain.APIKey, error)
	// RevokeKey marks the key of id revoked at now (once: a revoked key
	// keeps its first revocation) and returns it; a store shared by
	// replicas announces the change on its change feed (ChangeKey).
	RevokeKey(ctx context.Context, id domain.KeyID, now time.Time) (domain.APIKey, error)
}

// KeyUsage records when keys were last used: written in the background,
// coarsely, never on a request's path.
type KeyUsage interface {
	// TouchKeys sets last_used_at of each key to its time, unless later.
	TouchKeys(ctx context.Context, used map[domain.KeyID]time.Time) error
}

// ChangeKey is a change of a workspace key: Key is its id.
const ChangeKey ChangeKind = "key"

// LinkLister lists and searches links, and counts tags.
type LinkLister interface {
	// ListLinks returns up to q.Limit links that q matches and that come
	// after q.After, newest first (by creation, then id).
	ListLinks(ctx context.Context, q domain.LinkQuery) ([]domain.ShortLink, error)
	// TagCounts returns the tags of ws's links with how many carry each,
	// by tag.
	TagCounts(ctx context.Context, ws domain.WorkspaceID) ([]domain.TagCount, error)
}

// AuditLog keeps the management actions.
type AuditLog interface {
	// RecordAudit appends e (its ID and, when zero, At are the store's).
	RecordAudit(ctx context.Context, e domain.AuditEntry) error
	// ListAudit returns up to q.Limit entries before q.Before, newest first.
	ListAudit(ctx context.Context, q domain.AuditQuery) ([]domain.AuditEntry, error)
}

// AuditedLinkStore is a LinkStore that writes a change's audit entries in
// the change's own transaction: an entry exists if and only if its change
// committed, and the change makes no write of its own after it (a store
// that reuses freed pages would otherwise overwrite an erased target's
// old page before a purge could show it gone).
type AuditedLinkStore interface {
	// UpdateAudited is LinkStore.Update, storing audit(current, next)
	// with the change.
	UpdateAudited(ctx context.Context, code domain.Code, now time.Time, change LinkChange, audit LinkAudit) (domain.ShortLink, error)
}

// LinkAudit gives the audit entries of a change from current to next.
type LinkAudit func(current, next domain.ShortLink) []domain.AuditEntry

// WorkspaceVisitReader sums the visits of many links at once.
type WorkspaceVisitReader interface {
	// WorkspaceVisits sums the visits of q's scope's links in q's window
	// (whole UTC days): the non-empty days, how many links had visits,
	// and the domain.WorkspaceTopLinks links with the most (ties by code).
	WorkspaceVisits(ctx context.Context, q domain.WorkspaceVisitQuery) (domain.WorkspaceVisits, error)
}
