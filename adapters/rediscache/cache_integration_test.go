//go:build integration

package rediscache_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testkit"
)

func TestSetThenGetRoundTrips(t *testing.T) {
	t.Parallel()
	now := time.Now()
	links := []struct {
		name, code, url string
	}{
		{"generated code", "aZ3kQ9x", "https://example.com/path?q=1"},
		{"alias with dash", "spring-sale", "https://example.com/a b#frag"},
		{"unicode url", "u1", "https://例え.jp/ü?x=€"},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newCache(t, rediscache.Options{ClientSideCache: mode.clientSideCache})
			for _, tt := range links {
				want := porttest.Link(domain.Code(tt.code)).ID(1).URL(tt.url).Created(now).Build()
				mustSet(t, c, want, now)
				for range 2 { // the second read may come from memory
					if got, result := mustGet(t, c, want.Code()); result != ports.CacheHit || got != want {
						t.Fatalf("%s: Get = %+v, %s; want %+v, hit", tt.name, got, resultName(result), want)
					}
				}
			}
			if _, result := mustGet(t, c, "unknown"); result != ports.CacheMiss {
				t.Fatalf("Get(unknown) = %s, want miss", resultName(result))
			}
		})
	}
}

func TestSetTTLIsTheShorterOfCacheTTLAndTimeToLive(t *testing.T) {
	t.Parallel()
	const cacheTTL = time.Hour
	tests := []struct {
		name, code string
		lifetime   time.Duration // left from now
		wantTTL    time.Duration // 0: nothing written
	}{
		{"long-lived link: CACHE_TTL", "long", 30 * 24 * time.Hour, cacheTTL},
		{"link expiring first: its time to live", "soon", 10 * time.Minute, 10 * time.Minute},
		{"expired link: not written", "past", -time.Second, 0},
		{"under a millisecond left: not written", "edge", 500 * time.Microsecond, 0},
	}
	c, client, prefix := newCache(t, rediscache.Options{TTL: cacheTTL})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Now()
			link := porttest.Link(domain.Code(tt.code)).ID(1).URL("https://example.com/").Created(now.Add(-time.Minute)).Lifetime(time.Minute + tt.lifetime).Build()
			mustSet(t, c, link, now)
			pttl, err := client.Do(context.Background(), client.B().Pttl().Key(prefix+string(link.Code())).Build()).AsInt64()
			if err != nil {
				t.Fatal(err)
			}
			got := time.Duration(pttl) * time.Millisecond
			switch {
			case tt.wantTTL == 0 && pttl != -2:
				t.Fatalf("PTTL = %d, want -2 (no key)", pttl)
			case tt.wantTTL > 0 && (got > tt.wantTTL || got < tt.wantTTL-5*time.Second):
				t.Fatalf("PTTL = %v, want at most %v and close to it", got, tt.wantTTL)
			}
		})
	}
}

func TestCacheNeverAnswersForAnExpiredLink(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			c, client, prefix := newCache(t, rediscache.Options{ClientSideCache: mode.clientSideCache, LocalTTL: time.Minute})
			now := time.Now()
			link := porttest.Link("short").ID(1).URL("https://example.com/").Created(now).Lifetime(250 * time.Millisecond).Build()
			mustSet(t, c, link, now)
			if _, result := mustGet(t, c, link.Code()); result != ports.CacheHit {
				t.Fatalf("Get right after Set = %s, want hit", resultName(result))
			}
			if mode.clientSideCache && !cachedLocally(client, prefix+"short") {
				t.Fatal("a read through the client-side cache did not stay in memory")
			}
			for {
				start := time.Now()
				_, result := mustGet(t, c, link.Code())
				if result == ports.CacheHit && !start.Before(link.ExpiresAt()) {
					t.Fatalf("hit for a lookup started %v after the link expired", start.Sub(link.ExpiresAt()))
				}
				if result == ports.CacheMiss {
					break
				}
				if time.Since(link.ExpiresAt()) > time.Second {
					t.Fatal("entry still cached a second after the link expired")
				}
				time.Sleep(time.Millisecond)
			}
			testkit.Eventually(t, time.Second, "Redis drops the expired key", func() error {
				if n, err := client.Do(context.Background(), client.B().Exists().Key(prefix+"short").Build()).AsInt64(); err != nil || n != 0 {
					return fmt.Errorf("EXISTS = %d, %w; want 0", n, err)
				}
				return nil
			})
			if mode.clientSideCache {
				testkit.Eventually(t, time.Second, "client-side cache drops the expired key", func() error {
					if cachedLocally(client, prefix+"short") {
						return errors.New("still answered from memory")
					}
					return nil
				})
			}
		})
	}
}

func TestCorruptValueIsAMiss(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			c, client, prefix := newCache(t, rediscache.Options{ClientSideCache: mode.clientSideCache})
			if err := client.Do(context.Background(), client.B().Set().Key(prefix+"bad").Value("not a link").Build()).Error(); err != nil {
				t.Fatal(err)
			}
			before := c.Misses()
			if _, result := mustGet(t, c, "bad"); result != ports.CacheMiss {
				t.Fatalf("Get(corrupt) = %s, want miss", resultName(result))
			}
			if c.Misses() != before+1 {
				t.Fatalf("Misses moved by %d, want 1", c.Misses()-before)
			}
		})
	}
}

func TestCountersMove(t *testing.T) {
	t.Parallel()
	c, _, _ := newCache(t, rediscache.Options{ClientSideCache: true})
	now := time.Now()
	mustGet(t, c, "none")
	mustSet(t, c, porttest.Link("some").ID(1).URL("https://example.com/").Created(now).Build(), now)
	mustGet(t, c, "some")
	mustGet(t, c, "some")
	if err := c.SetMissing(context.Background(), "gone", time.Now()); err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "gone")
	if got := [3]uint64{c.Hits(), c.Misses(), c.NegativeHits()}; got != [3]uint64{2, 1, 1} {
		t.Fatalf("hits, misses, negative hits = %v; want [2 1 1]", got)
	}
	// The first Get of "some" asked Redis, the second was answered from memory.
	if got := c.LocalHits(); got != 1 {
		t.Fatalf("LocalHits = %d, want 1", got)
	}
}

func TestPingAnswers(t *testing.T) {
	t.Parallel()
	c, _, _ := newCache(t, rediscache.Options{})
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}
