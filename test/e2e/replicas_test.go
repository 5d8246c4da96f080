//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// replicaCount is how many api processes run behind nginx.
const replicaCount = 3

// replicas is a deployment past one machine, from the working tree's
// binaries: three api processes behind nginx (the project's config, one
// upstream server line per replica), one Postgres, the cache on a
// three-primary Redis Cluster, the codes Redis, and two batch loops.
type replicas struct {
	bin      string
	dbURL    string
	cluster  *testenv.RedisCluster
	env      map[string]string
	ports    [replicaCount]int
	proxyURL string

	mu   sync.Mutex
	apis [replicaCount]*testenv.Process
}

func startReplicas(t *testing.T) *replicas {
	t.Helper()
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	r := &replicas{bin: testenv.BuildBinaries(t), dbURL: testenv.Database(t), cluster: testenv.StartRedisCluster(t)}
	codes := testenv.StartRedisServer(t)
	ports, err := testkit.FreePorts(replicaCount + 1)
	if err != nil {
		t.Fatal(err)
	}
	copy(r.ports[:], ports)
	r.proxyURL = fmt.Sprintf("http://127.0.0.1:%d", ports[replicaCount])
	r.env = map[string]string{
		"DATABASE_URL":    r.dbURL,
		"REDIS_CACHE_URL": r.cluster.URL(),
		"REDIS_CODES_URL": codes.URL(),
		"PUBLIC_BASE_URL": r.proxyURL,
		"CODE_SECRET":     "e2e-replicas-" + testkit.RandomHex(16),
		// Small, so that the creates of the run make both batch loops refill
		// it, racing each other.
		"POOL_TARGET":       "3000",
		"POOL_LOW_WATER":    "2000",
		"BATCH_INTERVAL":    "200ms",
		"TRUSTED_PROXIES":   "127.0.0.1/32",
		"CREATE_RATE_LIMIT": "0",
		"SHUTDOWN_TIMEOUT":  shutdownTimeout.String(),
		"LOG_LEVEL":         "warn",
	}
	testenv.RunBinary(t, r.bin, "migrate", r.env, "up")
	testenv.RunBinary(t, r.bin, "partitions", r.env, "--ahead", "2")
	testenv.RunBinary(t, r.bin, "batch", r.env, "--once")
	for i := range 2 {
		testenv.StartProcess(t, fmt.Sprintf("batch loop %d", i+1), filepath.Join(r.bin, "batch"), r.env)
	}
	for i := range replicaCount {
		r.start(t, i)
	}
	upstreams := make([]string, replicaCount)
	for i, port := range r.ports {
		upstreams[i] = fmt.Sprintf("127.0.0.1:%d", port)
	}
	testenv.StartNginx(t, root, upstreams[0], ports[replicaCount], testkit.NginxOptions{Workers: "2", Replicas: upstreams[1:]})
	return r
}

// start runs replica i on its port and waits until it is ready.
func (r *replicas) start(t *testing.T, i int) {
	t.Helper()
	env := map[string]string{"API_ADDR": fmt.Sprintf("127.0.0.1:%d", r.ports[i])}
	for k, v := range r.env {
		env[k] = v
	}
	p := testenv.StartAPI(t, r.bin, env)
	p.WaitHTTP(p.BaseURL()+"/v1/ready", 200, 20*time.Second)
	r.mu.Lock()
	r.apis[i] = p
	r.mu.Unlock()
}

// url is replica i's own base URL, bypassing nginx.
func (r *replicas) url(i int) string { return fmt.Sprintf("http://127.0.0.1:%d", r.ports[i]) }

// TestReplicas runs the scale-out scenarios on one shared stack, in order:
// alias races across replicas, a change reaching every replica's memory,
// and a rolling restart under mixed load.
func TestReplicas(t *testing.T) {
	r := startReplicas(t)
	t.Run("an alias raced on every replica has one winner", func(t *testing.T) { testAliasRaceAcrossReplicas(t, r) })
	t.Run("a disable on one replica reaches the others within 200ms", func(t *testing.T) { testDisableReachesEveryReplica(t, r) })
	t.Run("rolling restart under mixed load", func(t *testing.T) { testRollingRestart(t, r) })
}

// testAliasRaceAcrossReplicas sends the same alias to all three replicas
// at once, three times each, straight to their ports: one 201, eight 409s.
func testAliasRaceAcrossReplicas(t *testing.T, r *replicas) {
	for round := range 5 {
		alias := fmt.Sprintf("race-%s-%d", testkit.RandomHex(3), round)
		statuses := make([]int, 3*replicaCount)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Go(func() {
				resp := testkit.SendJSON(nil, "POST", r.url(i%replicaCount)+"/v1/shortlink",
					map[string]string{"url": "https://example.com/" + alias, "alias": alias})
				if resp.Err != nil {
					t.Errorf("create %s on replica %d: %v", alias, i%replicaCount, resp.Err)
				}
				statuses[i] = resp.Status
			})
		}
		wg.Wait()
		sort.Ints(statuses)
		want := append([]int{201}, repeat(409, len(statuses)-1)...)
		if fmt.Sprint(statuses) != fmt.Sprint(want) {
			t.Errorf("alias %s raced on every replica: statuses %v, want one 201 and the rest 409", alias, statuses)
		}
	}
}

func repeat(v, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// testDisableReachesEveryReplica: each replica has the link in its cache
// (process memory after the second read); a disable through one replica's
// port must turn the others' answers to 410 within 200 ms, through the
// store's change feed (NOTIFY, and the Set after the commit), with no
// request to the others in between but the probes.
func testDisableReachesEveryReplica(t *testing.T, r *replicas) {
	const within = 200 * time.Millisecond
	var worst time.Duration
	for round := range 5 {
		created := testkit.SendJSON(nil, "POST", r.proxyURL+"/v1/shortlink", map[string]string{"url": fmt.Sprintf("https://example.com/disable/%d", round)})
		if created.Status != 201 || created.Field("manage_token") == "" {
			t.Fatalf("create: %v, want 201 with a manage_token", created)
		}
		code, token := created.Field("code"), created.Field("manage_token")
		for i := range replicaCount {
			hits := testkit.Metric(t, r.url(i), "shortlink_cache_hits_total")
			for range 2 {
				if resp := testkit.Send(nil, "GET", r.url(i)+"/"+code, "", nil, nil); resp.Status != 302 {
					t.Fatalf("warm replica %d: GET /%s = %v, want 302", i, code, resp)
				}
			}
			if got := testkit.Metric(t, r.url(i), "shortlink_cache_hits_total"); got < hits+2 {
				t.Fatalf("replica %d: warming reads were not cache hits (hits %v→%v)", i, hits, got)
			}
		}
		writer := round % replicaCount
		patched := testkit.Send(nil, "PATCH", r.url(writer)+"/v1/shortlink/"+code, "application/json",
			[]byte(`{"disabled":true}`), map[string][]string{"Authorization": {"Bearer " + token}})
		done := time.Now()
		if patched.Status != 200 || patched.Field("state") != "disabled" {
			t.Fatalf("PATCH disabled on replica %d: %v, want 200 with state disabled", writer, patched)
		}
		for i := range replicaCount {
			if i == writer {
				continue
			}
			for {
				resp := testkit.Send(nil, "GET", r.url(i)+"/"+code, "", nil, nil)
				took := time.Since(done)
				if resp.Status == 410 {
					worst = max(worst, took)
					if took > within {
						t.Errorf("replica %d answered 410 for %s %v after the disable on replica %d, want within %v", i, code, took.Round(time.Millisecond), writer, within)
					}
					break
				}
				if resp.Status != 302 || took > 5*time.Second {
					t.Fatalf("replica %d: GET /%s = %v %v after the disable, want 302 then 410", i, code, resp, took)
				}
			}
		}
	}
	t.Logf("slowest replica saw the disable %v after the PATCH answered", worst.Round(time.Microsecond))
}

// testRollingRestart: mixed load through nginx (creates, redirects, alias
// races) while each replica in turn gets SIGTERM, exits, starts again and
// is ready, then the next, with no pause between them. Every request must
// succeed, every acknowledged create resolve, no code appear twice.
func testRollingRestart(t *testing.T, r *replicas) {
	load := startMixedLoad(t, r.proxyURL, 12)
	time.Sleep(3 * time.Second)
	for i := range replicaCount {
		r.mu.Lock()
		p := r.apis[i]
		r.mu.Unlock()
		termAt := time.Now()
		p.Terminate()
		select {
		case <-p.Done():
		case <-time.After(5*time.Second + shutdownTimeout + 5*time.Second):
			t.Fatalf("replica %d still running %v after SIGTERM", i, time.Since(termAt).Round(time.Millisecond))
		}
		if p.Err() != nil {
			t.Errorf("replica %d exited with %v after SIGTERM, want status 0", i, p.Err())
		}
		exited := time.Since(termAt)
		r.start(t, i)
		t.Logf("replica %d: exited %v after SIGTERM, ready again %v after it", i, exited.Round(time.Millisecond), (time.Since(termAt) - exited).Round(time.Millisecond))
	}
	time.Sleep(2 * time.Second)
	stats := load.stop()
	t.Logf("mixed load through the rolling restart: %s", stats)
	if stats.failed > 0 || stats.serverErrors > 0 || stats.unexpected > 0 {
		t.Errorf("rolling restart: %d requests failed, %d answered 5xx, %d answered otherwise unexpectedly; first: %s",
			stats.failed, stats.serverErrors, stats.unexpected, strings.Join(stats.firstProblems, "; "))
	}
	if stats.aliasRaces == 0 || stats.creates == 0 || stats.redirects == 0 {
		t.Errorf("the load made %d creates, %d redirects, %d alias races: the mix did not run", stats.creates, stats.redirects, stats.aliasRaces)
	}
	load.checkEveryCreateResolves(t)
	checkNoCodeTwice(t, r, load)
}

// checkNoCodeTwice: the codes acknowledged are distinct, the database
// holds one row per acknowledged create of the load (no create applied
// twice or without its answer), and no code the two batch loops left in
// the pool is one already in use.
func checkNoCodeTwice(t *testing.T, r *replicas, load *mixedLoad) {
	t.Helper()
	codes := load.codes()
	seen := make(map[string]bool, len(codes))
	for _, c := range codes {
		if seen[c] {
			t.Errorf("code %s acknowledged twice", c)
		}
		seen[c] = true
	}
	db := testenv.SQL(t, r.dbURL)
	var rows int
	if err := db.Get(&rows, `SELECT count(*) FROM short_link WHERE url LIKE $1`, load.urlPrefix+"%"); err != nil {
		t.Fatal(err)
	}
	if rows != len(codes) {
		t.Errorf("the database holds %d links of the load, %d creates were acknowledged", rows, len(codes))
	}
	var dupes int
	if err := db.Get(&dupes, `SELECT count(*) FROM (SELECT code FROM short_link GROUP BY code HAVING count(*) > 1) d`); err != nil {
		t.Fatal(err)
	}
	if dupes > 0 {
		t.Errorf("%d codes have more than one row", dupes)
	}
	client, err := newCodesClient(r.env["REDIS_CODES_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool, err := client.Do(ctx, client.B().Smembers().Key(poolKey).Build()).AsStrSlice()
	if err != nil {
		t.Fatal(err)
	}
	reused := 0
	for _, c := range pool {
		if seen[c] {
			reused++
		}
	}
	if reused > 0 {
		t.Errorf("%d codes in the pool were already handed out: the batch loops minted a code twice", reused)
	}
	t.Logf("%d acknowledged creates, %d distinct codes, %d rows; %d codes left in the pool, none in use", len(codes), len(seen), rows, len(pool))
}
