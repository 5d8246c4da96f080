package domain

import "time"

// AuditAction is what a management action did.
type AuditAction string

// The audited actions.
const (
	AuditWorkspaceCreated AuditAction = "workspace.create"
	AuditKeyCreated       AuditAction = "key.create"
	AuditKeyRevoked       AuditAction = "key.revoke"
	AuditLinkDisabled     AuditAction = "link.disable"
	AuditLinkEnabled      AuditAction = "link.enable"
	AuditLinkExtended     AuditAction = "link.extend"
	AuditLinkRelabelled   AuditAction = "link.relabel"
	AuditLinkDeleted      AuditAction = "link.delete"
	AuditLinkTakenDown    AuditAction = "link.takedown"
	// AuditDomainRegistered and AuditDomainRemoved are an administrator's
	// POST and DELETE of /v1/domains; the target is the host.
	AuditDomainRegistered AuditAction = "domain.register"
	AuditDomainRemoved    AuditAction = "domain.remove"
)

// Who names the author of an action without any secret: "admin",
// "manage_token", or "key:<key id>".
type Who string

// The authors that are not keys.
const (
	WhoAdmin       Who = "admin"
	WhoManageToken Who = "manage_token"
)

// WhoKey is the author name of a workspace key.
func WhoKey(id KeyID) Who { return Who("key:" + string(id)) }

// AuditEntry is one management action: who did what to which target, when,
// in which workspace ("" when the target belongs to none).
type AuditEntry struct {
	ID        int64
	At        time.Time
	Workspace WorkspaceID
	Who       Who
	Action    AuditAction
	Target    string // a link's code, a key's id, a workspace's id
}

// AuditQuery is one page of the audit log, newest first.
type AuditQuery struct {
	Scope WorkspaceScope
	// Before is the id the page starts before; 0 is the newest.
	Before int64
	Limit  int
}
