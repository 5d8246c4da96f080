//go:build integration

package rediscache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestAFrozenRedisIsSkipped freezes the cache Redis (SIGSTOP: connections
// stay open, nothing answers): two lookups in a row time out, and from
// then on lookups fail at once (the caller goes to the store) instead of
// each waiting out its timeout; once Redis answers again, a probe finds
// it and lookups use it again.
func TestAFrozenRedisIsSkipped(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	server := testenv.StartRedisServer(t)
	client, err := redisclient.Dial(server.URL(), timeout, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	c := testenv.NewCache(t, client, rediscache.Options{Timeout: timeout, BreakerFailures: 2, BreakerCoolDown: time.Second})
	now := time.Now()
	link := porttest.Link("frozen").ID(1).URL("https://example.com/").Created(now).Build()
	mustSet(t, c, link, now)
	mustGet(t, c, "frozen")

	server.Pause()
	t.Cleanup(server.Resume)
	for i := range 2 {
		start := time.Now()
		if _, _, err := c.Get(context.Background(), "frozen", time.Now()); !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("lookup %d with Redis frozen: %v, want ErrUnavailable", i, err)
		}
		if took := time.Since(start); took < timeout {
			t.Fatalf("lookup %d failed after %v, before its %v timeout: Redis was not asked", i, took, timeout)
		}
	}
	for i := range 20 {
		start := time.Now()
		_, _, err := c.Get(context.Background(), "frozen", time.Now())
		if !errors.Is(err, redisclient.ErrBreakerOpen) || !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("lookup %d after two timeouts: %v, want ErrBreakerOpen", i, err)
		}
		if took := time.Since(start); took > timeout/2 {
			t.Fatalf("lookup %d after two timeouts took %v: it waited for Redis", i, took)
		}
	}
	if !c.BreakerOpen() {
		t.Fatal("BreakerOpen is false while lookups skip Redis")
	}

	server.Resume()
	testkit.Eventually(t, 5*time.Second, "lookups use Redis again", func() error {
		got, result, err := c.Get(context.Background(), "frozen", time.Now())
		if err != nil {
			return err
		}
		if result != ports.CacheHit || got != link {
			t.Fatalf("Get after Redis resumed = %+v, %s; want the link", got, resultName(result))
		}
		return nil
	})
	if c.BreakerOpen() {
		t.Fatal("the breaker is open although Redis answers")
	}
}
