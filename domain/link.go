package domain

import (
	"errors"
	"time"
)

// ShortLink maps a code to a target URL until it expires. Its fields are
// set once by NewShortLink (new links) or RestoreShortLink (stored links).
type ShortLink struct {
	code      Code
	url       string
	createdAt time.Time
	expiresAt time.Time
}

// NewShortLink assembles a link from parts that have already passed their
// own parsing (ParseCode/ParseAlias, URLPolicy.Parse, ExpiryPolicy.ExpiresAt)
// and checks what only makes sense for the whole: a link must expire after
// it is created.
func NewShortLink(code Code, url string, createdAt, expiresAt time.Time) (ShortLink, error) {
	if code == "" || url == "" {
		return ShortLink{}, errors.New("short link needs a code and a url")
	}
	if !expiresAt.After(createdAt) {
		return ShortLink{}, invalid("expires_at", "must be in the future")
	}
	return RestoreShortLink(code, url, createdAt, expiresAt), nil
}

// RestoreShortLink rebuilds a link read back from a store or cache, which
// only ever hold links that NewShortLink accepted.
func RestoreShortLink(code Code, url string, createdAt, expiresAt time.Time) ShortLink {
	return ShortLink{code: code, url: url, createdAt: createdAt.UTC(), expiresAt: expiresAt.UTC()}
}

func (l ShortLink) Code() Code           { return l.code }
func (l ShortLink) URL() string          { return l.url }
func (l ShortLink) CreatedAt() time.Time { return l.createdAt }
func (l ShortLink) ExpiresAt() time.Time { return l.expiresAt }

// ExpiredAt reports whether the link no longer resolves at now. A link is
// live strictly before its expiry instant.
func (l ShortLink) ExpiredAt(now time.Time) bool { return !now.Before(l.expiresAt) }

// TimeToLive is how long the link stays resolvable after now (≤ 0 once expired).
func (l ShortLink) TimeToLive(now time.Time) time.Duration { return l.expiresAt.Sub(now) }
