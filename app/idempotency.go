package app

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// IdempotentAnswer is an answer a retry with the same Idempotency-Key
// repeats: its status and body.
type IdempotentAnswer struct {
	Status int
	Body   []byte
}

// Idempotency answers a retried request (same caller, same
// Idempotency-Key) with the first request's answer instead of running it
// again (SPEC §17). The store keeps, per caller and key, a digest of the
// request and its answer sealed with a key derived from the
// Idempotency-Key: what it keeps (manage tokens among it) is readable only
// with the Idempotency-Key, which the store does not have.
type Idempotency struct {
	store ports.IdempotencyStore
	clock ports.Clock
	// lease is how long a request may run: a claim without an answer older
	// than this was abandoned, and a retry may run the request again.
	lease time.Duration
	log   *slog.Logger
	// forgotAt is when expired records were last dropped (Unix seconds).
	forgotAt atomic.Int64
}

// NewIdempotency returns the use case over store (nil: every request with
// an Idempotency-Key is refused as not enabled); lease bounds a request's
// run.
func NewIdempotency(store ports.IdempotencyStore, clock ports.Clock, lease time.Duration, log *slog.Logger) *Idempotency {
	return &Idempotency{store: store, clock: clock, lease: lease, log: log}
}

// Do answers the request of caller (a name for who sent it: a key id, an
// admin, an anonymous client) with Idempotency-Key key: by run, the first
// time, or with the answer run gave the first time (replayed). request is
// what makes the request this one (route and body): the same key with
// another request is domain.ErrIdempotencyKeyReused, and while the first
// is still running, whatever the request, domain.ErrIdempotencyInProgress.
func (i *Idempotency) Do(ctx context.Context, caller, key string, request []byte,
	run func(context.Context) IdempotentAnswer,
) (answer IdempotentAnswer, replayed bool, err error) {
	if i == nil || i.store == nil {
		return IdempotentAnswer{}, false, domain.ErrFeatureNotEnabled
	}
	now := i.clock.Now().UTC().Truncate(time.Microsecond) // as Postgres keeps it
	i.forgetNow(ctx, now)
	name := i.name(caller, key)
	fingerprint := sha256.Sum256(request)
	record, claimed, err := i.store.ClaimIdempotency(ctx, ports.IdempotencyClaim{
		Key: name, Fingerprint: fingerprint[:], Now: now,
		ExpiredBefore: now.Add(-domain.IdempotencyKeep), StaleBefore: now.Add(-i.lease),
	})
	if err != nil {
		return IdempotentAnswer{}, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	seal := sealKey(caller, key)
	if !claimed {
		switch {
		case record.Answer == nil:
			return IdempotentAnswer{}, false, domain.ErrIdempotencyInProgress
		case !bytes.Equal(record.Fingerprint, fingerprint[:]):
			return IdempotentAnswer{}, false, domain.ErrIdempotencyKeyReused
		}
		answer, err := open(seal, record.Answer)
		if err != nil {
			return IdempotentAnswer{}, false, fmt.Errorf("open idempotent answer: %w", err)
		}
		return answer, true, nil
	}
	answer = run(ctx)
	sealed, err := sealAnswer(seal, answer)
	if err == nil {
		err = i.store.CompleteIdempotency(context.WithoutCancel(ctx), name, record.StartedAt, sealed)
	}
	if err != nil { // the answer still goes out; a retry finds the claim stale after the lease
		i.log.Warn("idempotent answer not stored", "error", err)
	}
	return answer, false, nil
}

// name is the store's key of caller's Idempotency-Key: a digest, so the
// store learns neither.
func (i *Idempotency) name(caller, key string) string {
	sum := sha256.Sum256([]byte("shortlink idempotency key\x00" + caller + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

func sealKey(caller, key string) [32]byte {
	return sha256.Sum256([]byte("shortlink idempotency seal\x00" + caller + "\x00" + key))
}

// forgetNow drops expired records, at most once an hour per process.
func (i *Idempotency) forgetNow(ctx context.Context, now time.Time) {
	last := i.forgotAt.Load()
	if now.Unix()-last < int64(time.Hour/time.Second) || !i.forgotAt.CompareAndSwap(last, now.Unix()) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := i.store.ForgetIdempotency(ctx, now.Add(-domain.IdempotencyKeep)); err != nil {
			i.log.Warn("expired idempotency keys not dropped", "error", err)
		}
	}()
}

func gcmOf(key [32]byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealAnswer is nonce ‖ AES-GCM(status as 2 bytes ‖ body).
func sealAnswer(key [32]byte, a IdempotentAnswer) ([]byte, error) {
	aead, err := gcmOf(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+2+len(a.Body)+aead.Overhead())
	_, _ = rand.Read(nonce)
	plain := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(a.Body)), uint16(a.Status))
	return aead.Seal(nonce, nonce, append(plain, a.Body...), nil), nil
}

func open(key [32]byte, sealed []byte) (IdempotentAnswer, error) {
	aead, err := gcmOf(key)
	if err != nil {
		return IdempotentAnswer{}, err
	}
	if len(sealed) < aead.NonceSize() {
		return IdempotentAnswer{}, errors.New("sealed answer too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
	if err != nil || len(plain) < 2 {
		return IdempotentAnswer{}, errors.New("sealed answer does not open")
	}
	return IdempotentAnswer{Status: int(binary.BigEndian.Uint16(plain)), Body: plain[2:]}, nil
}
