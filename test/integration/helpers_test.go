//go:build integration

package integration

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

const (
	codeSecret = "integration-test-secret"
	// unavailableMessage is the one thing a client learns about an outage.
	unavailableMessage = "service temporarily unavailable, please retry"
	// poolKey is the set the batch and the api share (redispool's default).
	poolKey = "shortlink:codes"
	// cachePrefix is the cache's default key prefix.
	cachePrefix = "shortlink:link:"
	// adapterTimeout bounds Redis operations of in-process APIs: generous,
	// so a slow race-instrumented run degrades no assertion about hits.
	adapterTimeout = time.Second
)

// baseEnv is the api and batch configuration every test starts from; a
// testenv.Stack adds its servers' URLs.
var baseEnv = map[string]string{
	"PUBLIC_BASE_URL": "http://sho.rt",
	"CODE_SECRET":     codeSecret,
	"LOG_LEVEL":       "warn",
}

// inProcessAPI is the real use cases and HTTP adapter around the real
// Postgres and Redis adapters, served in this process, so -race sees them:
// an in-process cache in front of the cache Redis, kept in step by the
// store's change feed, as the api is wired.
type inProcessAPI struct {
	httpsuite.Env
	store *postgres.Store
	local *memory.Cache
	cache *rediscache.Cache
	pool  *redispool.Pool
}

// hits are the lookups either cache tier answered with a link.
func (api inProcessAPI) hits() uint64 { return api.local.Hits() + api.cache.Hits() }

// misses are the lookups neither tier could answer.
func (api inProcessAPI) misses() uint64 { return api.cache.Misses() }

func startInProcess(t *testing.T, s *testenv.Stack) inProcessAPI {
	t.Helper()
	return startInProcessWith(t, s, nil)
}

// startInProcessWith is startInProcess, its change feed wrapped by wrap
// when not nil.
func startInProcessWith(t *testing.T, s *testenv.Stack, wrap func(ports.ChangeFeed) ports.ChangeFeed) inProcessAPI {
	t.Helper()
	opts := postgres.Options{URL: s.DatabaseURL, MaxOpenConns: 8, Timeout: 5 * time.Second}
	store, err := postgres.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	feed := testenv.ChangeFeed(t, s.DatabaseURL)
	var changes ports.ChangeFeed = feed
	if wrap != nil {
		changes = wrap(feed)
	}
	cacheClient, err := redisclient.Dial(s.Cache.URL(), adapterTimeout, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cacheClient.Close)
	codesClient, err := redisclient.Dial(s.Codes.URL(), adapterTimeout, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(codesClient.Close)
	api := inProcessAPI{
		store: store,
		local: testenv.MemoryCache(t, time.Hour, 10*time.Second),
		cache: testenv.NewCache(t, cacheClient, rediscache.Options{Timeout: adapterTimeout}),
		pool:  testenv.NewPool(t, codesClient, redispool.Options{Timeout: adapterTimeout}),
	}
	api.Env = httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: api.cache, Local: api.local, Changes: changes, Pool: api.pool, Outbox: store,
	})
	return api
}

// redisClient is a plain client of a private Redis, for inspection.
func redisClient(t *testing.T, server *testenv.RedisProcess) rueidis.Client {
	t.Helper()
	client, err := redisclient.Dial(server.URL(), 2*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return client
}

// do runs one command against a test client, failing the test on error.
func do(t *testing.T, client rueidis.Client, cmd rueidis.Completed) rueidis.RedisResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp := client.Do(ctx, cmd)
	if err := resp.Error(); err != nil && !rueidis.IsRedisNil(err) {
		t.Fatalf("redis: %v", err)
	}
	return resp
}

func poolSize(t *testing.T, client rueidis.Client) int64 {
	t.Helper()
	n, err := do(t, client, client.B().Scard().Key(poolKey).Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func poolMembers(t *testing.T, client rueidis.Client) map[string]bool {
	t.Helper()
	members, err := do(t, client, client.B().Smembers().Key(poolKey).Build()).AsStrSlice()
	if err != nil {
		t.Fatal(err)
	}
	set := make(map[string]bool, len(members))
	for _, m := range members {
		set[m] = true
	}
	return set
}

// ---- HTTP without t.Fatal, for load loops and checks that must not stop at the first failure.

// loadClient gives up on a request after 5 s, so a hung api shows up as
// failed replies rather than a stuck loop.
var loadClient = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
	},
}

// create posts a create of target; the reply's code field is the new code.
func create(base, target string) testkit.Response {
	return testkit.SendJSON(loadClient, http.MethodPost, base+"/v1/shortlink", map[string]string{"url": target})
}

func createExpiring(base, target string, expiresAt time.Time) testkit.Response {
	return testkit.SendJSON(loadClient, http.MethodPost, base+"/v1/shortlink",
		map[string]string{"url": target, "expires_at": expiresAt.Format(time.RFC3339Nano)})
}

// resolve requests the short URL users share, /{code}.
func resolve(base, code string) testkit.Response {
	return testkit.Send(loadClient, http.MethodGet, base+"/"+code, "", nil, nil)
}

func mustCreate(t *testing.T, base, target string) string {
	t.Helper()
	r := create(base, target)
	if r.Err != nil || r.Status != http.StatusCreated || r.Field("url") != target {
		t.Fatalf("create %s: %v", target, r)
	}
	return r.Field("code")
}

// internals are fragments that only a leaked driver or Go error would put
// in an error response to a create or a redirect.
var internals = []string{"dial", "refused", "127.0.0.1", "pq:", "sql", "redis", "rueidis", "eof", "tcp", "panic", "goroutine", "i/o timeout", "broken pipe", "reset by peer"}

// problem says what is wrong with a reply to a create or a redirect that
// any outage may cause, or "" if nothing: a 500, a transport error, a
// 503 other than the generic one, or a body that leaks internals.
func problem(r testkit.Response) string {
	switch {
	case r.Err != nil:
		return r.String()
	case r.Status >= 500 && r.Status != http.StatusServiceUnavailable:
		return "server error: " + r.String()
	case r.Status == http.StatusServiceUnavailable:
		if r.Envelope.Status != 503 || r.ErrorMessage() != unavailableMessage || r.Reason() != "unavailable" {
			return "503 without the generic message and reason unavailable: " + r.String()
		}
	}
	if r.Status < 400 {
		return "" // the body is the client's own data, which may contain anything
	}
	lower := strings.ToLower(string(r.Body))
	for _, leak := range internals {
		if strings.Contains(lower, leak) {
			return fmt.Sprintf("body leaks %q: %s", leak, r)
		}
	}
	return ""
}

// noProblem fails the test when problem finds one.
func noProblem(t *testing.T, what string, r testkit.Response) {
	t.Helper()
	if p := problem(r); p != "" {
		t.Errorf("%s: %s", what, p)
	}
}

// ready returns /v1/ready's status and the dependencies it names as down.
func ready(t *testing.T, base string) (int, []string) {
	t.Helper()
	r := testkit.Send(loadClient, http.MethodGet, base+"/v1/ready", "", nil, nil)
	if r.Err != nil {
		t.Fatalf("GET /v1/ready: %v", r.Err)
	}
	data := r.Envelope.Data
	var down []string
	if list, ok := data["down"].([]any); ok {
		for _, d := range list {
			s, _ := d.(string)
			down = append(down, s)
		}
	}
	if r.Status == http.StatusServiceUnavailable {
		msg := r.ErrorMessage()
		for _, d := range down {
			if !strings.Contains(msg, d) {
				return r.Status, append(down, fmt.Sprintf("(message %q does not name %s)", msg, d))
			}
		}
	}
	slices.Sort(down)
	return r.Status, down
}

// tally counts outcomes by name; safe for concurrent use.
type tally struct {
	mu sync.Mutex
	n  map[string]int
	// problems keeps the first few problem descriptions for the failure message.
	problems []string
}

func (c *tally) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key]++
}

func (c *tally) problem(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n["PROBLEM"]++
	if len(c.problems) < 10 {
		c.problems = append(c.problems, what)
	}
}

func (c *tally) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *tally) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.n))
	for k := range c.n {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %-40s %d", k, c.n[k])
	}
	return b.String()
}

// check fails the test if any problem was counted.
func (c *tally) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n["PROBLEM"] > 0 {
		t.Errorf("%d problem replies, first ones:\n  %s", c.n["PROBLEM"], strings.Join(c.problems, "\n  "))
	}
}

// hammer runs workers, each calling step until it returns false, it has
// made maxPerWorker calls, or the run has lasted maxTime.
func hammer(workers, maxPerWorker int, maxTime time.Duration, step func(worker, i int) bool) {
	deadline := time.Now().Add(maxTime)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; i < maxPerWorker && time.Now().Before(deadline); i++ {
				if !step(w, i) {
					return
				}
			}
		})
	}
	wg.Wait()
}
