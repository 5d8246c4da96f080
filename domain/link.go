package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// LinkID identifies one link for its whole life. A code may be held by
// several links over the years, one at a time; tokens, states and visit
// counters belong to the link, never to the code.
type LinkID int64

// LinkState is what the owner or an administrator made of a link. Expiry
// is not a state: it follows from the link's expiry instant (see Status).
type LinkState uint8

const (
	// StateActive links resolve until they expire.
	StateActive LinkState = iota
	// StateDisabled links answer 410 until re-enabled.
	StateDisabled
	// StateDeleted links answer 410 for good; their target is erased.
	StateDeleted
)

// Status is a link's state as the API reports it at an instant.
type Status string

// The statuses, in the order they take precedence: a deleted link is
// deleted whatever its expiry, an expired one expired whatever its state.
const (
	StatusDeleted  Status = "deleted"
	StatusExpired  Status = "expired"
	StatusDisabled Status = "disabled"
	StatusActive   Status = "active"
)

// ShortLink maps a code to a target URL until it expires, unless it is
// disabled or deleted. Its fields change only through its methods, each of
// which returns the next version of the link.
type ShortLink struct {
	id              LinkID
	code            Code
	url             string
	createdAt       time.Time
	expiresAt       time.Time
	state           LinkState
	disabledByAdmin bool
	owner           TokenDigest // zero for links made before owner tokens
	version         int64
	ownership       Ownership
	title           string
	tags            string // comma-joined, so links stay comparable
	forwardQuery    bool
	// passwordHash is the encoded argon2id hash of the link's password
	// ("" for none, or where a cache keeps the link without it); protected
	// says there is one either way.
	passwordHash string
	protected    bool
	// rules are the link's redirect rules (SPEC §15), nil for none: shared,
	// never changed, so copying a link stays cheap.
	rules *Rules
	// originalCreatedAt is when an imported link was created where it came
	// from (zero: not imported, or no date given).
	originalCreatedAt time.Time
}

// LinkRecord is a link as stores and caches keep it.
type LinkRecord struct {
	ID              LinkID
	Code            Code
	URL             string
	CreatedAt       time.Time
	ExpiresAt       time.Time
	State           LinkState
	DisabledByAdmin bool
	Owner           TokenDigest
	// Version counts the link's changes, from 1 at its creation.
	Version int64
	// Workspace and CreatedBy are its Ownership; Title and Tags its Labels.
	Workspace WorkspaceID
	CreatedBy KeyID
	Title     string
	Tags      []string
	// ForwardQuery appends a redirect's query string to the target.
	ForwardQuery bool
	// PasswordHash is the encoded hash of the link's password (PHC string
	// format), "" for none. Caches keep Protected instead.
	PasswordHash string
	// Protected says the link has a password, whether or not PasswordHash
	// is at hand.
	Protected bool
	// Rules are the link's redirect rules; nil for none.
	Rules *Rules
	// OriginalCreatedAt is an imported link's date at its source (zero:
	// none). Caches need not keep it.
	OriginalCreatedAt time.Time
}

// NewShortLink assembles a link from parts that have already passed their
// own parsing (ParseCode/ParseAlias, URLPolicy.Parse, ExpiryPolicy.ExpiresAt)
// and checks what only makes sense for the whole: a link must expire after
// it is created. owner is the digest of its manage token. The store gives
// the link its id.
func NewShortLink(code Code, url string, createdAt, expiresAt time.Time, owner TokenDigest) (ShortLink, error) {
	if code == "" || url == "" {
		return ShortLink{}, errors.New("short link needs a code and a url")
	}
	if !expiresAt.After(createdAt) {
		return ShortLink{}, invalid("expires_at", ReasonExpiresAtPast, "expires_at must be in the future")
	}
	return RestoreShortLink(LinkRecord{Code: code, URL: url, CreatedAt: createdAt, ExpiresAt: expiresAt, Owner: owner, Version: 1}), nil
}

// RestoreShortLink rebuilds a link read back from a store or cache, which
// only ever hold links that NewShortLink and the methods below produced.
func RestoreShortLink(r LinkRecord) ShortLink {
	l := ShortLink{
		id: r.ID, code: r.Code, url: r.URL, createdAt: r.CreatedAt.UTC(), expiresAt: r.ExpiresAt.UTC(),
		state: r.State, disabledByAdmin: r.DisabledByAdmin, owner: r.Owner, version: r.Version,
		ownership: Ownership{Workspace: r.Workspace, Key: r.CreatedBy}, title: r.Title, tags: strings.Join(r.Tags, ","),
		forwardQuery: r.ForwardQuery, passwordHash: r.PasswordHash, protected: r.Protected || r.PasswordHash != "",
		rules: nonEmptyRules(r.Rules),
	}
	if !r.OriginalCreatedAt.IsZero() {
		l.originalCreatedAt = r.OriginalCreatedAt.UTC()
	}
	return l
}

// Record is the link as stores and caches keep it.
func (l ShortLink) Record() LinkRecord {
	r := LinkRecord{
		ID: l.id, Code: l.code, URL: l.url, CreatedAt: l.createdAt, ExpiresAt: l.expiresAt,
		State: l.state, DisabledByAdmin: l.disabledByAdmin, Owner: l.owner, Version: l.version,
		Workspace: l.ownership.Workspace, CreatedBy: l.ownership.Key, Title: l.title, Tags: l.Labels().Tags,
		ForwardQuery: l.forwardQuery, PasswordHash: l.passwordHash, Protected: l.protected,
		Rules: l.rules,
	}
	r.OriginalCreatedAt = l.originalCreatedAt
	return r
}

// OriginalCreatedAt is when an imported link was created at its source
// (zero: none); the link itself was created at CreatedAt.
func (l ShortLink) OriginalCreatedAt() time.Time { return l.originalCreatedAt }

// WithOriginalCreatedAt is the link, not yet stored, imported with its
// source's date at (zero: none), to the microsecond as stores keep it.
func (l ShortLink) WithOriginalCreatedAt(at time.Time) ShortLink {
	l.originalCreatedAt = at.UTC().Truncate(time.Microsecond)
	return l
}

// WithID is the link as stored under id.
func (l ShortLink) WithID(id LinkID) ShortLink { l.id = id; return l }

func (l ShortLink) ID() LinkID           { return l.id }
func (l ShortLink) Code() Code           { return l.code }
func (l ShortLink) URL() string          { return l.url }
func (l ShortLink) CreatedAt() time.Time { return l.createdAt }
func (l ShortLink) ExpiresAt() time.Time { return l.expiresAt }

// Permanent reports whether the link never expires (its expiry is
// PermanentExpiry; answers show it as null).
func (l ShortLink) Permanent() bool      { return IsPermanent(l.expiresAt) }
func (l ShortLink) State() LinkState     { return l.state }
func (l ShortLink) Owner() TokenDigest   { return l.owner }
func (l ShortLink) Version() int64       { return l.version }
func (l ShortLink) Ownership() Ownership { return l.ownership }

// Labels are the link's title and tags.
func (l ShortLink) Labels() Labels {
	var tags []string
	if l.tags != "" {
		tags = strings.Split(l.tags, ",")
	}
	return Labels{Title: l.title, Tags: tags}
}

// PrivateBytes is the length of the link's ownership and labels: what a
// cache that weighs its entries adds for them (no allocation).
func (l ShortLink) PrivateBytes() int {
	return len(l.ownership.Workspace) + len(l.ownership.Key) + len(l.title) + len(l.tags)
}

// Owned is the link, before it is stored, as created with a workspace key.
func (l ShortLink) Owned(o Ownership) ShortLink { l.ownership = o; return l }

// Labelled is the link, before it is stored, with labels.
func (l ShortLink) Labelled(labels Labels) ShortLink {
	l.title, l.tags = labels.Title, strings.Join(labels.Tags, ",")
	return l
}

// Relabel replaces the link's title and tags (nil: unchanged). A deleted
// link cannot change.
func (l ShortLink) Relabel(title *string, tags []string, setTags bool) (ShortLink, error) {
	if l.state == StateDeleted {
		return ShortLink{}, ErrGone
	}
	if title != nil {
		l.title = *title
	}
	if setTags {
		l.tags = strings.Join(tags, ",")
	}
	l.version++
	return l, nil
}

// ForwardQuery reports whether a redirect appends the short URL's query
// string to the target (ForwardedURL).
func (l ShortLink) ForwardQuery() bool { return l.forwardQuery }

// WithForwardQuery is the link, not yet stored, with query forwarding on or off.
func (l ShortLink) WithForwardQuery(on bool) ShortLink { l.forwardQuery = on; return l }

// SetForwardQuery turns query forwarding on or off: a change of a live
// link (a deleted one cannot change).
func (l ShortLink) SetForwardQuery(on bool) (ShortLink, error) {
	if l.state == StateDeleted {
		return ShortLink{}, ErrGone
	}
	l.forwardQuery = on
	l.version++
	return l, nil
}

// Protected reports whether the link asks for a password before it leads on.
func (l ShortLink) Protected() bool { return l.protected }

// PasswordHash is the encoded hash of the link's password: "" when it has
// none, and where a cache gave the link without it (see Protected).
func (l ShortLink) PasswordHash() string { return l.passwordHash }

// WithPasswordHash is the link, not yet stored, protected by the password
// hash encodes ("" for none).
func (l ShortLink) WithPasswordHash(hash string) ShortLink {
	l.passwordHash, l.protected = hash, hash != ""
	return l
}

// SetPasswordHash protects the link with the password hash encodes, or
// removes its password (""): a change of a live link.
func (l ShortLink) SetPasswordHash(hash string) (ShortLink, error) {
	if l.state == StateDeleted {
		return ShortLink{}, ErrGone
	}
	l = l.WithPasswordHash(hash)
	l.version++
	return l, nil
}

// DisabledByAdmin reports whether an administrator disabled the link, in
// which case only an administrator may enable it again.
func (l ShortLink) DisabledByAdmin() bool { return l.disabledByAdmin }

// ExpiredAt reports whether the link's lifetime is over at now. A link is
// live strictly before its expiry instant.
func (l ShortLink) ExpiredAt(now time.Time) bool { return !now.Before(l.expiresAt) }

// TimeToLive is how long the link stays resolvable after now (≤ 0 once expired).
func (l ShortLink) TimeToLive(now time.Time) time.Duration { return l.expiresAt.Sub(now) }

// CacheFor is how long a cache may keep the link at now, at most max:
// until it expires, or max once it is deleted. A deletion is final, so its
// 410 can be cached; and a cached tombstone stops a lookup that read the
// link just before the deletion from writing it back.
func (l ShortLink) CacheFor(now time.Time, max time.Duration) time.Duration {
	if l.state == StateDeleted {
		return max
	}
	return min(max, l.TimeToLive(now))
}

// Cacheable reports whether a cache may still answer with the link at now.
func (l ShortLink) Cacheable(now time.Time) bool { return l.state == StateDeleted || !l.ExpiredAt(now) }

// Status is the link's status at now.
func (l ShortLink) Status(now time.Time) Status {
	switch {
	case l.state == StateDeleted:
		return StatusDeleted
	case l.ExpiredAt(now):
		return StatusExpired
	case l.state == StateDisabled:
		return StatusDisabled
	default:
		return StatusActive
	}
}

// Resolve is what a public lookup of the link answers at now: nil when it
// redirects, ErrGone when it was disabled or deleted, ErrNotFound when it
// expired (exactly like an unknown code).
func (l ShortLink) Resolve(now time.Time) error {
	switch l.Status(now) {
	case StatusActive:
		return nil
	case StatusExpired:
		return ErrNotFound
	default:
		return ErrGone
	}
}

// SetDisabled disables or enables the link on behalf of by. A link an
// administrator disabled can be enabled only by an administrator; a deleted
// link cannot change.
func (l ShortLink) SetDisabled(disabled bool, by Actor) (ShortLink, error) {
	switch {
	case l.state == StateDeleted:
		return ShortLink{}, ErrGone
	case disabled && l.state == StateDisabled:
		// Already disabled: an administrator's disable still takes it over.
		l.disabledByAdmin = l.disabledByAdmin || by == ActorAdmin
	case disabled:
		l.state, l.disabledByAdmin = StateDisabled, by == ActorAdmin
	case l.state == StateDisabled && l.disabledByAdmin && by != ActorAdmin:
		return ShortLink{}, ErrAdminOnly
	default:
		l.state, l.disabledByAdmin = StateActive, false
	}
	l.version++
	return l, nil
}

// ExtendTo moves the link's expiry to expiresAt, earlier or later, or
// makes it permanent (PermanentExpiry) or gives a permanent link an end:
// after now and no later than its creation plus maxLifetime (Forever: no
// bound). An expired link cannot be revived, a deleted one cannot change.
func (l ShortLink) ExtendTo(expiresAt, now time.Time, maxLifetime time.Duration) (ShortLink, error) {
	expiresAt = normalizeInstant(expiresAt)
	switch {
	case l.state == StateDeleted:
		return ShortLink{}, ErrGone
	case l.ExpiredAt(now):
		return ShortLink{}, ErrLinkExpired
	}
	since := fmt.Sprintf("after the link was created (%s)", l.createdAt.Format(time.RFC3339))
	if err := (ExpiryPolicy{Max: maxLifetime}).check(expiresAt, now, l.createdAt, since); err != nil {
		return ShortLink{}, err
	}
	if IsPermanent(expiresAt) {
		expiresAt = PermanentExpiry
	}
	l.expiresAt = expiresAt
	l.version++
	return l, nil
}

// Delete erases the link's target and ends its life at now (or its expiry,
// if earlier): it stops resolving for good, while its code stays claimed
// and its statistics readable. A process that knows nothing of states sees
// it as expired.
func (l ShortLink) Delete(now time.Time) (ShortLink, error) {
	if l.state == StateDeleted {
		return ShortLink{}, ErrGone
	}
	end := normalizeInstant(now)
	if !end.After(l.createdAt) {
		end = l.createdAt.Add(time.Microsecond) // a link must expire after it is created
	}
	l.expiresAt = minTime(l.expiresAt, end)
	l.state, l.url = StateDeleted, ""
	l.passwordHash, l.protected = "", false
	l.rules = nil
	l.version++
	return l, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
