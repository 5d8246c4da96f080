package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// LinkCacheContract runs the cache contract against caches made by
// newCache, whose negative entries must live at least a second. Time is the
// caller's (the ports pass it in), so most cases move a fake clock; the one
// that checks an entry is gone from the cache itself waits on the wall
// clock, since Redis expires keys by its own.
func LinkCacheContract(t *testing.T, newCache func(t *testing.T) ports.LinkCache) {
	t.Helper()
	ctx := context.Background()
	get := func(t *testing.T, c ports.LinkCache, code domain.Code) (domain.ShortLink, ports.CacheResult) {
		t.Helper()
		link, result, err := c.Get(ctx, code, time.Now())
		if err != nil {
			t.Fatalf("Get(%s): %v", code, err)
		}
		return link, result
	}
	newLink := func(code string, ttl time.Duration) domain.ShortLink {
		now := time.Now().UTC().Truncate(time.Microsecond)
		return domain.RestoreShortLink(domain.LinkRecord{
			ID: 7, Code: domain.Code(code), URL: "https://example.com/" + code, CreatedAt: now, ExpiresAt: now.Add(ttl), Version: 1,
		})
	}

	t.Run("set then get", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		want := newLink("abc", time.Hour)
		if err := c.Set(ctx, want, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, result := get(t, c, "abc"); result != ports.CacheHit || got != want {
			t.Fatalf("Get = %+v, %v; want a hit with %+v", got, result, want)
		}
		if _, result := get(t, c, "other"); result != ports.CacheMiss {
			t.Fatalf("Get(other) = %v, want a miss", result)
		}
	})

	t.Run("entry never outlives its link", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		now := time.Now()
		link := newLink("later", time.Hour)
		if err := c.Set(ctx, link, now); err != nil {
			t.Fatal(err)
		}
		if _, result, err := c.Get(ctx, "later", link.ExpiresAt()); err != nil || result != ports.CacheMiss {
			t.Fatalf("Get at the link's expiry = %v, %v; want a miss", result, err)
		}
		// Wall clock: the entry itself must be gone, not just judged expired.
		if err := c.Set(ctx, newLink("soon", 300*time.Millisecond), now); err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond)
		if _, result := get(t, c, "soon"); result != ports.CacheMiss {
			t.Fatalf("Get after the link expired = %v, want a miss", result)
		}
		if err := c.Set(ctx, newLink("gone", time.Millisecond), time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, result := get(t, c, "gone"); result != ports.CacheMiss {
			t.Fatalf("an already expired link was cached: %v", result)
		}
	})

	t.Run("negative entry, not overwriting a link, overwritten by one", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		if err := c.SetMissing(ctx, "missing", time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, result := get(t, c, "missing"); result != ports.CacheNegativeHit {
			t.Fatalf("Get after SetMissing = %v, want a negative hit", result)
		}
		link := newLink("missing", time.Hour)
		if err := c.Set(ctx, link, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, result := get(t, c, "missing"); result != ports.CacheHit || got != link {
			t.Fatalf("Get after Set over a negative entry = %v, want a hit", result)
		}
		if err := c.SetMissing(ctx, "missing", time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, result := get(t, c, "missing"); result != ports.CacheHit {
			t.Fatalf("SetMissing overwrote a cached link: %v", result)
		}
	})

	t.Run("a cached link keeps its id and state but no owner digest", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		r := newLink("state", time.Hour).Record()
		r.State, r.Owner = domain.StateDisabled, domain.DigestToken("token")
		if err := c.Set(ctx, domain.RestoreShortLink(r), time.Now()); err != nil {
			t.Fatal(err)
		}
		got, result := get(t, c, "state")
		if result != ports.CacheHit || got.ID() != r.ID || got.State() != domain.StateDisabled || !got.Owner().IsZero() {
			t.Fatalf("Get = %+v, %v; want a hit with id %d, disabled, no owner digest", got, result, r.ID)
		}
	})

	t.Run("add never replaces an entry, set does", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		current := newLink("race", time.Hour)
		r := current.Record()
		r.State, r.Version = domain.StateDisabled, 2
		changed := domain.RestoreShortLink(r)
		if err := c.Set(ctx, changed, time.Now()); err != nil {
			t.Fatal(err)
		}
		// A lookup that read the link before the change writes back late.
		if err := c.Add(ctx, current, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ := get(t, c, "race"); got.State() != domain.StateDisabled {
			t.Fatalf("Add replaced the changed link: state %d", got.State())
		}
		if err := c.Add(ctx, current, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := c.Add(ctx, newLink("fresh", time.Hour), time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, result := get(t, c, "fresh"); result != ports.CacheHit {
			t.Fatalf("Add into an empty slot = %v, want a hit", result)
		}
	})

	t.Run("set of an expired link and invalidate drop the entry", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		for _, code := range []string{"ended", "dropped"} {
			if err := c.Set(ctx, newLink(code, time.Hour), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		shortened, err := newLink("ended", time.Hour).ExtendTo(time.Now().Add(time.Millisecond), time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, shortened, time.Now().Add(time.Second)); err != nil { // no time left by then
			t.Fatal(err)
		}
		if err := c.Invalidate(ctx, "dropped"); err != nil {
			t.Fatal(err)
		}
		for _, code := range []domain.Code{"ended", "dropped"} {
			if _, result := get(t, c, code); result != ports.CacheMiss {
				t.Fatalf("Get(%s) = %v, want a miss", code, result)
			}
		}
	})

	t.Run("a deleted link stays cached as a tombstone a late lookup cannot replace", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		live := newLink("gone", time.Hour)
		deleted, err := live.Delete(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, deleted, time.Now()); err != nil {
			t.Fatal(err)
		}
		// A lookup that read the live link before the deletion writes back late.
		if err := c.Add(ctx, live, time.Now()); err != nil {
			t.Fatal(err)
		}
		got, result := get(t, c, "gone")
		if result != ports.CacheHit || got.State() != domain.StateDeleted {
			t.Fatalf("Get after the deletion = %+v, %v; want the deleted link", got, result)
		}
	})
}
