package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/shortlink/shortlink/domain"
)

// TestFirstReleaseLinksKeepTheirCodesForTheQuarantineGiven: Open moves a
// first-release link under an id, and its code stays claimed until the
// quarantine Open was given has passed after its expiry.
func TestFirstReleaseLinksKeepTheirCodesForTheQuarantineGiven(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	expires := created.Add(time.Hour)
	writeV1Link(t, path, "old", "https://example.com/v1", created, expires)

	const q = domain.CodeQuarantine(2 * time.Hour)
	s, err := Open(path, q)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	got, err := s.Find(ctx, "old", expires)
	if err != nil || got.ID() == 0 || got.URL() != "https://example.com/v1" || !got.ExpiresAt().Equal(expires) {
		t.Fatalf("Find(old) = %+v, %v; want the migrated link with an id", got, err)
	}
	claim := func(at time.Time) error {
		link, err := domain.NewShortLink("old", "https://example.com/new", at, at.Add(time.Hour), domain.TokenDigest{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Insert(ctx, link, at.Add(time.Hour))
		return err
	}
	freeAfter := expires.Add(time.Duration(q))
	if err := claim(freeAfter.Add(-time.Second)); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("claim a second before the quarantine ends: %v, want ErrCodeTaken", err)
	}
	if err := claim(freeAfter.Add(time.Second)); err != nil {
		t.Fatalf("claim a second after the quarantine: %v", err)
	}
}

// writeV1Link writes a bbolt file as the first release left it, with one link.
func writeV1Link(t *testing.T, path string, code domain.Code, url string, created, expires time.Time) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw := make([]byte, v1HeaderLen, v1HeaderLen+len(url))
	raw[0] = recordV1
	binary.BigEndian.PutUint64(raw[1:9], uint64(created.UnixMicro()))
	binary.BigEndian.PutUint64(raw[9:17], uint64(expires.UnixMicro()))
	raw = append(raw, url...)
	err = db.Update(func(tx *bbolt.Tx) error {
		links, err := tx.CreateBucket(v1LinksBucket)
		if err != nil {
			return err
		}
		return links.Put([]byte(code), raw)
	})
	if err != nil {
		t.Fatal(err)
	}
}
