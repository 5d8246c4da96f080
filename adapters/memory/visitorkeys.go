package memory

import (
	"bytes"
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// VisitorKeys implements ports.VisitorKeys for one process (embedded
// mode): each day's key is random, made on first use and held in memory
// only, and the keys of other days are forgotten when a day's key is
// asked for. A restart starts a new key, so a visitor of the day before
// and after a restart counts twice.
type VisitorKeys struct {
	mu   sync.Mutex
	keys map[int64][]byte // Unix day → key
}

var _ ports.VisitorKeys = (*VisitorKeys)(nil)

// NewVisitorKeys returns keys with none made yet.
func NewVisitorKeys() *VisitorKeys { return &VisitorKeys{keys: map[int64][]byte{}} }

// DayKey implements ports.VisitorKeys.
func (k *VisitorKeys) DayKey(_ context.Context, day time.Time) ([]byte, error) {
	d := domain.DayOf(day).Unix() / 86400
	k.mu.Lock()
	defer k.mu.Unlock()
	for other, key := range k.keys {
		if other != d {
			clear(key)
			delete(k.keys, other)
		}
	}
	key := k.keys[d]
	if key == nil {
		key = make([]byte, domain.VisitorKeySize)
		_, _ = rand.Read(key) // never fails (Go ≥ 1.24)
		k.keys[d] = key
	}
	return bytes.Clone(key), nil // the caller's copy; this one is wiped when its day is over
}

// Days is how many days' keys are held, for tests.
func (k *VisitorKeys) Days() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}
