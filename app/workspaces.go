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

// NewKey is a key just created, and the key itself, which exists only here.
type NewKey struct {
	Key    domain.APIKey
	Secret string
}

// Workspaces is the use case of workspaces and their keys: admins create
// workspaces (with a first owner key) and keys anywhere; owners create,
// list and revoke their workspace's keys.
type Workspaces struct {
	store ports.KeyStore
	keys  *KeyRing
	audit *Auditor
	clock ports.Clock
}

// NewWorkspaces returns the use case.
func NewWorkspaces(store ports.KeyStore, keys *KeyRing, audit *Auditor, clock ports.Clock) *Workspaces {
	return &Workspaces{store: store, keys: keys, audit: audit, clock: clock}
}

// CreateWorkspace creates a workspace and its first owner key (admins only).
func (w *Workspaces) CreateWorkspace(ctx context.Context, caller Caller, name, keyName string) (domain.Workspace, NewKey, error) {
	if w.store == nil {
		return domain.Workspace{}, NewKey{}, domain.ErrUnavailable
	}
	if !caller.Admin {
		return domain.Workspace{}, NewKey{}, forbiddenOrUnauthenticated(caller)
	}
	now := w.clock.Now()
	ws, err := domain.NewWorkspace(name, now)
	if err != nil {
		return domain.Workspace{}, NewKey{}, err
	}
	if keyName == "" {
		keyName = "first owner key"
	}
	key, secret, err := domain.NewAPIKey(ws.ID, domain.RoleOwner, keyName, now)
	if err != nil {
		return domain.Workspace{}, NewKey{}, err
	}
	if err := w.store.CreateWorkspace(ctx, ws, key); err != nil {
		return domain.Workspace{}, NewKey{}, fmt.Errorf("create workspace: %w", err)
	}
	w.audit.record(ctx, ws.ID, caller.Who(), domain.AuditWorkspaceCreated, string(ws.ID))
	w.audit.record(ctx, ws.ID, caller.Who(), domain.AuditKeyCreated, string(key.ID))
	return ws, NewKey{Key: key, Secret: secret}, nil
}

// CreateKey creates a key of role in ws: an owner's own workspace (ws may
// be empty then), or any workspace for an admin.
func (w *Workspaces) CreateKey(ctx context.Context, caller Caller, ws domain.WorkspaceID, role domain.Role, name string) (NewKey, error) {
	if w.store == nil {
		return NewKey{}, domain.ErrUnavailable
	}
	switch {
	case caller.Admin:
		if ws == "" {
			return NewKey{}, &domain.ValidationError{Field: "workspace", Reason: domain.ReasonMissingField, Message: "workspace is required with an admin key"}
		}
	case caller.HasKey() && caller.Key.Role == domain.RoleOwner:
		if ws != "" && ws != caller.Key.Workspace {
			return NewKey{}, domain.ErrForbidden
		}
		ws = caller.Key.Workspace
	default:
		return NewKey{}, forbiddenOrUnauthenticated(caller)
	}
	key, secret, err := domain.NewAPIKey(ws, role, name, w.clock.Now())
	if err != nil {
		return NewKey{}, err
	}
	if err := w.store.CreateKey(ctx, key); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return NewKey{}, &domain.ValidationError{Field: "workspace", Reason: domain.ReasonInvalidFilter, Message: "no such workspace"}
		}
		return NewKey{}, fmt.Errorf("create key: %w", err)
	}
	w.audit.record(ctx, ws, caller.Who(), domain.AuditKeyCreated, string(key.ID))
	return NewKey{Key: key, Secret: secret}, nil
}

// Exists reports whether workspace ws exists: every workspace keeps its
// keys, revoked ones too, and is created with its first.
func (w *Workspaces) Exists(ctx context.Context, ws domain.WorkspaceID) (bool, error) {
	if w.store == nil {
		return false, domain.ErrUnavailable
	}
	keys, err := w.store.ListKeys(ctx, ws)
	if err != nil {
		return false, fmt.Errorf("find workspace: %w", err)
	}
	return len(keys) > 0, nil
}

// ListKeys lists an owner's workspace's keys, or for an admin those of ws
// (every key when ws is empty).
func (w *Workspaces) ListKeys(ctx context.Context, caller Caller, ws domain.WorkspaceID) ([]domain.APIKey, error) {
	if w.store == nil {
		return nil, domain.ErrUnavailable
	}
	switch {
	case caller.Admin:
	case caller.HasKey() && caller.Key.Role == domain.RoleOwner:
		ws = caller.Key.Workspace
	default:
		return nil, forbiddenOrUnauthenticated(caller)
	}
	keys, err := w.store.ListKeys(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return keys, nil
}

// RevokeKey revokes key id: an owner's own workspace's, or any for an
// admin. A key of another workspace is not found. The revocation reaches
// every replica through the store's change feed.
func (w *Workspaces) RevokeKey(ctx context.Context, caller Caller, id domain.KeyID) error {
	if w.store == nil {
		return domain.ErrUnavailable
	}
	if !caller.Admin && !caller.isOwner() {
		return forbiddenOrUnauthenticated(caller)
	}
	key, err := w.store.FindKey(ctx, id)
	if err != nil {
		return fmt.Errorf("find key: %w", err)
	}
	if !caller.Admin && key.Workspace != caller.Key.Workspace {
		return fmt.Errorf("find key: %w", domain.ErrNotFound)
	}
	if key.Revoked() {
		return nil
	}
	if _, err := w.store.RevokeKey(ctx, id, w.clock.Now()); err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	w.keys.Forget(id)
	w.audit.record(ctx, key.Workspace, caller.Who(), domain.AuditKeyRevoked, string(id))
	return nil
}

// isOwner reports whether the caller holds an owner key.
func (c Caller) isOwner() bool { return c.HasKey() && c.Key.Role == domain.RoleOwner }

// forbiddenOrUnauthenticated is the refusal of a route caller may not use:
// 401 without credentials, 403 with some.
func forbiddenOrUnauthenticated(caller Caller) error {
	if caller.Anonymous() {
		return domain.ErrUnauthenticated
	}
	return domain.ErrForbidden
}

// Auditor writes the audit log. A management action has committed when it
// is recorded; an entry that cannot be written is logged, not failed.
type Auditor struct {
	log   ports.AuditLog // nil: nothing is recorded
	clock ports.Clock
	slog  *slog.Logger
}

// NewAuditor returns an auditor on log (which may be nil).
func NewAuditor(log ports.AuditLog, clock ports.Clock, logger *slog.Logger) *Auditor {
	return &Auditor{log: log, clock: clock, slog: logger}
}

// enabled reports whether entries are recorded at all.
func (a *Auditor) enabled() bool { return a != nil && a.log != nil }

// entries are the audit entries of actions on target by who, now.
func (a *Auditor) entries(ws domain.WorkspaceID, who domain.Who, actions []domain.AuditAction, target string) []domain.AuditEntry {
	at := a.clock.Now().Truncate(time.Microsecond)
	out := make([]domain.AuditEntry, len(actions))
	for i, action := range actions {
		out[i] = domain.AuditEntry{At: at, Workspace: ws, Who: who, Action: action, Target: target}
	}
	return out
}

func (a *Auditor) record(ctx context.Context, ws domain.WorkspaceID, who domain.Who, action domain.AuditAction, target string) {
	if a == nil || a.log == nil {
		return
	}
	e := domain.AuditEntry{At: a.clock.Now().Truncate(time.Microsecond), Workspace: ws, Who: who, Action: action, Target: target}
	if err := a.log.RecordAudit(context.WithoutCancel(ctx), e); err != nil {
		a.slog.Warn("audit entry not written", "action", action, "target", target, "error", err)
	}
}

// List shows the audit log: a workspace's to its owners, everything (or
// scope's) to admins.
func (a *Auditor) List(ctx context.Context, caller Caller, scope domain.WorkspaceScope, before int64, limit int) ([]domain.AuditEntry, error) {
	switch {
	case caller.Admin:
	case caller.HasKey() && caller.Key.Role == domain.RoleOwner:
		scope = domain.WorkspaceScope{Workspace: caller.Key.Workspace}
	default:
		return nil, forbiddenOrUnauthenticated(caller)
	}
	if a.log == nil {
		return nil, nil
	}
	entries, err := a.log.ListAudit(ctx, domain.AuditQuery{Scope: scope, Before: before, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return entries, nil
}

// Lister is the listing use case: a workspace's links to its keys, every
// link to admins.
type Lister struct {
	store ports.LinkLister
	clock ports.Clock
}

// NewLister returns the listing use case.
func NewLister(store ports.LinkLister, clock ports.Clock) *Lister {
	return &Lister{store: store, clock: clock}
}

// List returns one page of q for caller (q.Scope is narrowed to the
// caller's workspace for a workspace key; an admin's is kept), and the
// cursor of the next page (zero: none).
func (l *Lister) List(ctx context.Context, caller Caller, q domain.LinkQuery) ([]domain.ShortLink, domain.Cursor, error) {
	switch {
	case caller.Admin:
	case caller.HasKey():
		q.Scope = domain.WorkspaceScope{Workspace: caller.Key.Workspace}
	default:
		return nil, domain.Cursor{}, forbiddenOrUnauthenticated(caller)
	}
	if l.store == nil {
		return nil, domain.Cursor{}, domain.ErrUnavailable
	}
	q.Now = l.clock.Now()
	want := q.Limit
	q.Limit++ // one more tells whether there is a next page
	links, err := l.store.ListLinks(ctx, q)
	if err != nil {
		return nil, domain.Cursor{}, fmt.Errorf("list links: %w", err)
	}
	var next domain.Cursor
	if len(links) > want {
		links = links[:want]
		last := links[want-1]
		next = domain.Cursor{CreatedAt: last.CreatedAt(), ID: int64(last.ID())}
	}
	return links, next, nil
}

// Tags counts the tags of the caller's workspace (an admin names one).
func (l *Lister) Tags(ctx context.Context, caller Caller, ws domain.WorkspaceID) ([]domain.TagCount, error) {
	switch {
	case caller.Admin:
	case caller.HasKey():
		ws = caller.Key.Workspace
	default:
		return nil, forbiddenOrUnauthenticated(caller)
	}
	if l.store == nil {
		return nil, domain.ErrUnavailable
	}
	tags, err := l.store.TagCounts(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("count tags: %w", err)
	}
	return tags, nil
}
