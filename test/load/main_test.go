package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI answers like shortlink: 201 envelopes on create and a 302 on
// GET /{code}. Its redirect targets point at example.com, so a client that
// followed a redirect would fail the test.
type fakeAPI struct {
	mu      sync.Mutex
	links   map[string]string
	seq     atomic.Int64
	creates atomic.Int64
	gets    atomic.Int64
	failGet atomic.Bool
	// host, when set, is the only Host the fake answers: any other gets
	// 404, as shortlink answers a Host that is no registered short domain
	// once several are registered.
	host string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case f.host != "" && r.Host != f.host:
		http.NotFound(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/shortlink":
		f.creates.Add(1)
		if r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want json", http.StatusUnsupportedMediaType)
			return
		}
		var in struct {
			URL string `json:"url"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.URL == "" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		code := "c" + strconv.FormatInt(f.seq.Add(1), 36)
		f.mu.Lock()
		f.links[code] = in.URL
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": 201, "data": map[string]string{
			"code": code, "short_url": "http://localhost:8080/" + code, "url": in.URL,
			"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		}})
	case r.Method == http.MethodGet:
		f.gets.Add(1)
		if f.failGet.Load() {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		f.mu.Lock()
		target, ok := f.links[strings.TrimPrefix(r.URL.Path, "/")]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, target, http.StatusFound)
	default:
		http.NotFound(w, r)
	}
}

func newFake(t *testing.T) (*fakeAPI, *httptest.Server) {
	t.Helper()
	f := &fakeAPI{links: map[string]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func testConfig(t *testing.T, target string, args ...string) config {
	t.Helper()
	args = append([]string{"-target", target, "-vus", "4", "-duration", "400ms", "-ramp-up", "100ms"}, args...)
	cfg, err := parseConfig(args, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig(%q): %v", args, err)
	}
	return cfg
}

func TestCreateScenarioPasses(t *testing.T) {
	f, srv := newFake(t)
	cfg := testConfig(t, srv.URL, "-scenario", "create")
	s, err := run(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Passed || s.Failed != 0 || s.Requests == 0 {
		t.Fatalf("want a passing run, got %+v", s)
	}
	// Requests in flight when the run ends are cut and not counted.
	if got := f.creates.Load(); got < int64(s.Requests) || got > int64(s.Requests+cfg.Profile.VUs) {
		t.Fatalf("server saw %d creates, summary counts %d", got, s.Requests)
	}
	if s.Statuses["201"] != s.Requests {
		t.Fatalf("statuses %v", s.Statuses)
	}
}

func TestRedirectScenarioSeedsAndDoesNotFollow(t *testing.T) {
	f, srv := newFake(t)
	cfg := testConfig(t, srv.URL, "-scenario", "redirect", "-seed", "7")
	s, err := run(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.creates.Load(); got != 7 {
		t.Fatalf("setup created %d links, want 7", got)
	}
	if !s.Passed || s.Failed != 0 || s.Statuses["302"] != s.Requests || s.Requests == 0 {
		t.Fatalf("want only passing 302s, got %+v", s)
	}
	if got := f.gets.Load(); got < int64(s.Requests) || got > int64(s.Requests+cfg.Profile.VUs) {
		t.Fatalf("server saw %d GETs, summary counts %d", got, s.Requests)
	}
}

// TestHostHeaderNamesTheShortDomain: -header "Host: …" is the requests'
// Host (net/http would drop it from the header map), so a run against
// 127.0.0.1 reaches a service with several short domains.
func TestHostHeaderNamesTheShortDomain(t *testing.T) {
	f, srv := newFake(t)
	f.host = "sho.rt"
	cfg := testConfig(t, srv.URL, "-scenario", "mixed", "-seed", "5")
	if _, err := run(context.Background(), cfg, io.Discard); err == nil {
		t.Fatal("without -header Host the fake answers 404: the run should fail its setup")
	}
	cfg = testConfig(t, srv.URL, "-scenario", "mixed", "-seed", "5", "-header", "Host: sho.rt", "-header", "X-API-Key: k1")
	s, err := run(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Passed || s.Failed != 0 || s.Statuses["302"] == 0 || s.Statuses["201"] == 0 {
		t.Fatalf("want passing creates and redirects on Host sho.rt, got %+v", s)
	}
}

func TestFailuresBreachThreshold(t *testing.T) {
	f, srv := newFake(t)
	f.failGet.Store(true)
	cfg := testConfig(t, srv.URL, "-scenario", "redirect", "-seed", "3")
	s, err := run(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.Passed || s.FailRate != 1 || s.Failures["status 500 (want 302)"] == 0 {
		t.Fatalf("want a failing run, got %+v", s)
	}
	var out strings.Builder
	s.print(&out)
	if !strings.Contains(out.String(), "result     FAIL") {
		t.Fatalf("summary does not say FAIL:\n%s", out.String())
	}
}

func TestSlowResponsesBreachP95(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		(&fakeAPI{links: map[string]string{}}).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(t, srv.URL, "-scenario", "create", "-p95", "5ms")
	s, err := run(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.Passed || s.Failed != 0 {
		t.Fatalf("want a run failing on latency only, got %+v", s)
	}
}

func TestSeedFailureIsASetupError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"status":429,"data":{"error":"rate limited"}}`, http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(t, srv.URL, "-scenario", "redirect", "-seed", "5")
	_, err := run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "status 429") {
		t.Fatalf("want a seeding error naming the 429, got %v", err)
	}
}

func TestRefusesRemoteTarget(t *testing.T) {
	// 192.0.2.0/24 is TEST-NET-1: never routed; the guard refuses it
	// before any traffic.
	cfg := testConfig(t, "http://192.0.2.1:8080", "-scenario", "create")
	_, err := run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not a loopback") {
		t.Fatalf("want a refusal, got %v", err)
	}
	if err := checkLoopback(context.Background(), "http://localhost:8080"); err != nil {
		t.Fatalf("localhost refused: %v", err)
	}
	if err := checkLoopback(context.Background(), "http://[::1]:8080"); err != nil {
		t.Fatalf("::1 refused: %v", err)
	}
}

func TestParseConfigProfilesAndErrors(t *testing.T) {
	t.Setenv("MODE", "stress")
	t.Setenv("TARGET", "http://127.0.0.1:9999/")
	cfg, err := parseConfig([]string{"-scenario", "redirect"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Profile != profiles["redirect"]["stress"] || cfg.Target != "http://127.0.0.1:9999" {
		t.Fatalf("got %+v", cfg)
	}
	for _, args := range [][]string{
		{},
		{"-scenario", "delete"},
		{"-scenario", "create", "-mode", "soak"},
		{"-scenario", "create", "-target", "ftp://x"},
		{"-scenario", "create", "-duration", "1s", "-ramp-up", "2s"},
		{"-scenario", "create", "-header", "novalue"},
		{"-scenario", "create", "extra"},
	} {
		if _, err := parseConfig(args, io.Discard); err == nil {
			t.Errorf("parseConfig(%q): want an error", args)
		}
	}
	cfg, err = parseConfig([]string{"-scenario", "create", "-header", "X-API-Key: k1"}, io.Discard)
	if err != nil || cfg.Headers.Get("X-API-Key") != "k1" {
		t.Fatalf("header flag: %v %v", cfg.Headers, err)
	}
}

func TestRealMainExitCodes(t *testing.T) {
	_, srv := newFake(t)
	args := []string{"-target", srv.URL, "-scenario", "create", "-vus", "2", "-duration", "200ms", "-ramp-up", "0s",
		"-json", t.TempDir() + "/s.json"}
	if code := realMain(args, io.Discard, io.Discard); code != 0 {
		t.Fatalf("passing run: exit %d", code)
	}
	if code := realMain([]string{"-scenario", "nope"}, io.Discard, io.Discard); code != 2 {
		t.Fatalf("usage error: exit %d", code)
	}
}

func TestMixedScenarioCreatesAndRedirectsAndSamplesMemory(t *testing.T) {
	f, srv := newFake(t)
	cfg := testConfig(t, srv.URL, "-scenario", "mixed", "-seed", "5", "-pid", strconv.Itoa(os.Getpid()))
	s, err := run(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Passed || s.Failed != 0 || s.Statuses["201"] == 0 || s.Statuses["302"] <= s.Statuses["201"] {
		t.Fatalf("want passing creates and more redirects, got %+v", s)
	}
	// Requests cut short by the end of the run reach the server uncounted.
	if got, counted := f.creates.Load(), int64(5+s.Statuses["201"]); got < counted || got > counted+int64(cfg.Profile.VUs) {
		t.Fatalf("server saw %d creates; setup 5 + run %d", got, s.Statuses["201"])
	}
	if s.Memory == nil || s.Memory.Samples == 0 || s.Memory.PeakMiB <= 0 {
		t.Fatalf("memory of this process was not sampled: %+v", s.Memory)
	}
}
