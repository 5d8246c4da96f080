//go:build integration

package integration

import (
	"fmt"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// The visit tests run the api binary and count visits through its HTTP
// API: the redirects, and GET /v1/shortlink/{code}/stats.

const visitAdminKey = "visits-admin-key-0123456789"

// visitEnv is baseEnv with an admin key and flushInterval.
func visitEnv(s *testenv.Stack, flushInterval time.Duration) map[string]string {
	// Every dimension on: the exactly-once and outage tests count them too.
	return s.Env(baseEnv, map[string]string{"ADMIN_KEYS": visitAdminKey, "VISIT_FLUSH_INTERVAL": flushInterval.String(), "VISIT_DIMENSIONS": "true"})
}

// visitAll sends visits to the short URL of code, alternating between
// bases, from 8 workers, failing the test unless each is a 302.
func visitAll(t *testing.T, bases []string, code string, visits []testkit.Visit) {
	t.Helper()
	var (
		next   atomic.Int64
		wg     sync.WaitGroup
		counts tally
	)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(visits); i = int(next.Add(1) - 1) {
				r := testkit.SendVisit(loadClient, bases[i%len(bases)]+"/"+code, visits[i])
				if r.Err != nil || r.Status != http.StatusFound {
					counts.problem(fmt.Sprintf("visit %d: %s", i, r))
				}
			}
		})
	}
	wg.Wait()
	counts.check(t)
}

// statsNow reads the link's stats once, with the admin key.
func statsNow(t *testing.T, base, code string) testkit.Stats {
	t.Helper()
	stats, r := testkit.GetStats(loadClient, base, code, visitAdminKey, "")
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("stats of %s: %s", code, r)
	}
	return stats
}

// TestVisitsOfTwoAPIsAddUpExactly: N redirects with browsers, crawlers,
// previewers and curl, some HEAD, several referrers, spread over two api
// processes sharing Postgres; one flush interval later the stats show
// exactly N, humans and bots apart, referrer hosts ranked.
func TestVisitsOfTwoAPIsAddUpExactly(t *testing.T) {
	const interval = time.Second
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := visitEnv(s, interval)
	one, two := testenv.StartAPI(t, bin, env), testenv.StartAPI(t, bin, env)
	created := create(one.BaseURL(), "https://example.com/two-apis")
	code, token := created.Field("code"), created.Field("manage_token")
	if code == "" {
		t.Fatalf("create: %s", created)
	}

	visits := testkit.MixedVisits(1000)
	visitAll(t, []string{one.BaseURL(), two.BaseURL()}, code, visits)
	time.Sleep(interval + interval/2) // one interval for the flush, half for the write
	humans, bots, refs := testkit.Tally(visits)
	stats := statsNow(t, two.BaseURL(), code)
	if stats.Total != int64(len(visits)) || stats.Humans != humans || stats.Bots != bots {
		t.Fatalf("stats one interval after %d visits: %d (%d humans, %d bots); want exactly %d (%d humans, %d bots)",
			len(visits), stats.Total, stats.Humans, stats.Bots, len(visits), humans, bots)
	}
	if fmt.Sprint(stats.Referrers) != fmt.Sprint(refs) {
		t.Fatalf("referrers = %v, want %v", stats.Referrers, refs)
	}
	if own, r := testkit.GetStats(loadClient, one.BaseURL(), code, token, "interval=hour"); r.Status != http.StatusOK || own.Total != stats.Total {
		t.Fatalf("the owner's hourly stats from the other api: %s", r)
	}
	for _, api := range []*testenv.Process{one, two} {
		if recorded := testkit.Metric(t, api.BaseURL(), "shortlink_visits_recorded_total"); recorded < 300 {
			t.Errorf("%s recorded %v visits; the load should reach both apis", api.BaseURL(), recorded)
		}
		if dropped := testkit.Metric(t, api.BaseURL(), "shortlink_visits_dropped_total"); dropped != 0 {
			t.Errorf("%s dropped %v visits", api.BaseURL(), dropped)
		}
	}
	t.Logf("%d visits over two apis: %d humans, %d bots, referrers %v", stats.Total, stats.Humans, stats.Bots, stats.Referrers)
}

// TestVisitsAreWrittenAtSIGTERM: with a flush interval far longer than
// the test, the visits reach Postgres only through the flush that follows
// the server's drain; a new api then shows exactly N.
func TestVisitsAreWrittenAtSIGTERM(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := visitEnv(s, time.Minute)
	api := testenv.StartAPI(t, bin, env)
	code := mustCreate(t, api.BaseURL(), "https://example.com/sigterm")
	visits := testkit.MixedVisits(500)
	visitAll(t, []string{api.BaseURL()}, code, visits)
	api.Terminate()
	select {
	case <-api.Done():
		if api.Err() != nil {
			t.Fatalf("api exited with %v after SIGTERM:\n%s", api.Err(), api.Output())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("api did not exit within 30 s of SIGTERM")
	}
	restarted := testenv.StartAPI(t, bin, env)
	if stats := statsNow(t, restarted.BaseURL(), code); stats.Total != int64(len(visits)) {
		t.Fatalf("after SIGTERM and a restart: %d visits, want exactly %d", stats.Total, len(visits))
	}
}

// TestKill9LosesAtMostOneInterval: killed with SIGKILL one interval after
// the last redirect, the api has written every visit; killed in the middle
// of a load, it loses at most the visits of the last interval, and the
// stats never show more visits than were answered.
func TestKill9LosesAtMostOneInterval(t *testing.T) {
	const interval = time.Second
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := visitEnv(s, interval)

	api := testenv.StartAPI(t, bin, env)
	waited := mustCreate(t, api.BaseURL(), "https://example.com/kill-after-wait")
	visits := testkit.MixedVisits(400)
	visitAll(t, []string{api.BaseURL()}, waited, visits)
	time.Sleep(interval + interval/2)
	api.Kill()

	api = testenv.StartAPI(t, bin, env)
	if stats := statsNow(t, api.BaseURL(), waited); stats.Total != int64(len(visits)) {
		t.Fatalf("kill -9 one interval after %d visits: %d counted, want all", len(visits), stats.Total)
	}

	// Under load: every 302 is noted with the time it was answered.
	loaded := mustCreate(t, api.BaseURL(), "https://example.com/kill-under-load")
	var (
		mu       sync.Mutex
		answered []time.Time
		killedAt time.Time
		killing  atomic.Bool
	)
	killer := time.AfterFunc(2500*time.Millisecond, func() {
		killing.Store(true)
		mu.Lock()
		killedAt = time.Now()
		mu.Unlock()
		api.Kill()
	})
	defer killer.Stop()
	mix := testkit.MixedVisits(len(testkit.UserAgents) * 5)
	hammer(6, 100_000, 4*time.Second, func(w, i int) bool {
		if killing.Load() {
			return false
		}
		r := testkit.SendVisit(loadClient, api.BaseURL()+"/"+loaded, mix[(w*7+i)%len(mix)])
		if r.Err == nil && r.Status == http.StatusFound {
			mu.Lock()
			answered = append(answered, time.Now())
			mu.Unlock()
		}
		return true
	})
	if !killing.Load() {
		t.Fatal("the load ended before the kill")
	}
	restarted := testenv.StartAPI(t, bin, env)
	counted := statsNow(t, restarted.BaseURL(), loaded).Total
	mu.Lock()
	defer mu.Unlock()
	n := int64(len(answered))
	var lastInterval int64 // answered within one interval (and the write's slack) of the kill
	for _, at := range answered {
		if at.After(killedAt.Add(-interval - 250*time.Millisecond)) {
			lastInterval++
		}
	}
	t.Logf("kill -9 under load: %d redirects answered, %d counted after a restart: %d lost (%.1f%%); %d were answered in the last interval before the kill",
		n, counted, n-counted, 100*float64(n-counted)/float64(n), lastInterval)
	if counted > n {
		t.Fatalf("%d visits counted, more than the %d answered", counted, n)
	}
	if counted < n-lastInterval {
		t.Fatalf("%d visits counted of %d answered: lost %d, more than the %d of the last interval", counted, n, n-counted, lastInterval)
	}
}

// TestVisitsSurvivePostgresOutage stops a private Postgres for 5 s under a
// redirect load of a cached link: every redirect still answers 302 and,
// once Postgres is back, every one of them is counted, once.
func TestVisitsSurvivePostgresOutage(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	pg := testenv.StartPostgresServer(t)
	s := testenv.NewStack(t, pg.Database("shortlink"))
	env := visitEnv(s, time.Second)
	maps.Copy(env, map[string]string{"REQUEST_TIMEOUT": "2s"})
	api := testenv.StartAPI(t, bin, env)
	code := mustCreate(t, api.BaseURL(), "https://example.com/pg-outage")

	var (
		ok     atomic.Int64
		counts tally
		phase  atomic.Value
	)
	phase.Store("up")
	mix := testkit.MixedVisits(len(testkit.UserAgents) * 5)
	done := make(chan struct{})
	go func() {
		defer close(done)
		hammer(4, 100_000, 9*time.Second, func(w, i int) bool {
			r := testkit.SendVisit(loadClient, api.BaseURL()+"/"+code, mix[(w*3+i)%len(mix)])
			counts.add(fmt.Sprintf("%-5s %d", phase.Load(), r.Status))
			if r.Err != nil || r.Status != http.StatusFound {
				counts.problem(fmt.Sprintf("redirect while Postgres is %s: %s", phase.Load(), r))
				return true
			}
			ok.Add(1)
			time.Sleep(2 * time.Millisecond) // a steady load, not a flood
			return true
		})
	}()
	time.Sleep(1500 * time.Millisecond)
	pg.Stop()
	phase.Store("down")
	time.Sleep(5 * time.Second)
	pg.Start()
	phase.Store("back")
	<-done
	counts.check(t)
	stats := httpsuite.WaitForVisits(t, api.BaseURL(), code, visitAdminKey, "", ok.Load())
	t.Logf("redirects across a 5 s Postgres outage (phase, status → count):%s\nall %d counted once", counts.String(), stats.Total)
	if dropped := testkit.Metric(t, api.BaseURL(), "shortlink_visits_dropped_total"); dropped != 0 {
		t.Errorf("%v visits dropped", dropped)
	}
}
