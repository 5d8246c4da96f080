package porttest

import (
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shortlink/shortlink/domain"
)

// LinkBuilder builds the sample links of tests: Link, then whatever the
// test is about, then Build. Every suite builds its links here, so a
// change to ShortLink is made in one place.
type LinkBuilder struct {
	r        domain.LinkRecord
	lifetime time.Duration
}

// Link starts a sample link of code: target https://example.com/<code>,
// created now, live for an hour, version 1, active, with no id (a store
// gives it one) and no owner.
func Link(code domain.Code) LinkBuilder {
	return LinkBuilder{
		r:        domain.LinkRecord{Code: code, URL: "https://example.com/" + string(code), Version: 1},
		lifetime: time.Hour,
	}.Created(time.Now())
}

// ID is the id a store gave the link.
func (b LinkBuilder) ID(id domain.LinkID) LinkBuilder { b.r.ID = id; return b }

// URL is the link's target.
func (b LinkBuilder) URL(url string) LinkBuilder { b.r.URL = url; return b }

// Created is when the link was created, in UTC to the microsecond, as
// every store keeps time. It expires its lifetime later unless Expires
// says otherwise.
func (b LinkBuilder) Created(t time.Time) LinkBuilder {
	b.r.CreatedAt = t.UTC().Truncate(time.Microsecond)
	return b
}

// Lifetime is how long after its creation the link expires.
func (b LinkBuilder) Lifetime(d time.Duration) LinkBuilder {
	b.lifetime, b.r.ExpiresAt = d, time.Time{}
	return b
}

// Expires is when the link expires.
func (b LinkBuilder) Expires(t time.Time) LinkBuilder { b.r.ExpiresAt = t; return b }

// State is what the owner or an administrator made of the link.
func (b LinkBuilder) State(s domain.LinkState) LinkBuilder { b.r.State = s; return b }

// Version is how many changes the link has had, from 1.
func (b LinkBuilder) Version(v int64) LinkBuilder { b.r.Version = v; return b }

// OwnedBy gives the link the owner whose manage token is token.
func (b LinkBuilder) OwnedBy(token string) LinkBuilder {
	b.r.Owner = domain.DigestToken(token)
	return b
}

// Build returns the link.
func (b LinkBuilder) Build() domain.ShortLink {
	r := b.r
	if r.ExpiresAt.IsZero() {
		r.ExpiresAt = r.CreatedAt.Add(b.lifetime)
	}
	return domain.RestoreShortLink(r)
}

// CompareLinks lets go-cmp compare domain.ShortLinks, whose fields are
// unexported, by their records (instants by time.Time.Equal):
// cmp.Diff(want, got, porttest.CompareLinks).
var CompareLinks = cmp.Transformer("Record", domain.ShortLink.Record)
