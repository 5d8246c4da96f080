// Package passwords hashes and checks the passwords of protected links
// with argon2id (golang.org/x/crypto/argon2), at most one hash per core at
// a time.
package passwords

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"go.uber.org/fx"
	"golang.org/x/crypto/argon2"

	"github.com/shortlink/shortlink/ports"
)

// The parameters of new hashes: OWASP's first argon2id choice (m = 19 MiB,
// t = 2, p = 1), a 16-byte salt and a 32-byte key. A hash records its own
// parameters, so they can change without invalidating stored ones.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	threads   = 1
	saltLen   = 16
	keyLen    = 32
)

// Hasher implements ports.PasswordHasher. Each hash takes 19 MiB and tens
// of milliseconds of one core; a semaphore of one slot per core (GOMAXPROCS)
// bounds both, so a flood of unlock attempts queues here, within
// GOMEMLIMIT, instead of starving the redirects of other links.
type Hasher struct {
	slots chan struct{}
}

// New returns a Hasher with one slot per core the process may use.
func New() *Hasher { return &Hasher{slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))} }

// Module provides the Hasher as the ports.PasswordHasher.
var Module = fx.Module("passwords", fx.Provide(func() ports.PasswordHasher { return New() }))

var errMalformed = errors.New("malformed password hash")

// Hash implements ports.PasswordHasher: the PHC string of password's
// argon2id hash with a fresh salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := h.derive(ctx, password, salt, params{memoryKiB, passes, threads}, keyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify implements ports.PasswordHasher, in constant time in the key.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, salt, want, err := parse(encoded)
	if err != nil {
		return false, err
	}
	got, err := h.derive(ctx, password, salt, p, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

type params struct {
	memory  uint32
	time    uint32
	threads uint8
}

// derive runs argon2id in a slot, waiting for one no longer than ctx.
func (h *Hasher) derive(ctx context.Context, password string, salt []byte, p params, n uint32) ([]byte, error) {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a password hash slot: %w", ctx.Err())
	}
	defer func() { <-h.slots }()
	return argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, n), nil
}

// parse reads "$argon2id$v=19$m=…,t=…,p=…$salt$key", refusing parameters
// beyond what this service writes (a forged hash must not cost more).
func parse(encoded string) (params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return params{}, nil, nil, errMalformed
	}
	var p params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return params{}, nil, nil, errMalformed
	}
	if p.memory < 8 || p.memory > 64*1024 || p.time < 1 || p.time > 10 || p.threads < 1 || p.threads > 4 {
		return params{}, nil, nil, errMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return params{}, nil, nil, errMalformed
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return params{}, nil, nil, errMalformed
	}
	return p, salt, key, nil
}
