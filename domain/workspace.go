package domain

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"hash/crc32"
	"strings"
	"time"
	"unicode/utf8"
)

// WorkspaceID names a workspace: random, lower-case base32. The zero
// value is no workspace (an anonymous link).
type WorkspaceID string

// Workspace holds links, tags and keys (docs/api.md, "Workspaces, keys and my links").
type Workspace struct {
	ID        WorkspaceID
	Name      string
	CreatedAt time.Time
}

// Role is what a workspace key may do.
type Role string

// The roles, from the most to the least powerful.
const (
	// RoleOwner may do everything in the workspace, its keys included.
	RoleOwner Role = "owner"
	// RoleEditor creates links and manages any link of the workspace.
	RoleEditor Role = "editor"
	// RoleViewer lists links and reads their info and statistics.
	RoleViewer Role = "viewer"
)

// ParseRole checks a role as a client gave it.
func ParseRole(raw string) (Role, error) {
	switch r := Role(raw); r {
	case RoleOwner, RoleEditor, RoleViewer:
		return r, nil
	}
	return "", invalid("role", ReasonInvalidRole, "role must be one of owner, editor, viewer")
}

// CanEdit reports whether the role may create and change links.
func (r Role) CanEdit() bool { return r == RoleOwner || r == RoleEditor }

// KeyID names a workspace key; it is the part of the key a store looks it up by.
type KeyID string

// APIKey is a workspace key as stores keep it: never the key itself, only
// its digest.
type APIKey struct {
	ID         KeyID
	Workspace  WorkspaceID
	Role       Role
	Name       string
	Digest     TokenDigest
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: not revoked
}

// Revoked reports whether the key was revoked.
func (k APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// Matches reports, in constant time, whether presented is this key's
// digest and the key is still valid.
func (k APIKey) Matches(presented TokenDigest) bool {
	ok := subtle.ConstantTimeCompare(k.Digest[:], presented[:]) == 1
	return ok && !k.Revoked()
}

const (
	keyPrefix = "slk_"
	// keyIDBytes and keySecretBytes are the entropy of a key's id (80 bits)
	// and secret (160 bits).
	keyIDBytes     = 10
	keySecretBytes = 20
	// keyChecksumLen is the length of the checksum's encoding.
	keyChecksumLen = 7
	maxNameLen     = 100
)

// keyEncoding is lower-case base32 without padding: no '_', so the parts
// of a key split unambiguously, and nothing a URL or shell would mangle.
var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func randomPart(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return keyEncoding.EncodeToString(b)
}

// keyChecksum is the CRC-32 of the key's first parts: it catches typos and
// lets a scanner recognise a key without asking the service.
func keyChecksum(body string) string {
	sum := crc32.ChecksumIEEE([]byte(body))
	b := []byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)}
	return keyEncoding.EncodeToString(b)[:keyChecksumLen]
}

// NewWorkspace returns a workspace named name, with a random id.
func NewWorkspace(name string, now time.Time) (Workspace, error) {
	name, err := checkName(name)
	if err != nil {
		return Workspace{}, err
	}
	return Workspace{ID: WorkspaceID(randomPart(keyIDBytes)), Name: name, CreatedAt: normalizeInstant(now)}, nil
}

// NewAPIKey returns a new key of workspace ws with role, and the key itself
// (slk_<id>_<secret>_<checksum>), which exists only here.
func NewAPIKey(ws WorkspaceID, role Role, name string, now time.Time) (APIKey, string, error) {
	name, err := checkName(name)
	if err != nil {
		return APIKey{}, "", err
	}
	id := KeyID(randomPart(keyIDBytes))
	body := keyPrefix + string(id) + "_" + randomPart(keySecretBytes)
	key := body + "_" + keyChecksum(body)
	return APIKey{ID: id, Workspace: ws, Role: role, Name: name, Digest: DigestToken(key), CreatedAt: normalizeInstant(now)}, key, nil
}

// ParseKey recognises a workspace key by its form and checksum, without a
// lookup, and returns its id; ok is false for anything else (a manage
// token, an admin key, a typo).
func ParseKey(key string) (id KeyID, ok bool) {
	rest, found := strings.CutPrefix(key, keyPrefix)
	if !found {
		return "", false
	}
	parts := strings.Split(rest, "_")
	if len(parts) != 3 || len(parts[0]) == 0 || len(parts[1]) == 0 || len(parts[2]) != keyChecksumLen {
		return "", false
	}
	body := key[:len(key)-keyChecksumLen-1]
	if subtle.ConstantTimeCompare([]byte(keyChecksum(body)), []byte(parts[2])) != 1 {
		return "", false
	}
	return KeyID(parts[0]), true
}

// LooksLikeKey reports whether s has the form of a workspace key, checksum
// or not: such a credential is a key, never a manage token.
func LooksLikeKey(s string) bool { return strings.HasPrefix(s, keyPrefix) }

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", invalid("name", ReasonMissingField, "name is required")
	}
	if utf8.RuneCountInString(name) > maxNameLen || hasInvisibleRune(name) {
		return "", invalid("name", ReasonInvalidName, "name must be at most 100 visible characters")
	}
	return name, nil
}

func hasInvisibleRune(s string) bool {
	_, found := firstInvisible(s)
	return found
}
