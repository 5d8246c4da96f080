//go:build integration

package rediscache_test

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
)

func TestSetMissingIsANegativeHitForNegativeTTL(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			c, client, prefix := newCache(t, rediscache.Options{ClientSideCache: mode.clientSideCache, NegativeTTL: 5 * time.Second})
			if err := c.SetMissing(context.Background(), "nope", time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, result := mustGet(t, c, "nope"); result != ports.CacheNegativeHit {
				t.Fatalf("Get after SetMissing = %s, want negative hit", resultName(result))
			}
			pttl, err := client.Do(context.Background(), client.B().Pttl().Key(prefix+"nope").Build()).AsInt64()
			if err != nil || pttl <= 0 || pttl > 5000 {
				t.Fatalf("PTTL of the negative entry = %d, %v; want in (0, 5000]", pttl, err)
			}
		})
	}
}

func TestSetMissingNeverReplacesACachedLink(t *testing.T) {
	t.Parallel()
	c, _, _ := newCache(t, rediscache.Options{ClientSideCache: true})
	now := time.Now()
	want := porttest.Link("kept").ID(1).URL("https://example.com/").Created(now).Build()
	mustSet(t, c, want, now)
	if err := c.SetMissing(context.Background(), "kept", time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, result := mustGet(t, c, "kept"); result != ports.CacheHit || got != want {
		t.Fatalf("Get = %+v, %s; want the cached link", got, resultName(result))
	}
}

// TestSetReplacesANegativeEntry covers a create after a resolve cached the
// code as missing, on the instance that cached it and on another one whose
// memory holds the negative entry: both see the link at once, not waiting
// for Redis's invalidation to arrive.
func TestSetReplacesANegativeEntry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		separateCache bool // the reader is another api instance
	}{
		{"same instance", false},
		{"other instance's client-side cache", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			writer, writerClient, prefix := newCache(t, rediscache.Options{ClientSideCache: true})
			reader, readerClient := writer, writerClient
			if tt.separateCache {
				readerClient, _ = testenv.RedisCacheClient(t)
				reader = testenv.NewCache(t, readerClient, rediscache.Options{KeyPrefix: prefix, ClientSideCache: true})
			}
			if err := reader.SetMissing(context.Background(), "fresh", time.Now()); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, result := mustGet(t, reader, "fresh"); result != ports.CacheNegativeHit {
					t.Fatalf("reader Get = %s, want negative hit", resultName(result))
				}
			}
			if !cachedLocally(readerClient, prefix+"fresh") {
				t.Fatal("the reader's memory does not hold the negative entry; the test would prove nothing")
			}

			now := time.Now()
			want := porttest.Link("fresh").ID(1).URL("https://example.com/new").Created(now).Build()
			mustSet(t, writer, want, now)
			if got, result := mustGet(t, reader, "fresh"); result != ports.CacheHit || got != want {
				t.Fatalf("reader Get right after Set = %+v, %s; want the link", got, resultName(result))
			}
		})
	}
}
