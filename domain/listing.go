package domain

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"
	"time"
)

// MaxPage is the most links (or audit entries) one page lists.
const MaxPage = 100

// minSubstring is the shortest q that also searches URLs and titles.
const minSubstring = 3

// WorkspaceScope says whose links a listing covers.
type WorkspaceScope struct {
	// All covers every link, anonymous ones included (admins only).
	All bool
	// Workspace, when All is false, is the one workspace; "" is the
	// anonymous links.
	Workspace WorkspaceID
}

// Cursor is where a page ends: the newest-first position of its last item.
// Its encoding is opaque to clients.
type Cursor struct {
	CreatedAt time.Time
	ID        int64
}

// IsZero reports whether the cursor is the start of the listing.
func (c Cursor) IsZero() bool { return c.ID == 0 && c.CreatedAt.IsZero() }

// String is the opaque form clients send back.
func (c Cursor) String() string {
	b := binary.BigEndian.AppendUint64(nil, uint64(c.CreatedAt.UnixMicro()))
	b = binary.BigEndian.AppendUint64(b, uint64(c.ID))
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a cursor a client sent back.
func ParseCursor(raw string) (Cursor, error) {
	if raw == "" {
		return Cursor{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) != 16 {
		return Cursor{}, invalid("cursor", ReasonInvalidCursor, "cursor must be a next_cursor the service returned")
	}
	return Cursor{
		CreatedAt: time.UnixMicro(int64(binary.BigEndian.Uint64(b[:8]))).UTC(),
		ID:        int64(binary.BigEndian.Uint64(b[8:])),
	}, nil
}

// Before reports whether a link at (createdAt, id) comes after the cursor
// in newest-first order.
func (c Cursor) Before(createdAt time.Time, id int64) bool {
	if c.IsZero() {
		return true
	}
	ca := createdAt.UnixMicro()
	cc := c.CreatedAt.UnixMicro()
	return ca < cc || ca == cc && id < c.ID
}

// LinkQuery is one page of a listing: whose links, which ones, from where.
type LinkQuery struct {
	Scope WorkspaceScope
	// Q is a code prefix or, from 3 characters, also a case-insensitive
	// substring of the URL or title.
	Q string
	// Tags must all be on the link.
	Tags []string
	// Status, when set, is the status the link has at Now.
	Status                      Status
	CreatedAfter, CreatedBefore time.Time // zero: unbounded
	After                       Cursor
	Limit                       int
	Now                         time.Time
	// OnDomain narrows the listing to the links on Domain (a registered
	// domain, or "" for the default one).
	OnDomain bool
	Domain   DomainHost
}

// Substring reports whether Q also searches URLs and titles.
func (q LinkQuery) Substring() bool { return len([]rune(q.Q)) >= minSubstring }

// Matches reports whether link is in the listing q describes (ignoring the
// cursor and limit): what stores that scan apply to every link.
func (q LinkQuery) Matches(link ShortLink) bool {
	o := link.Ownership()
	switch {
	case !q.Scope.All && o.Workspace != q.Scope.Workspace:
		return false
	case q.Status != "" && link.Status(q.Now) != q.Status:
		return false
	case !q.CreatedAfter.IsZero() && !link.CreatedAt().After(q.CreatedAfter):
		return false
	case !q.CreatedBefore.IsZero() && !link.CreatedAt().Before(q.CreatedBefore):
		return false
	case q.OnDomain && link.Domain() != q.Domain:
		return false
	}
	for _, tag := range q.Tags {
		if !containsString(link.Labels().Tags, tag) {
			return false
		}
	}
	if q.Q == "" || strings.HasPrefix(string(link.ShortCode()), q.Q) {
		return true
	}
	if !q.Substring() {
		return false
	}
	needle := strings.ToLower(q.Q)
	return strings.Contains(strings.ToLower(link.URL()), needle) || strings.Contains(strings.ToLower(link.Labels().Title), needle)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ParseStatus checks a state filter.
func ParseStatus(raw string) (Status, error) {
	switch s := Status(raw); s {
	case StatusActive, StatusDisabled, StatusExpired, StatusDeleted:
		return s, nil
	}
	return "", invalid("state", ReasonInvalidFilter, "state must be one of active, disabled, expired, deleted")
}

// TagCount is a tag and how many links of a workspace carry it.
type TagCount struct {
	Tag   string
	Links int64
}

// ListPage is the page of q among links, for stores that scan.
func ListPage(links []ShortLink, q LinkQuery) []ShortLink {
	var page []ShortLink
	for _, l := range links {
		if q.After.Before(l.CreatedAt(), int64(l.ID())) && q.Matches(l) {
			page = append(page, l)
		}
	}
	slices.SortFunc(page, func(a, b ShortLink) int {
		return cmp.Or(b.CreatedAt().Compare(a.CreatedAt()), cmp.Compare(b.ID(), a.ID()))
	})
	if len(page) > q.Limit {
		page = page[:q.Limit]
	}
	return page
}

// CountTags counts the tags of ws's links, for stores that scan.
func CountTags(links []ShortLink, ws WorkspaceID) []TagCount {
	counts := map[string]int64{}
	for _, l := range links {
		if l.Ownership().Workspace != ws || l.State() == StateDeleted {
			continue
		}
		for _, t := range l.Labels().Tags {
			counts[t]++
		}
	}
	out := make([]TagCount, 0, len(counts))
	for t, n := range counts {
		out = append(out, TagCount{Tag: t, Links: n})
	}
	slices.SortFunc(out, func(a, b TagCount) int { return cmp.Compare(a.Tag, b.Tag) })
	return out
}

// AuditPage is the page of q among entries (oldest first), for stores that scan.
func AuditPage(entries []AuditEntry, q AuditQuery) []AuditEntry {
	var page []AuditEntry
	for i := len(entries) - 1; i >= 0 && len(page) < q.Limit; i-- {
		e := entries[i]
		if (q.Before == 0 || e.ID < q.Before) && (q.Scope.All || e.Workspace == q.Scope.Workspace) {
			page = append(page, e)
		}
	}
	return page
}
