package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// SecretRecord is what a data set keeps of the secret its generated codes
// are minted with: the secret itself when the service generated it (empty
// when the operator sets CODE_SECRET), and always its fingerprint.
type SecretRecord struct {
	Secret      string
	Fingerprint string
}

// SecretFingerprint identifies a code secret without revealing it.
func SecretFingerprint(secret string) string {
	sum := sha256.Sum256([]byte("shortlink code secret fingerprint\x00" + secret))
	return hex.EncodeToString(sum[:8])
}

// NewGeneratedSecret returns a random code secret (256 bits from crypto/rand)
// as the record a data set keeps of it.
func NewGeneratedSecret() SecretRecord {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	secret := hex.EncodeToString(b)
	return SecretRecord{Secret: secret, Fingerprint: SecretFingerprint(secret)}
}

// ErrSecretMismatch means a process was given a CODE_SECRET other than the
// one the data set was minted with.
var ErrSecretMismatch = errors.New("CODE_SECRET does not match this data set")

// ChooseCodeSecret decides which secret a process mints codes with, from
// the explicit CODE_SECRET (empty when unset), whether rotation was asked
// for, and the record the data set holds (after LoadOrCreate). It returns
// the secret, and the record to store when it must change (rotation).
//
// Without an explicit secret the data set's generated one is used; a data
// set minted with an explicit secret then refuses, since its codes would be
// minted with another key. With one, its fingerprint must match the data
// set's, unless rotating: old and new codes could otherwise collide without
// anyone having decided so (claims would still keep them apart).
func ChooseCodeSecret(explicit string, rotate bool, held SecretRecord) (secret string, replace *SecretRecord, err error) {
	if explicit == "" {
		switch {
		case held.Secret != "":
			return held.Secret, nil, nil
		case rotate: // from an explicit secret to a generated one
			generated := NewGeneratedSecret()
			return generated.Secret, &generated, nil
		}
		return "", nil, fmt.Errorf("%w: its codes are minted with an explicit CODE_SECRET (fingerprint %s); set it again, "+
			"or set CODE_SECRET_ROTATE=true once to switch to a generated one", ErrSecretMismatch, held.Fingerprint)
	}
	fingerprint := SecretFingerprint(explicit)
	if held.Fingerprint == fingerprint {
		return explicit, nil, nil
	}
	if !rotate {
		return "", nil, fmt.Errorf("%w: the data set was minted with the secret of fingerprint %s, CODE_SECRET has fingerprint %s; "+
			"to rotate on purpose start once with CODE_SECRET_ROTATE=true (codes already given out stay valid, new ones are minted with the new secret)",
			ErrSecretMismatch, held.Fingerprint, fingerprint)
	}
	return explicit, &SecretRecord{Fingerprint: fingerprint}, nil
}
