//go:build integration

package integration

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redislimit"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestHTTPSuiteOnRedisCluster runs the whole HTTP contract with the cache
// and the rate limiter on a Redis Cluster (the shared three-primary one),
// Postgres and the codes Redis as in production.
func TestHTTPSuiteOnRedisCluster(t *testing.T) {
	t.Parallel()
	httpsuite.Run(t, func(t *testing.T) httpsuite.Env {
		url := testenv.Database(t)
		store, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 40})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		clusterClient, prefix := testenv.RedisClusterClient(t)
		codesClient, key := testenv.RedisCodesClient(t)
		cache := testenv.NewCache(t, clusterClient, rediscache.Options{KeyPrefix: prefix})
		limiter, err := redislimit.New(clusterClient, redislimit.Options{KeyPrefix: prefix + "ratelimit:", Timeout: adapterTimeout})
		if err != nil {
			t.Fatal(err)
		}
		pool := testenv.NewPool(t, codesClient, redispool.Options{Key: key})
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: cache, Pool: pool, Limiter: limiter, Outbox: store, Changes: testenv.ChangeFeed(t, url),
		})
	})
}

// TestRedirectsRideOutAClusterPrimaryRestart kills one of the cache
// cluster's three primaries under redirect load on a running api binary
// (links it holds in memory, and unknown codes, which only the cluster's
// negative entries answer), then starts it again: every redirect answers
// 302 with its target all along and every unknown code 404 (what the dead
// slots held comes from Postgres, counted as cache errors), /v1/ready
// names the cache while a primary is missing, and the same api process
// uses the whole cluster again once it is back.
func TestRedirectsRideOutAClusterPrimaryRestart(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	cluster := testenv.StartRedisCluster(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"REDIS_CACHE_URL": cluster.URL(), "POOL_TARGET": "2000", "POOL_LOW_WATER": "500"})
	testenv.RunBinary(t, bin, "batch", env, "--once")
	api := testenv.StartAPI(t, bin, env)
	base := api.BaseURL()
	api.WaitHTTP(base+"/v1/ready", http.StatusOK, 20*time.Second)

	type link struct{ code, target string }
	links := make([]link, 120)
	for i := range links {
		links[i].target = fmt.Sprintf("https://example.com/failover/%d", i)
		links[i].code = mustCreate(t, base, links[i].target)
	}
	resolveAll := func(step string) {
		t.Helper()
		for _, l := range links {
			if r := resolve(base, l.code); r.Status != http.StatusFound || r.Location() != l.target {
				t.Fatalf("resolve %s %s: %v, want 302 to %s", step, l.code, r, l.target)
			}
		}
	}
	resolveAll("before the failover")

	var outcomes tally
	stop := make(chan struct{})
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		hammer(6, 1<<30, 5*time.Minute, func(_, i int) bool {
			select {
			case <-stop:
				return false
			default:
			}
			if i%2 == 1 {
				// An unknown code: the api's memory holds the links, so these
				// are what asks the cluster (its negative entries) under load.
				code := fmt.Sprintf("unknown%d", rand.IntN(1<<30))
				if r := resolve(base, code); r.Err != nil || r.Status != http.StatusNotFound {
					outcomes.problem(fmt.Sprintf("resolve %s: %v, want 404", code, r))
					return true
				}
				outcomes.add("404")
				return true
			}
			l := links[rand.IntN(len(links))]
			r := resolve(base, l.code)
			if r.Err != nil || r.Status != http.StatusFound || r.Location() != l.target {
				outcomes.problem(fmt.Sprintf("resolve %s: %v (Location %q)", l.code, r, r.Location()))
				return true
			}
			outcomes.add("302")
			return true
		})
	}()
	stopLoad := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		<-loadDone
	}
	t.Cleanup(stopLoad)

	time.Sleep(time.Second)
	errorsBefore := testkit.Metric(t, base, "shortlink_cache_errors_total")
	cluster.StopNode(1)
	time.Sleep(2 * time.Second)
	if got := testkit.Metric(t, base, "shortlink_cache_errors_total"); got <= errorsBefore {
		t.Errorf("with a primary down no cache lookup failed (cache errors %v→%v): its slots were not exercised", errorsBefore, got)
	}
	if status, down := ready(t, base); status != http.StatusServiceUnavailable || !slices.Equal(down, []string{"redis-cache"}) {
		t.Errorf("/v1/ready with a primary down = %d %v, want 503 naming redis-cache", status, down)
	}

	cluster.StartNode(1)
	healed := testkit.Eventually(t, 20*time.Second, "/v1/ready after the primary is back", func() error {
		if status, down := ready(t, base); status != http.StatusOK {
			return fmt.Errorf("%d %v", status, down)
		}
		return nil
	})
	time.Sleep(time.Second) // load goes on over the healed cluster
	stopLoad()

	// The restarted primary came back empty: one pass writes its links back,
	// the next finds every link in the cache, none failing.
	resolveAll("after the primary is back")
	errorsAfter := testkit.Metric(t, base, "shortlink_cache_errors_total")
	hits := testkit.Metric(t, base, "shortlink_cache_hits_total")
	resolveAll("on the healed cluster")
	if got := testkit.Metric(t, base, "shortlink_cache_errors_total"); got != errorsAfter {
		t.Errorf("cache errors on the healed cluster: %v→%v, want none", errorsAfter, got)
	}
	if got := testkit.Metric(t, base, "shortlink_cache_hits_total"); got < hits+float64(len(links)) {
		t.Errorf("cache hits on the healed cluster: %v→%v, want every one of %d links", hits, got, len(links))
	}
	outcomes.check(t)
	t.Logf("redirects under load: %s; ready again %v after the primary restarted", outcomes.String(), healed.Round(time.Millisecond))
}
