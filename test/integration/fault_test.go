//go:build integration

package integration

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// The fault tests run one at a time (no t.Parallel), before the parallel
// tests start, so their load has the machine to itself.

// TestAcknowledgedCreatesSurviveKill9 kills the api with SIGKILL halfway
// through a create load and starts a new one: every code the first process
// answered 201 for resolves to its URL, read from Postgres (the cache is
// flushed first), because a 201 means the link was committed.
func TestAcknowledgedCreatesSurviveKill9(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"POOL_TARGET": "5000", "POOL_LOW_WATER": "1000"})
	testenv.RunBinary(t, bin, "batch", env, "--once")
	api := testenv.StartAPI(t, bin, env)
	base := api.BaseURL()

	var (
		mu      sync.Mutex
		acked   = map[string]string{} // code → target
		counts  tally
		killing atomic.Bool
	)
	killer := time.AfterFunc(1500*time.Millisecond, func() {
		killing.Store(true)
		api.Kill()
	})
	defer killer.Stop()
	hammer(8, 2000, 3*time.Second, func(w, i int) bool {
		target := fmt.Sprintf("https://example.com/kill/%d/%d", w, i)
		sentBeforeKill := !killing.Load()
		r := create(base, target)
		switch {
		case r.Err != nil && sentBeforeKill && !killing.Load():
			counts.problem("before the kill: " + r.String())
		case r.Err != nil && sentBeforeKill:
			counts.add("in flight at the kill")
		case r.Err != nil:
			counts.add("refused after the kill")
			time.Sleep(10 * time.Millisecond) // the api is gone; do not spin
		case r.Status == http.StatusCreated && r.Field("url") == target:
			counts.add("201")
			mu.Lock()
			defer mu.Unlock()
			if code := r.Field("code"); acked[code] != "" {
				counts.problem(fmt.Sprintf("code %s answered twice, for %s and %s", code, acked[code], target))
			} else {
				acked[code] = target
			}
		default:
			counts.add(fmt.Sprintf("status %d", r.Status))
			counts.problem(r.String())
		}
		return true
	})
	if !killing.Load() {
		t.Fatal("the load ended before the kill")
	}
	counts.check(t)

	// Serve every resolve from Postgres: a cache entry is no proof of a commit.
	cache := redisClient(t, s.Cache)
	do(t, cache, cache.B().Flushall().Build())
	restarted := testenv.StartAPI(t, bin, env)
	lost := 0
	for code, target := range acked {
		if r := resolve(restarted.BaseURL(), code); r.Err != nil || r.Status != http.StatusFound || r.Location() != target {
			lost++
			t.Errorf("acknowledged code %s: %v, Location %q; want 302 to %s", code, r, r.Location(), target)
		}
	}
	rows := countLinks(t, s.DatabaseURL)
	inFlight, refused := counts.get("in flight at the kill"), counts.get("refused after the kill")
	t.Logf("kill -9 at 1.5 s under 8 create workers: %d requests: %d acknowledged (201), %d failed in flight, "+
		"%d refused afterwards; %d acknowledged links lost; %d rows in Postgres (%d committed but never answered)",
		counts.get("201")+inFlight+refused, len(acked), inFlight, refused, lost, rows, rows-len(acked))
	if len(acked) == 0 || inFlight+refused == 0 {
		t.Fatalf("the kill did not land mid-load: %d acknowledged, %d errors", len(acked), inFlight+refused)
	}
	if rows < len(acked) {
		t.Fatalf("Postgres holds %d links, fewer than the %d acknowledged", rows, len(acked))
	}
	code := mustCreate(t, restarted.BaseURL(), "https://example.com/after-restart")
	if acked[code] != "" {
		t.Fatalf("the restarted api handed out %s again", code)
	}
}

// TestRedirectsRideOutPostgresRestart stops a private Postgres under a
// redirect load and starts it again, without touching the api: links in the
// cache keep redirecting (302) throughout, links only Postgres knows answer
// 503 with the generic message while it is down (never 500), and every link
// redirects again once it is back.
func TestRedirectsRideOutPostgresRestart(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	pg := testenv.StartPostgresServer(t)
	s := testenv.NewStack(t, pg.Database("shortlink"))
	env := s.Env(baseEnv, map[string]string{"POOL_TARGET": "1000", "POOL_LOW_WATER": "100"})
	testenv.RunBinary(t, bin, "batch", env, "--once")
	api := testenv.StartAPI(t, bin, env)
	base := api.BaseURL()

	type link struct{ code, target string }
	const n = 100
	links := make([]link, n)
	for i := range links {
		target := fmt.Sprintf("https://example.com/pg-restart/%d", i)
		links[i] = link{mustCreate(t, base, target), target}
	}
	cache := redisClient(t, s.Cache)
	do(t, cache, cache.B().Flushall().Build()) // forget the write-through entries…
	warm, cold := links[:n/2], links[n/2:]
	for _, l := range warm { // …and cache half the links again by reading them
		testkit.ExpectRedirect(t, base+"/"+l.code, l.target)
	}

	const (
		up = iota
		down
		back
	)
	phaseNames := []string{"before", "down", "back"}
	var (
		phase  atomic.Int32
		counts tally
		done   = make(chan struct{})
		loaded sync.WaitGroup
	)
	loaded.Go(func() {
		hammer(6, 5000, 8*time.Second, func(w, i int) bool {
			select {
			case <-done:
				return false
			default:
			}
			startPhase := phase.Load()
			// Cold links are only asked for once Postgres is down: a read
			// while it is up would cache them.
			isCold := startPhase != up && i%2 == 1
			l := warm[rand.IntN(len(warm))]
			if isCold {
				l = cold[rand.IntN(len(cold))]
			}
			r := resolve(base, l.code)
			endPhase := phase.Load()
			kind := "cached"
			if isCold {
				kind = "uncached"
			}
			counts.add(fmt.Sprintf("%-6s %-8s %d", phaseNames[startPhase], kind, r.Status))
			switch {
			case problem(r) != "":
				counts.problem(problem(r))
			case r.Status == http.StatusFound && r.Location() != l.target:
				counts.problem(fmt.Sprintf("%s redirected to %s, want %s", l.code, r.Location(), l.target))
			case !isCold && r.Status != http.StatusFound:
				counts.problem(fmt.Sprintf("cached %s during %s: %s", l.code, phaseNames[startPhase], r))
			case isCold && startPhase == down && endPhase == down && r.Status != http.StatusServiceUnavailable:
				counts.problem(fmt.Sprintf("uncached %s with Postgres down: %s, want 503", l.code, r))
			case isCold && r.Status != http.StatusFound && r.Status != http.StatusServiceUnavailable:
				counts.problem(fmt.Sprintf("uncached %s during %s: %s", l.code, phaseNames[startPhase], r))
			}
			return true
		})
	})

	time.Sleep(700 * time.Millisecond)
	pg.Stop()
	phase.Store(down)
	time.Sleep(300 * time.Millisecond)
	if status, downs := ready(t, base); status != http.StatusServiceUnavailable || !slices.Equal(downs, []string{"postgres"}) {
		t.Errorf("/v1/ready with Postgres down = %d %v, want 503 naming postgres", status, downs)
	}
	r := create(base, "https://example.com/pg-restart/during")
	if p := problem(r); p != "" || r.Status != http.StatusServiceUnavailable {
		t.Errorf("create with Postgres down = %v (%s), want 503 with the generic message", r, p)
	}
	time.Sleep(1200 * time.Millisecond)
	phase.Store(back)
	started := time.Now()
	pg.Start()
	t.Logf("private Postgres restarted in %v", time.Since(started).Round(time.Millisecond))
	time.Sleep(1500 * time.Millisecond)
	close(done)
	loaded.Wait()

	took := testkit.Eventually(t, 10*time.Second, "every link redirects after Postgres came back", func() error {
		for _, l := range links {
			if r := resolve(base, l.code); r.Status != http.StatusFound || r.Location() != l.target {
				return fmt.Errorf("%s: %v", l.code, r)
			}
		}
		return nil
	})
	t.Logf("redirect load across a Postgres restart (phase, link, status → count):%s\nall %d links redirect %v after the load",
		counts.String(), n, took.Round(time.Millisecond))
	counts.check(t)
	if counts.get(fmt.Sprintf("%-6s %-8s %d", "down", "uncached", 503)) == 0 || counts.get(fmt.Sprintf("%-6s %-8s %d", "down", "cached", 302)) == 0 {
		t.Fatalf("the load did not exercise both kinds of link while Postgres was down")
	}
}

// slowReply bounds any reply while a Redis is down or frozen: a few
// REDIS_TIMEOUTs (200 ms) and slack for a race-instrumented binary.
const slowReply = 1500 * time.Millisecond

// TestRedisOutagesUnderLoad stops the cache Redis, then the codes Redis,
// each for a second, then freezes each (SIGSTOP: connections stay open,
// nothing answers), under a mixed create and redirect load on the api
// binary: no reply is a 5xx (503 included) or slower than slowReply, every
// create is 201 and every redirect 302 to the right URL.
func TestRedisOutagesUnderLoad(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"POOL_TARGET": "3000", "POOL_LOW_WATER": "500", "POOL_TAKE_BATCH": "20"})
	testenv.RunBinary(t, bin, "batch", env, "--once")
	api := testenv.StartAPI(t, bin, env)
	base := api.BaseURL()

	type link struct{ code, target string }
	var (
		mu    sync.Mutex
		links []link
	)
	for i := range 50 {
		target := fmt.Sprintf("https://example.com/redis-load/seed/%d", i)
		links = append(links, link{mustCreate(t, base, target), target})
	}
	pick := func() link {
		mu.Lock()
		defer mu.Unlock()
		return links[rand.IntN(len(links))]
	}
	cacheErrors := testkit.Metric(t, base, "shortlink_cache_errors_total")
	fallbacks := testkit.Metric(t, base, "shortlink_pool_fallbacks_total")

	var (
		phase  atomic.Value
		counts tally
		done   = make(chan struct{})
		loaded sync.WaitGroup
	)
	phase.Store("healthy")
	loaded.Go(func() {
		hammer(6, 5000, 10*time.Second, func(w, i int) bool {
			select {
			case <-done:
				return false
			default:
			}
			name := phase.Load().(string)
			start := time.Now()
			defer func() {
				// A frozen Redis is bounded by REDIS_TIMEOUT (200 ms) per operation.
				if took := time.Since(start); took > slowReply {
					counts.problem(fmt.Sprintf("a reply during %s took %v", name, took.Round(time.Millisecond)))
				}
			}()
			if i%3 == 0 {
				target := fmt.Sprintf("https://example.com/redis-load/%d/%d", w, i)
				r := create(base, target)
				counts.add(fmt.Sprintf("%-11s create   %d", name, r.Status))
				if r.Err != nil || r.Status != http.StatusCreated || r.Field("url") != target {
					counts.problem(fmt.Sprintf("create during %s: %s", name, r))
					return true
				}
				mu.Lock()
				links = append(links, link{r.Field("code"), target})
				mu.Unlock()
				return true
			}
			l := pick()
			r := resolve(base, l.code)
			counts.add(fmt.Sprintf("%-11s redirect %d", name, r.Status))
			if r.Err != nil || r.Status != http.StatusFound || r.Location() != l.target {
				counts.problem(fmt.Sprintf("redirect %s during %s: %s (Location %q)", l.code, name, r, r.Location()))
			}
			return true
		})
	})
	step := func(name string, d time.Duration, action func()) {
		action()
		phase.Store(name)
		time.Sleep(d)
	}
	step("healthy", 600*time.Millisecond, func() {})
	step("cache down", time.Second, s.Cache.Stop)
	step("cache back", 600*time.Millisecond, s.Cache.Start)
	step("codes down", time.Second, s.Codes.Stop)
	step("codes back", 600*time.Millisecond, s.Codes.Start)
	step("cache frozen", time.Second, s.Cache.Pause)
	step("cache thawed", 600*time.Millisecond, s.Cache.Resume)
	step("codes frozen", time.Second, s.Codes.Pause)
	step("codes thawed", 600*time.Millisecond, s.Codes.Resume)
	close(done)
	loaded.Wait()

	t.Logf("mixed load while each Redis goes down (phase, kind, status → count):%s", counts.String())
	counts.check(t)
	if got := testkit.Metric(t, base, "shortlink_cache_errors_total"); got <= cacheErrors {
		t.Errorf("shortlink_cache_errors_total did not move (%v) while the cache Redis was down", got)
	}
	if got := testkit.Metric(t, base, "shortlink_pool_fallbacks_total"); got <= fallbacks {
		t.Errorf("shortlink_pool_fallbacks_total did not move (%v) while the codes Redis was down", got)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, l := range links {
		testkit.ExpectRedirect(t, base+"/"+l.code, l.target)
	}
}

func countLinks(t *testing.T, dbURL string) int {
	t.Helper()
	var n int
	if err := testenv.SQL(t, dbURL).Get(&n, `SELECT count(*) FROM short_link`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHungPostgresAnswers503WithinRequestTimeout freezes a private Postgres
// (SIGSTOP: sockets stay open, nothing answers, as in a network partition)
// under an api with REQUEST_TIMEOUT=1s: cached links still redirect at once,
// while uncached redirects and creates answer 503 within the request
// timeout, and /v1/ready names postgres, instead of hanging until Postgres
// answers again. Postgres is resumed after 5 s whatever happens, so a hang
// shows up as a late reply rather than a stuck test.
func TestHungPostgresAnswers503WithinRequestTimeout(t *testing.T) {
	const (
		requestTimeout = time.Second
		deadline       = requestTimeout + time.Second // slack for a race-instrumented binary
	)
	bin := testenv.BuildBinaries(t)
	pg := testenv.StartPostgresServer(t)
	s := testenv.NewStack(t, pg.Database("shortlink"))
	api := testenv.StartAPI(t, bin, s.Env(baseEnv, map[string]string{"REQUEST_TIMEOUT": requestTimeout.String()}))
	base := api.BaseURL()
	type link struct{ code, target string }
	links := make([]link, 20)
	for i := range links {
		target := fmt.Sprintf("https://example.com/hung/%d", i)
		links[i] = link{mustCreate(t, base, target), target}
	}
	cache := redisClient(t, s.Cache)
	do(t, cache, cache.B().Flushall().Build())
	warm, cold := links[:10], links[10:]
	for _, l := range warm {
		testkit.ExpectRedirect(t, base+"/"+l.code, l.target)
	}

	pg.Pause()
	resumed := time.AfterFunc(5*time.Second, pg.Resume)
	defer resumed.Stop()
	var (
		counts tally
		wg     sync.WaitGroup
	)
	timed := func(what string, call func() testkit.Response, want int) {
		wg.Go(func() {
			start := time.Now()
			r := call()
			took := time.Since(start)
			counts.add(fmt.Sprintf("%-16s %d", what, r.Status))
			switch {
			case what == "ready" && r.Err == nil:
				data := r.Envelope.Data
				if down, _ := data["down"].([]any); !slices.Equal(down, []any{"postgres"}) {
					counts.problem("ready does not name postgres alone: " + r.String())
				}
			case problem(r) != "":
				counts.problem(fmt.Sprintf("%s: %s after %v", what, problem(r), took.Round(time.Millisecond)))
			}
			switch {
			case r.Err == nil && r.Status != want:
				counts.problem(fmt.Sprintf("%s: %s, want %d", what, r, want))
			case r.Err == nil && took > deadline:
				counts.problem(fmt.Sprintf("%s answered %d after %v, beyond REQUEST_TIMEOUT %v", what, r.Status, took.Round(time.Millisecond), requestTimeout))
			}
		})
	}
	for _, l := range warm {
		timed("cached resolve", func() testkit.Response { return resolve(base, l.code) }, http.StatusFound)
	}
	for _, l := range cold {
		timed("uncached resolve", func() testkit.Response { return resolve(base, l.code) }, http.StatusServiceUnavailable)
	}
	for i := range 3 {
		timed("create", func() testkit.Response { return create(base, fmt.Sprintf("https://example.com/hung/new/%d", i)) }, http.StatusServiceUnavailable)
	}
	timed("ready", func() testkit.Response {
		return testkit.Send(loadClient, http.MethodGet, base+"/v1/ready", "", nil, nil)
	}, http.StatusServiceUnavailable)
	wg.Wait()
	t.Logf("with Postgres frozen (kind, status → count):%s", counts.String())
	counts.check(t)

	resumed.Stop()
	pg.Resume()
	testkit.Eventually(t, 10*time.Second, "every link redirects once Postgres answers again", func() error {
		for _, l := range links {
			if r := resolve(base, l.code); r.Status != http.StatusFound || r.Location() != l.target {
				return fmt.Errorf("%s: %v", l.code, r)
			}
		}
		return nil
	})
}
