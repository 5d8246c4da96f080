//go:build integration

package rediscache_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

// TestAddAllIsAddOfEachLink: the batched write-back caches each link the
// cache holds no entry for, as Add does (SET NX): a link a change Set
// meanwhile and a negative entry stay as they were, a link with no time
// left is not written, and every other link reads back; on one Redis and
// on a cluster, whose keys of one batch live on several primaries.
func TestAddAllIsAddOfEachLink(t *testing.T) {
	t.Parallel()
	for _, redis := range []struct {
		name     string
		newCache func(*testing.T, rediscache.Options) (*rediscache.Cache, rueidis.Client, string)
	}{{"one node", newCache}, {"cluster", newClusterCache}} {
		t.Run(redis.name, func(t *testing.T) {
			t.Parallel()
			c, client, prefix := redis.newCache(t, rediscache.Options{})
			addAllIsAddOfEachLink(t, c, client, prefix)
		})
	}
}

func addAllIsAddOfEachLink(t *testing.T, c *rediscache.Cache, client rueidis.Client, prefix string) {
	t.Helper()
	now := time.Now()
	ctx := context.Background()

	changed := porttest.Link("changed").ID(1).URL("https://example.com/new").Created(now).Version(2).Build()
	mustSet(t, c, changed, now)
	if err := c.SetMissing(ctx, "unknown", now); err != nil {
		t.Fatal(err)
	}
	fresh := []domain.ShortLink{
		porttest.Link("fresh1").ID(2).URL("https://example.com/1").Created(now).Build(),
		porttest.Link("fresh2").ID(3).URL("https://example.com/2").Created(now).Build(),
	}
	batch := append([]domain.ShortLink{
		porttest.Link("changed").ID(1).URL("https://example.com/old").Created(now).Version(1).Build(), // read before the change
		porttest.Link("unknown").ID(4).URL("https://example.com/late").Created(now).Build(),
		porttest.Link("expired").ID(5).URL("https://example.com/gone").Created(now.Add(-2 * time.Hour)).Lifetime(time.Hour).Build(),
	}, fresh...)
	if err := c.AddAll(ctx, batch, now); err != nil {
		t.Fatalf("AddAll: %v", err)
	}

	if got, result := mustGet(t, c, "changed"); result != ports.CacheHit || got != changed {
		t.Fatalf("Get(changed) = %+v, %s; want the changed link, which a lookup's write-back must not replace", got, resultName(result))
	}
	if _, result := mustGet(t, c, "unknown"); result != ports.CacheNegativeHit {
		t.Fatalf("Get(unknown) = %s, want the negative entry kept", resultName(result))
	}
	if n, err := client.Do(ctx, client.B().Exists().Key(prefix+"expired").Build()).AsInt64(); err != nil || n != 0 {
		t.Fatalf("EXISTS expired = %d, %v; want an expired link left unwritten", n, err)
	}
	for _, want := range fresh {
		if got, result := mustGet(t, c, want.Code()); result != ports.CacheHit || got != want {
			t.Fatalf("Get(%s) = %+v, %s; want %+v, hit", want.Code(), got, resultName(result), want)
		}
	}
	if err := c.AddAll(ctx, nil, now); err != nil {
		t.Fatalf("AddAll of nothing: %v", err)
	}
}
