// Package httpsuite is the HTTP-level behaviour of the API as one test
// suite, run against every way the API can be assembled: in-memory fakes,
// Postgres and Redis, the embedded store (Run), and the real binaries behind
// nginx (RunClockFree: the cases that need no clock the suite can move).
package httpsuite

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// Env is one running API under test.
type Env struct {
	// BaseURL is where the API listens, e.g. http://127.0.0.1:1234.
	BaseURL string
	// PublicBaseURL is what the API was told short URLs start with.
	PublicBaseURL string
	// Clock is the API's clock; nil when the API reads the wall clock.
	Clock *Clock
}

// now is the API's time: its clock, else the wall clock.
func (e Env) now() time.Time {
	if e.Clock == nil {
		return time.Now().UTC()
	}
	return e.Clock.Now()
}

// Clock is a settable clock, safe for concurrent use. It stands still
// until FollowWallClock makes it run with the wall clock.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	running bool
	offset  time.Duration // running: Now is the wall clock plus offset
}

// NewClock returns a clock standing at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now.UTC()} }

// Now implements ports.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return time.Now().UTC().Add(c.offset)
	}
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.offset += d
}

// FollowWallClock sets the clock to the wall clock and keeps it running
// with it, for tests that meet real time elsewhere (Redis expiring keys).
func (c *Clock) FollowWallClock() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running, c.offset = true, 0
}

// Response is one answer of the API under test.
type Response = testkit.Response

// Get sends a GET without following redirects (testkit.Get).
func Get(t testing.TB, url string) Response {
	t.Helper()
	return testkit.Get(t, url)
}

// Create posts a create request with body as JSON.
func Create(t testing.TB, env Env, body any) Response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return testkit.Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", "application/json", raw)
}

// MustCreate creates a link and fails the test unless the API answers 201.
func MustCreate(t testing.TB, env Env, body any) Response {
	t.Helper()
	r := Create(t, env, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %v: status %d, body %s", body, r.Status, r.Body)
	}
	return r
}

var generatedCode = regexp.MustCompile(`^[0-9A-Za-z]{7}$`)
