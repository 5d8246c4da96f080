package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"time"
)

// Actor is who asks for a change to a link.
type Actor uint8

const (
	// ActorNone presented no credentials.
	ActorNone Actor = iota
	// ActorOwner presented the link's manage token.
	ActorOwner
	// ActorAdmin presented an administrator key.
	ActorAdmin
)

// manageTokenBytes is the entropy of a manage token: 192 bits.
const manageTokenBytes = 24

// TokenDigest is the SHA-256 of a manage token: all a store keeps of it.
// For a random token of this size a plain hash is enough; nobody can
// search 2^192 tokens for one that matches.
type TokenDigest [sha256.Size]byte

// NewManageToken returns a random manage token (URL-safe base64 of 192 bits
// from crypto/rand) and its digest.
func NewManageToken() (string, TokenDigest) {
	b := make([]byte, manageTokenBytes)
	for {
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
		token := base64.RawURLEncoding.EncodeToString(b)
		if !LooksLikeKey(token) { // a token in a key's form would be refused as a mistyped key
			return token, DigestToken(token)
		}
	}
}

// DigestToken is the digest a token is stored and compared as.
func DigestToken(token string) TokenDigest { return sha256.Sum256([]byte(token)) }

// IsZero reports whether d is the digest of no token (links made before
// owner tokens existed).
func (d TokenDigest) IsZero() bool { return d == TokenDigest{} }

// Matches compares in constant time.
func (d TokenDigest) Matches(other TokenDigest) bool {
	return !d.IsZero() && subtle.ConstantTimeCompare(d[:], other[:]) == 1
}

// CodeQuarantine is how long a code stays claimed after its link stopped
// resolving, so an old short URL — on a flyer, in a chat — can never be
// re-pointed at another target early. Zero means forever.
type CodeQuarantine time.Duration

// forever is far enough in the future for every store's timestamps.
var forever = PermanentExpiry

// FreeAfter is when link's code may be claimed by another link. A disabled
// link can be enabled again until it expires, and a deleted one stopped at
// its (shortened) expiry, so the link's expiry is when it stops for good.
func (q CodeQuarantine) FreeAfter(link ShortLink) time.Time {
	if q <= 0 || link.Permanent() {
		return forever
	}
	return link.ExpiresAt().Add(time.Duration(q))
}
