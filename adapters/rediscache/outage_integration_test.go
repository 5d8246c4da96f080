//go:build integration

package rediscache_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestOutageFailsFastAndHeals takes a private Redis down under a live cache:
// every operation that needs the server returns ErrUnavailable well within
// its timeout (then at once: the breaker opens), and the same Cache works
// again once Redis is back and the breaker's probe has answered.
func TestOutageFailsFastAndHeals(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			const timeout = 200 * time.Millisecond
			server := testenv.StartRedisServer(t)
			client, err := redisclient.Dial(server.URL(), timeout, testenv.LocalCacheBytesIf(mode.clientSideCache))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(client.Close)
			c := testenv.NewCache(t, client, rediscache.Options{Timeout: timeout, ClientSideCache: mode.clientSideCache})
			ctx := context.Background()
			now := time.Now()
			link := porttest.Link("up").ID(1).URL("https://example.com/").Created(now).Build()
			// The first exchange also connects; on a busy machine that can
			// outlast one timeout, which is not the outage under test.
			testkit.Eventually(t, 5*time.Second, "the first Set reaches the fresh Redis", func() error {
				return c.Set(ctx, link, now)
			})
			mustGet(t, c, "up")

			server.Stop()
			ops := []struct {
				name string
				run  func() error
			}{
				// A code read before the outage may still be answered from
				// memory until the client notices; this one never was.
				{"Get", func() error { _, _, err := c.Get(ctx, "other", time.Now()); return err }},
				{"Set", func() error { return c.Set(ctx, link, time.Now()) }},
				{"SetMissing", func() error { return c.SetMissing(ctx, "down", time.Now()) }},
				{"Ping", func() error { return c.Ping(ctx) }},
			}
			for _, op := range ops {
				start := time.Now()
				err := op.run()
				if !errors.Is(err, domain.ErrUnavailable) {
					t.Errorf("%s during the outage: %v, want ErrUnavailable", op.name, err)
				}
				if took := time.Since(start); took > timeout+600*time.Millisecond { // slack for a loaded CI machine, still short of the 1 s write timeout
					t.Errorf("%s took %v, beyond its %v timeout", op.name, took, timeout)
				}
			}

			if !c.BreakerOpen() {
				t.Errorf("the breaker is closed after %d failures in a row", len(ops)-1)
			}
			server.Start()
			testkit.Eventually(t, time.Second, "cache answers again after Redis restarts", func() error { return c.Ping(ctx) })
			// Lookups skip Redis until the breaker's cool-down has passed
			// and a probe has answered.
			testkit.Eventually(t, 3*time.Second, "lookups go to Redis again", func() error {
				_, result, err := c.Get(ctx, "up", time.Now())
				if err != nil {
					return err
				}
				if result != ports.CacheMiss {
					t.Fatalf("Get on the emptied server = %s, want miss", resultName(result))
				}
				return nil
			})
			mustSet(t, c, link, time.Now())
			if got, result := mustGet(t, c, "up"); result != ports.CacheHit || got != link {
				t.Fatalf("Get after recovery = %+v, %s; want the link", got, resultName(result))
			}
		})
	}
}

// TestDialSucceedsWhileRedisIsDown is the api starting before its cache:
// Dial returns a client, Ping reports the outage, and the cache starts
// working once Redis comes up, without a new client.
func TestDialSucceedsWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	server := testenv.StartRedisServer(t)
	server.Stop()
	client, err := redisclient.Dial(server.URL(), 200*time.Millisecond, testenv.LocalCacheBytes)
	if err != nil {
		t.Fatalf("Dial with Redis down: %v, want a client", err)
	}
	t.Cleanup(client.Close)
	c := testenv.NewCache(t, client, rediscache.Options{ClientSideCache: true})
	ctx := context.Background()
	if err := c.Ping(ctx); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Ping with Redis down: %v, want ErrUnavailable", err)
	}
	server.Start()
	testkit.Eventually(t, time.Second, "cache answers once Redis is up", func() error { return c.Ping(ctx) })
	now := time.Now()
	link := porttest.Link("late").ID(1).URL("https://example.com/").Created(now).Build()
	mustSet(t, c, link, now)
	if got, result := mustGet(t, c, "late"); result != ports.CacheHit || got != link {
		t.Fatalf("Get = %+v, %s; want the link", got, resultName(result))
	}
}

func TestDialRejectsConfigurationErrors(t *testing.T) {
	t.Parallel()
	server := testenv.StartRedisServer(t)
	tests := []struct{ name, url string }{
		{"bad scheme", "http://127.0.0.1:6379/0"},
		{"database out of range", server.URL()[:len(server.URL())-1] + "99"},
		{"wrong password", fmt.Sprintf("redis://nobody:secret@%s/0", server.URL()[len("redis://"):len(server.URL())-2])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if client, err := redisclient.Dial(tt.url, time.Second, testenv.LocalCacheBytes); err == nil {
				client.Close()
				t.Fatalf("Dial(%s) succeeded, want a configuration error", tt.url)
			}
		})
	}
}
