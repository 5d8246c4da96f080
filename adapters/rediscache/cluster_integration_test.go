//go:build integration

package rediscache_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newClusterCache is newCache on the shared Redis Cluster.
func newClusterCache(t *testing.T, opts rediscache.Options) (*rediscache.Cache, rueidis.Client, string) {
	t.Helper()
	client, prefix := testenv.RedisClusterClient(t)
	opts.KeyPrefix = prefix
	return testenv.NewCache(t, client, opts), client, prefix
}

func TestLinkCacheContractOnCluster(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			porttest.LinkCacheContract(t, func(t *testing.T) ports.LinkCache {
				c, _, _ := newClusterCache(t, rediscache.Options{ClientSideCache: mode.clientSideCache})
				return c
			})
		})
	}
}

// TestClusterSpreadsLinksOverEveryPrimary is the symptom turned
// around: a client forced to one node put every key on it. Here each
// primary holds some of 60 links, and each answers for them.
func TestClusterSpreadsLinksOverEveryPrimary(t *testing.T) {
	t.Parallel()
	c, client, prefix := newClusterCache(t, rediscache.Options{ClientSideCache: true})
	now := time.Now()
	for i := range 60 {
		mustSet(t, c, porttest.Link(domain.Code(fmt.Sprintf("spread%d", i))).ID(1).URL("https://example.com/").Created(now).Build(), now)
	}
	ctx := context.Background()
	nodes := client.Nodes()
	if len(nodes) < 3 {
		t.Fatalf("the client knows %d nodes, want the cluster's 3 primaries", len(nodes))
	}
	for addr, node := range nodes {
		keys, err := node.Do(ctx, node.B().Scan().Cursor(0).Match(prefix+"*").Count(1000).Build()).AsScanEntry()
		if err != nil {
			t.Fatalf("SCAN on %s: %v", addr, err)
		}
		if len(keys.Elements) == 0 {
			t.Errorf("primary %s holds none of the 60 links", addr)
		}
	}
	for i := range 60 {
		if _, result := mustGet(t, c, domain.Code(fmt.Sprintf("spread%d", i))); result != ports.CacheHit {
			t.Fatalf("Get(spread%d) = %s, want hit", i, resultName(result))
		}
	}
}

// TestClusterInvalidatesOtherInstancesMemory: two api instances with
// client-side caching on one cluster. The reader keeps a link in process
// memory; the writer's Set (a change) reaches it through the invalidation
// the link's primary pushes, without the reader asking.
func TestClusterInvalidatesOtherInstancesMemory(t *testing.T) {
	t.Parallel()
	writer, _, prefix := newClusterCache(t, rediscache.Options{ClientSideCache: true})
	readerClient, _ := testenv.RedisClusterClient(t)
	reader := testenv.NewCache(t, readerClient, rediscache.Options{KeyPrefix: prefix, ClientSideCache: true})
	now := time.Now()
	for i := range 12 { // over every primary, most likely
		code := domain.Code(fmt.Sprintf("inv%d", i))
		old := porttest.Link(code).ID(1).URL("https://example.com/").Created(now).Build()
		mustSet(t, writer, old, now)
		for range 2 {
			mustGet(t, reader, code)
		}
		if !cachedLocally(readerClient, prefix+string(code)) {
			t.Fatalf("%s: the reader's memory does not hold the link; the test would prove nothing", code)
		}
		disabled, err := old.SetDisabled(true, domain.ActorOwner)
		if err != nil {
			t.Fatal(err)
		}
		mustSet(t, writer, disabled, now)
		testkit.Eventually(t, time.Second, string(code)+": the reader sees the change", func() error {
			got, result := mustGet(t, reader, code)
			if result != ports.CacheHit || got.Version() != disabled.Version() {
				return fmt.Errorf("reader Get = version %d, %s; want version %d", got.Version(), resultName(result), disabled.Version())
			}
			return nil
		})
	}
}

// TestClusterDownAtStartIsAnOutageThatHeals is the api starting before its
// cluster-mode cache: Dial returns a client, every operation is an outage
// (the api reports itself unready and resolves from Postgres), and once the
// cluster is up the same Cache works, in cluster mode.
func TestClusterDownAtStartIsAnOutageThatHeals(t *testing.T) {
	t.Parallel()
	cluster := testenv.StartRedisCluster(t)
	for i := range 3 {
		cluster.StopNode(i)
	}
	client, err := redisclient.Dial(cluster.URL(), 200*time.Millisecond, testenv.LocalCacheBytes)
	if err != nil {
		t.Fatalf("Dial with the cluster down: %v, want a client", err)
	}
	t.Cleanup(client.Close)
	c := testenv.NewCache(t, client, rediscache.Options{ClientSideCache: true})
	ctx := context.Background()
	if err := c.Ping(ctx); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Ping with the cluster down: %v, want ErrUnavailable", err)
	}
	if _, _, err := c.Get(ctx, "early", time.Now()); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Get with the cluster down: %v, want ErrUnavailable", err)
	}

	for i := range 3 {
		cluster.StartNode(i)
	}
	testkit.Eventually(t, time.Second, "cache answers once the cluster is up", func() error { return c.Ping(ctx) })
	if client.Mode() != rueidis.ClientModeCluster {
		t.Fatalf("client mode = %s, want cluster", client.Mode())
	}
	now := time.Now()
	for i := range 12 {
		link := porttest.Link(domain.Code(fmt.Sprintf("late%d", i))).ID(1).URL("https://example.com/").Created(now).Build()
		mustSet(t, c, link, now)
		if got, result := mustGet(t, c, link.Code()); result != ports.CacheHit || got != link {
			t.Fatalf("Get = %+v, %s; want the link", got, resultName(result))
		}
	}
}

// TestClusterPrimaryDownIsAnOutageForItsSlotsOnly: with one primary killed,
// its keys fail fast as outages (the resolver then reads Postgres), the
// others' keys keep working, Ping reports the cluster incomplete, and once
// the primary is back the same client uses it again.
func TestClusterPrimaryDownIsAnOutageForItsSlotsOnly(t *testing.T) {
	t.Parallel()
	cluster := testenv.StartRedisCluster(t)
	client, err := redisclient.Dial(cluster.URL(), 200*time.Millisecond, testenv.LocalCacheBytes)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	c := testenv.NewCache(t, client, rediscache.Options{ClientSideCache: true})
	ctx := context.Background()
	now := time.Now()
	links := make([]domain.ShortLink, 30)
	for i := range links {
		links[i] = porttest.Link(domain.Code(fmt.Sprintf("slot%d", i))).ID(1).URL("https://example.com/").Created(now).Build()
		mustSet(t, c, links[i], now)
	}

	cluster.StopNode(1)
	var failed, served int
	for _, link := range links {
		start := time.Now()
		_, result, err := c.Get(ctx, link.Code(), time.Now())
		switch {
		case errors.Is(err, domain.ErrUnavailable):
			failed++
		case err != nil:
			t.Fatalf("Get(%s) with a primary down: %v, want a hit or ErrUnavailable", link.Code(), err)
		case result == ports.CacheHit:
			served++
		}
		if took := time.Since(start); took > 300*time.Millisecond {
			t.Errorf("Get(%s) took %v with a primary down, beyond its 200ms timeout", link.Code(), took)
		}
	}
	if failed == 0 || served == 0 {
		t.Fatalf("with one of three primaries down: %d lookups failed, %d served; want some of each", failed, served)
	}
	if err := c.Ping(ctx); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Ping with a primary down: %v, want ErrUnavailable", err)
	}

	cluster.StartNode(1)
	testkit.Eventually(t, time.Second, "every primary answers again", func() error { return c.Ping(ctx) })
	for _, link := range links {
		mustSet(t, c, link, time.Now()) // the restarted primary came back empty
		if _, result := mustGet(t, c, link.Code()); result != ports.CacheHit {
			t.Fatalf("Get(%s) after the primary came back = %s, want hit", link.Code(), resultName(result))
		}
	}
}
