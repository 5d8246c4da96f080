package domain

import (
	"crypto/subtle"
	"strings"
)

// KeySet is a set of secret keys an operator configures (API_KEYS,
// ADMIN_KEYS), kept as digests. Keys are trimmed of surrounding spaces,
// as presented keys are, and empty ones dropped.
type KeySet struct{ digests []TokenDigest }

// NewKeySet returns the set of keys.
func NewKeySet(keys []string) KeySet {
	s := KeySet{digests: make([]TokenDigest, 0, len(keys))}
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			s.digests = append(s.digests, DigestToken(k))
		}
	}
	return s
}

// Empty reports whether the set holds no key.
func (s KeySet) Empty() bool { return len(s.digests) == 0 }

// Contains reports whether presented is the digest of a key of the set. It
// compares against every key in constant time, so the time it takes tells
// neither how close a guess came nor which key matched.
func (s KeySet) Contains(presented TokenDigest) bool {
	match := 0
	for _, key := range s.digests {
		match |= subtle.ConstantTimeCompare(presented[:], key[:])
	}
	return match == 1
}
