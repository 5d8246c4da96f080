// Package bolt is the embedded durable store: links and the code counter in
// one bbolt file, for running shortlink with no database server. It keeps
// the Postgres store's rules: one live link per code, expired codes
// reusable, a counter that never hands out a value twice.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/shortlink/shortlink/domain"
)

const (
	// LockTimeout is how long Open waits for the file lock another process holds.
	LockTimeout = time.Second
	// FileName is the database file OpenDir opens in a data directory.
	FileName = "shortlink.db"
)

var (
	linksBucket   = []byte("links")   // code → encoded link (the newest link stored under the code)
	counterBucket = []byte("counter") // its bucket sequence is the next counter value
)

// Store implements ports.LinkStore and ports.CodeCounter on a bbolt file.
// Every write is one bbolt transaction, committed (fsynced) before it returns.
type LinkStore struct {
	db         *bbolt.DB
	path       string
	sweepChunk int
}

// Open opens or creates the database file at path, whose directory must
// exist. One process at a time may hold it: a second Open, here or in
// another process, fails after LockTimeout.
func Open(path string) (*LinkStore, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: LockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("data directory %s is in use by another shortlink process (no lock on %s within %s)",
			filepath.Dir(path), filepath.Base(path), LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{linksBucket, counterBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("prepare embedded store %s: %w", path, err)
	}
	return &LinkStore{db: db, path: path, sweepChunk: defaultSweepChunk}, nil
}

// OpenDir creates the data directory dir when it is missing and opens the
// FileName database in it, by absolute path so logs say where data lives.
func OpenDir(dir string) (*LinkStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return Open(filepath.Join(abs, FileName))
}

// Path is the database file.
func (s *LinkStore) Path() string { return s.path }

// Close releases the file and its lock. Closing twice is harmless.
func (s *LinkStore) Close() error { return s.db.Close() }

// Ping reports whether the store is open.
func (s *LinkStore) Ping(context.Context) error {
	return translate("ping", s.db.View(func(*bbolt.Tx) error { return nil }))
}

// Insert implements ports.LinkStore. The check for a live link and the write
// share one read-write transaction, and bbolt runs one at a time, so of
// concurrent inserts of a code exactly one wins. A link that expired by the
// new link's creation is replaced.
func (s *LinkStore) Insert(_ context.Context, link domain.ShortLink) error {
	value := encodeLink(link)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(linksBucket)
		key := []byte(link.Code())
		if raw := b.Get(key); raw != nil {
			old, err := decodeLink(link.Code(), raw)
			if err != nil {
				return err
			}
			if !old.ExpiredAt(link.CreatedAt()) {
				return domain.ErrCodeTaken
			}
		}
		return b.Put(key, value)
	})
	if errors.Is(err, domain.ErrCodeTaken) {
		return domain.ErrCodeTaken
	}
	return translate("insert link", err)
}

// FindLive implements ports.LinkStore.
func (s *LinkStore) FindLive(_ context.Context, code domain.Code, now time.Time) (domain.ShortLink, error) {
	var (
		link  domain.ShortLink
		found bool
	)
	err := s.db.View(func(tx *bbolt.Tx) error {
		raw := tx.Bucket(linksBucket).Get([]byte(code))
		if raw == nil {
			return nil
		}
		var err error
		link, err = decodeLink(code, raw) // copies out of the mmap, which the tx owns
		found = err == nil && !link.ExpiredAt(now)
		return err
	})
	if err != nil {
		return domain.ShortLink{}, translate("find link", err)
	}
	if !found {
		return domain.ShortLink{}, domain.ErrNotFound
	}
	return link, nil
}

// Reserve implements ports.CodeCounter: it advances the counter bucket's
// sequence by n in one transaction, so blocks never overlap, across restarts too.
func (s *LinkStore) Reserve(_ context.Context, n int) (uint64, error) {
	if n < 1 {
		return 0, fmt.Errorf("reserve counter block: size %d, want at least 1", n)
	}
	var first uint64
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(counterBucket)
		first = b.Sequence()
		return b.SetSequence(first + uint64(n))
	})
	if err != nil {
		return 0, translate("reserve counter block", err)
	}
	return first, nil
}

// translate wraps a bbolt error for op. A closed database or a failing disk
// is the embedded equivalent of an unreachable Postgres: domain.ErrUnavailable.
// A record that does not decode stays opaque.
func translate(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errCorruptRecord):
		return fmt.Errorf("%s: %w", op, err)
	default:
		return fmt.Errorf("%s: %w: %w", op, domain.ErrUnavailable, err)
	}
}
