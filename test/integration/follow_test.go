//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/adapters/redislimit"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// frozenTakedownBound is how soon after the takedown's answer both
// replicas must answer 410 with the cache Redis frozen.
const frozenTakedownBound = 500 * time.Millisecond

// TestTakedownWithTheCacheFrozenReachesEveryReplica runs two api binaries
// on one Postgres and one cache Redis. A link is warm on both (in their
// memory and in Redis); the cache Redis is frozen (SIGSTOP: its sockets
// stay open and nothing answers, the common failure), and an admin takes
// the link down on A. Both replicas answer 410 within frozenTakedownBound
// of A's answer: A wrote its own memory before answering, B heard of the
// change from Postgres (NOTIFY, or the poll), without Redis. Meanwhile the
// redirects of other links, warm on a replica or not, keep answering 302
// (from memory, or from Postgres once the breaker skips Redis); and once
// Redis is back, with the old entry in it, no replica serves that entry.
func TestTakedownWithTheCacheFrozenReachesEveryReplica(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"ADMIN_KEYS": adminKey})
	a, b := startReady(t, bin, env), startReady(t, bin, env)
	replicas := map[string]string{"A": a, "B": b}

	taken := createManaged(t, a, "https://example.com/frozen/taken", a, b)
	type link struct{ code, target string }
	var others []link
	for i := range 40 {
		l := link{target: fmt.Sprintf("https://example.com/frozen/other/%d", i)}
		l.code = mustCreate(t, a, l.target)
		if i%2 == 0 { // warm on both; the rest only on A, which created them
			for _, replica := range replicas {
				testkit.ExpectRedirect(t, replica+"/"+l.code, l.target)
			}
		}
		others = append(others, l)
	}
	direct := redisClient(t, s.Cache)
	cached, err := do(t, direct, direct.B().Get().Key(cachePrefix+taken.code).Build()).ToString()
	if err != nil {
		t.Fatalf("the cache Redis does not hold %s before the freeze: %v", taken.code, err)
	}

	var load tally
	var slowest time.Duration
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for name, replica := range replicas {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				l := others[i%len(others)]
				sent := time.Now()
				r := resolve(replica, l.code)
				took := time.Since(sent)
				if r.Err != nil || r.Status != http.StatusFound || r.Location() != l.target {
					load.problem(fmt.Sprintf("%s: GET /%s = %v (Location %q)", name, l.code, r, r.Location()))
					continue
				}
				load.add(name + " 302")
				mu.Lock()
				slowest = max(slowest, took)
				mu.Unlock()
			}
		})
	}

	s.Cache.Pause()
	t.Cleanup(s.Cache.Resume)          // resumed below; again here should the test stop early
	time.Sleep(300 * time.Millisecond) // the load meets the frozen Redis
	sent := time.Now()
	r := testkit.Send(loadClient, http.MethodPatch, a+"/v1/shortlink/"+taken.code, "application/json",
		[]byte(`{"disabled":true}`), http.Header{"Authorization": {"Bearer " + adminKey}})
	answered := time.Now()
	if r.Status != http.StatusOK || r.Field("state") != "disabled" {
		t.Fatalf("takedown on A with the cache Redis frozen = %s, want 200", r)
	}
	// Each replica is asked by its own poller, so a slow answer from one
	// (a breaker probe meeting the frozen Redis) does not delay the other's.
	gone := map[string]time.Duration{}
	var pollers sync.WaitGroup
	for name, replica := range replicas {
		pollers.Go(func() {
			for time.Since(answered) < 3*frozenTakedownBound {
				if resolve(replica, taken.code).Status == http.StatusGone {
					mu.Lock()
					gone[name] = time.Since(answered)
					mu.Unlock()
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	pollers.Wait()
	time.Sleep(1500 * time.Millisecond) // the load goes on, past the breaker's cool-down and probes
	close(stop)
	wg.Wait()
	s.Cache.Resume()
	resumed := time.Now()

	t.Logf("takedown answered in %v with the cache Redis frozen; 410 on each replica after A's answer: %v; other redirects meanwhile: %s, slowest %v",
		answered.Sub(sent).Round(time.Millisecond), gone, load.String(), slowest.Round(time.Millisecond))
	for name := range replicas {
		if took, ok := gone[name]; !ok || took > frozenTakedownBound {
			t.Errorf("%s answered 410 %v after the takedown's answer (never, if 0), want within %v", name, took, frozenTakedownBound)
		}
	}
	load.check(t)

	// Redis is back, still holding the old entry until the outbox drains
	// it: no replica may serve it again, now or later.
	for name, replica := range replicas {
		for i := range 50 {
			if r := resolve(replica, taken.code); r.Status != http.StatusGone {
				t.Fatalf("%s: GET /%s %v after the cache Redis resumed (probe %d) = %s, want 410", name, taken.code, time.Since(resumed).Round(time.Millisecond), i, r)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if now, err := do(t, direct, direct.B().Get().Key(cachePrefix+taken.code).Build()).ToString(); err == nil && now == cached {
		t.Errorf("the cache Redis still holds the old entry of %s %v after it resumed", taken.code, time.Since(resumed).Round(time.Millisecond))
	}
	for _, l := range others {
		for _, replica := range replicas {
			testkit.ExpectRedirect(t, replica+"/"+l.code, l.target)
		}
	}
}

// silentFeed is a change feed whose notifications are all lost: only its
// follower's poll reads it.
type silentFeed struct{ ports.ChangeFeed }

func (silentFeed) Wake() <-chan struct{} { return nil }

// TestAMissedNotificationIsCaughtByThePoll changes a link behind the api's
// back (in SQL, as another release or a tool would: the cache Redis keeps
// the old entry) while every notification to the api is lost. The api's
// follower polls the change log: the api answers 410 within a poll, and
// never again serves the old entry Redis holds.
func TestAMissedNotificationIsCaughtByThePoll(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t, "")
	api := startInProcessWith(t, s, func(f ports.ChangeFeed) ports.ChangeFeed { return silentFeed{f} })
	const target = "https://example.com/missed-notification"
	code := mustCreate(t, api.BaseURL, target)
	testkit.Eventually(t, 5*time.Second, "the link answered from the api's memory", func() error {
		hits := api.local.Hits()
		testkit.ExpectRedirect(t, api.BaseURL+"/"+code, target)
		if api.local.Hits() == hits {
			return fmt.Errorf("not a hit of the in-process cache")
		}
		return nil
	})
	direct := redisClient(t, s.Cache)
	cached, err := do(t, direct, direct.B().Get().Key(cachePrefix+code).Build()).ToString()
	if err != nil {
		t.Fatalf("the cache Redis does not hold %s: %v", code, err)
	}

	db := testenv.SQL(t, s.DatabaseURL)
	db.MustExec(`UPDATE short_link SET state = 1, disabled_by_admin = true, version = version + 1 WHERE code = $1`, code)
	// The follower polls every 250 ms; a little more for the read and the request.
	took := awaitStatus(t, api.BaseURL, code, http.StatusGone, 400*time.Millisecond)
	t.Logf("410 %v after the change, with every notification lost", took.Round(time.Millisecond))
	if now, err := do(t, direct, direct.B().Get().Key(cachePrefix+code).Build()).ToString(); err != nil || now != cached {
		t.Fatalf("the cache Redis entry changed (%v): the test needs the old one there", err)
	}
}

// TestLookupCostsOnPostgresAndRedis counts the store lookups of every
// route that names a code with the production adapters (Postgres, the
// cache Redis behind the in-process tier, the Redis rate limiter):
// httpsuite.CheckLookupCosts.
func TestLookupCostsOnPostgresAndRedis(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t, "")
	opts := postgres.Options{URL: s.DatabaseURL, MaxOpenConns: 8, Timeout: 5 * time.Second}
	store, err := postgres.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	feed := testenv.ChangeFeed(t, s.DatabaseURL)
	client, err := redisclient.Dial(s.Cache.URL(), adapterTimeout, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	limiter, err := redislimit.New(client, redislimit.Options{Timeout: adapterTimeout})
	if err != nil {
		t.Fatal(err)
	}
	finds := httpsuite.CountFinds(store)
	env := httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: finds, Counter: store, Secrets: store, Visits: store, Outbox: store, Changes: feed,
		Cache:   testenv.NewCache(t, client, rediscache.Options{Timeout: adapterTimeout}),
		Limiter: limiter,
		Configure: func(cfg *config.Config) {
			cfg.MissRateLimit = httpsuite.LookupCostMissLimit
		},
	})
	httpsuite.CheckLookupCosts(t, env, finds)
}
