package rediscache

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// visitorKeyPrefix namespaces the day keys of visitor hashes.
const visitorKeyPrefix = "shortlink:visitorkey:"

var _ ports.VisitorKeys = (*Cache)(nil)

// DayKey implements ports.VisitorKeys on the cache Redis: one SET NX GET
// offers a fresh random key for day, which expires at the end of that
// day (UTC, by Redis's clock), and answers with whichever key was there
// first, so every replica hashes the day's visitors under the same key and
// nobody, Redis included, holds it the day after. It is never written to
// Postgres. Redis down: an error, and uniques are not counted meanwhile.
func (c *Cache) DayKey(ctx context.Context, day time.Time) ([]byte, error) {
	start := domain.DayOf(day)
	offer := make([]byte, domain.VisitorKeySize)
	_, _ = rand.Read(offer) // never fails (Go ≥ 1.24)
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	key := c.opts.VisitorKeyPrefix + start.Format(time.DateOnly)
	cmd := c.client.B().Set().Key(key).Value(rueidis.BinaryString(offer)).Nx().Get().
		Exat(start.Add(24 * time.Hour)).Build()
	old, err := c.do(ctx, cmd).ToString()
	switch {
	case rueidis.IsRedisNil(err): // ours was set
		return offer, nil
	case err != nil:
		return nil, fmt.Errorf("visitor key of %s: %w", start.Format(time.DateOnly), err)
	case len(old) != domain.VisitorKeySize:
		return nil, fmt.Errorf("visitor key of %s: %d bytes stored, want %d", start.Format(time.DateOnly), len(old), domain.VisitorKeySize)
	}
	return []byte(old), nil
}
