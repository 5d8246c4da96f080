// Package bolt is the embedded durable store: links, the claims on their
// codes, the code counter and the code secret in one bbolt file, for
// running shortlink with no database server. It keeps the Postgres store's
// rules: a code is held by one link at a time and stays claimed through
// its quarantine, a counter never hands out a value twice.
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
	"github.com/shortlink/shortlink/ports"
)

const (
	// LockTimeout is how long Open waits for the file lock another process holds.
	LockTimeout = time.Second
	// FileName is the database file OpenDir opens in a data directory.
	FileName = "shortlink.db"
)

var (
	linksBucket   = []byte("links_by_id") // id → encoded link; its sequence numbers the ids
	claimsBucket  = []byte("claims")      // code → the claim on it
	counterBucket = []byte("counter")     // its sequence is the next counter value
	metaBucket    = []byte("meta")        // the code secret
	v1LinksBucket = []byte("links")       // the first release's code → link, migrated by Open

	secretKey            = []byte("code_secret")
	secretFingerprintKey = []byte("code_secret_fingerprint")
)

// Store implements the store ports on a bbolt file. Every write is one
// bbolt transaction, committed (fsynced) before it returns, and bbolt runs
// one writer at a time, so checks and writes in one transaction are atomic.
type Store struct {
	db         *bbolt.DB
	path       string
	sweepChunk int
}

var (
	_ ports.LinkStore       = (*Store)(nil)
	_ ports.CodeCounter     = (*Store)(nil)
	_ ports.CodeSecretStore = (*Store)(nil)
)

// Open opens or creates the database file at path, whose directory must
// exist, migrating a first-release file: its links keep their codes for
// quarantine (CODE_QUARANTINE) after they expire. One process at a time may
// hold the file: a second Open, here or in another process, fails after
// LockTimeout.
func Open(path string, quarantine domain.CodeQuarantine) (*Store, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: LockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("data directory %s is in use by another shortlink process (no lock on %s within %s)",
			filepath.Dir(path), filepath.Base(path), LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{linksBucket, claimsBucket, counterBucket, metaBucket, visitsBucket, visitBatchesBucket, visitUniquesBucket, workspacesBucket, keysBucket, auditBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return migrateV1(tx, quarantine)
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("prepare embedded store %s: %w", path, err)
	}
	return &Store{db: db, path: path, sweepChunk: defaultSweepChunk}, nil
}

// migrateV1 gives each first-release link an id and a claim on its code
// for quarantine after its expiry.
func migrateV1(tx *bbolt.Tx, quarantine domain.CodeQuarantine) error {
	old := tx.Bucket(v1LinksBucket)
	if old == nil {
		return nil
	}
	links, claims := tx.Bucket(linksBucket), tx.Bucket(claimsBucket)
	err := old.ForEach(func(k, v []byte) error {
		link, err := decodeV1Link(domain.Code(k), v)
		if err != nil {
			return err
		}
		id, err := links.NextSequence()
		if err != nil {
			return err
		}
		link = link.WithID(domain.LinkID(id))
		if err := links.Put(idKey(link.ID()), encodeLink(link)); err != nil {
			return err
		}
		return claims.Put(k, encodeClaim(claim{link: link.ID(), freeAfter: quarantine.FreeAfter(link)}))
	})
	if err != nil {
		return err
	}
	return tx.DeleteBucket(v1LinksBucket)
}

// OpenDir creates the data directory dir when it is missing and Opens the
// FileName database in it, by absolute path so logs say where data lives.
func OpenDir(dir string, quarantine domain.CodeQuarantine) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return Open(filepath.Join(abs, FileName), quarantine)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock. Closing twice is harmless.
func (s *Store) Close() error { return s.db.Close() }

// ReadinessCheck is Ping under the name /v1/ready reports.
func (s *Store) ReadinessCheck() ports.DependencyCheck {
	return ports.DependencyCheck{Name: "embedded-store", Ping: s.Ping}
}

// Ping reports whether the store is open.
func (s *Store) Ping(context.Context) error {
	return translate("ping", s.db.View(func(*bbolt.Tx) error { return nil }))
}

// Insert implements ports.LinkStore: the claim check and both writes share
// one read-write transaction, so of concurrent inserts of a code one wins.
func (s *Store) Insert(_ context.Context, link domain.ShortLink, codeFreeAfter time.Time) (domain.ShortLink, error) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		link, err = insertTx(tx, link, codeFreeAfter)
		return err
	})
	if errors.Is(err, domain.ErrCodeTaken) {
		return domain.ShortLink{}, domain.ErrCodeTaken
	}
	if err != nil {
		return domain.ShortLink{}, translate("insert link", err)
	}
	return link, nil
}

// insertTx claims link's code and stores it in tx, or answers
// domain.ErrCodeTaken having written nothing.
func insertTx(tx *bbolt.Tx, link domain.ShortLink, codeFreeAfter time.Time) (domain.ShortLink, error) {
	claims, links := tx.Bucket(claimsBucket), tx.Bucket(linksBucket)
	key := []byte(link.Code())
	if raw := claims.Get(key); raw != nil {
		c, err := decodeClaim(raw)
		if err != nil {
			return domain.ShortLink{}, err
		}
		if !c.freeAfter.Before(link.CreatedAt()) {
			return domain.ShortLink{}, domain.ErrCodeTaken
		}
	}
	id, err := links.NextSequence()
	if err != nil {
		return domain.ShortLink{}, err
	}
	link = link.WithID(domain.LinkID(id))
	if err := links.Put(idKey(link.ID()), encodeLink(link)); err != nil {
		return domain.ShortLink{}, err
	}
	return link, claims.Put(key, encodeClaim(claim{link: link.ID(), freeAfter: codeFreeAfter}))
}

// Find implements ports.LinkStore.
func (s *Store) Find(_ context.Context, code domain.Code, _ time.Time) (domain.ShortLink, error) {
	var link domain.ShortLink
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		link, err = holder(tx, code)
		return err
	})
	if errors.Is(err, domain.ErrNotFound) {
		return domain.ShortLink{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.ShortLink{}, translate("find link", err)
	}
	return link, nil
}

// Update implements ports.LinkStore in one read-write transaction.
func (s *Store) Update(ctx context.Context, code domain.Code, now time.Time, change ports.LinkChange) (domain.ShortLink, error) {
	return s.UpdateAudited(ctx, code, now, change, nil)
}

// UpdateAudited implements ports.AuditedLinkStore: the audit entries in
// the change's transaction.
func (s *Store) UpdateAudited(_ context.Context, code domain.Code, _ time.Time, change ports.LinkChange, audit ports.LinkAudit) (domain.ShortLink, error) {
	var (
		next      domain.ShortLink
		changeErr error
	)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		current, err := holder(tx, code)
		if err != nil {
			return err
		}
		var freeAfter time.Time
		if next, freeAfter, changeErr = change(current); changeErr != nil {
			return changeErr
		}
		if err := tx.Bucket(linksBucket).Put(idKey(next.ID()), encodeLink(next)); err != nil {
			return err
		}
		if audit != nil {
			for _, e := range audit(current, next) {
				if err := putAudit(tx, e); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(claimsBucket).Put([]byte(code), encodeClaim(claim{link: next.ID(), freeAfter: freeAfter}))
	})
	switch {
	case changeErr != nil:
		return domain.ShortLink{}, changeErr
	case errors.Is(err, domain.ErrNotFound):
		return domain.ShortLink{}, domain.ErrNotFound
	case err != nil:
		return domain.ShortLink{}, translate("update link", err)
	}
	return next, nil
}

// holder is the link that holds code, or domain.ErrNotFound.
func holder(tx *bbolt.Tx, code domain.Code) (domain.ShortLink, error) {
	raw := tx.Bucket(claimsBucket).Get([]byte(code))
	if raw == nil {
		return domain.ShortLink{}, domain.ErrNotFound
	}
	c, err := decodeClaim(raw)
	if err != nil {
		return domain.ShortLink{}, err
	}
	rawLink := tx.Bucket(linksBucket).Get(idKey(c.link))
	if rawLink == nil { // swept by retention; the claim may still hold the code
		return domain.ShortLink{}, domain.ErrNotFound
	}
	return decodeLink(rawLink) // copies out of the mmap, which the tx owns
}

// Reserve implements ports.CodeCounter: it advances the counter bucket's
// sequence by n in one transaction, so blocks never overlap, across restarts too.
func (s *Store) Reserve(_ context.Context, n int) (uint64, error) {
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

// LoadOrCreate implements ports.CodeSecretStore.
func (s *Store) LoadOrCreate(_ context.Context, candidate domain.SecretRecord) (domain.SecretRecord, error) {
	var held domain.SecretRecord
	err := s.db.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(metaBucket)
		if fp := meta.Get(secretFingerprintKey); fp != nil {
			held = domain.SecretRecord{Secret: string(meta.Get(secretKey)), Fingerprint: string(fp)}
			return nil
		}
		held = candidate
		return putSecret(meta, candidate)
	})
	return held, translate("load code secret", err)
}

// Replace implements ports.CodeSecretStore.
func (s *Store) Replace(_ context.Context, record domain.SecretRecord) error {
	return translate("replace code secret", s.db.Update(func(tx *bbolt.Tx) error {
		return putSecret(tx.Bucket(metaBucket), record)
	}))
}

func putSecret(meta *bbolt.Bucket, record domain.SecretRecord) error {
	if err := meta.Put(secretKey, []byte(record.Secret)); err != nil {
		return err
	}
	return meta.Put(secretFingerprintKey, []byte(record.Fingerprint))
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
