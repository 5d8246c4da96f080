// Package httpsuite is the HTTP-level behaviour of SPEC §2 as one test
// suite, run against every way the API can be assembled: in-memory fakes,
// Postgres and Redis, the embedded store. Each run gets its own server and a
// clock the suite can move.
package httpsuite

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Env is one running API under test.
type Env struct {
	// BaseURL is where the API listens, e.g. http://127.0.0.1:1234.
	BaseURL string
	// PublicBaseURL is what the API was told short URLs start with.
	PublicBaseURL string
	// Clock is the API's clock.
	Clock *Clock
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

// Response is a decoded API response.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Envelope struct {
		Status int            `json:"status"`
		Data   map[string]any `json:"data"`
	}
}

// ErrorMessage is data.error of an error envelope.
func (r Response) ErrorMessage() string { s, _ := r.Envelope.Data["error"].(string); return s }

// Field is data.<name> of an envelope, as a string.
func (r Response) Field(name string) string { s, _ := r.Envelope.Data[name].(string); return s }

var client = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Do sends one request and decodes the envelope when there is one.
func Do(t testing.TB, method, url, contentType string, body []byte) Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	r := Response{Status: resp.StatusCode, Header: resp.Header}
	if r.Body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	// Every JSON body is the envelope, but /v1/health's, kept bare for compatibility.
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !strings.HasSuffix(url, "/v1/health") {
		if err := json.Unmarshal(r.Body, &r.Envelope); err != nil {
			t.Fatalf("%s %s: body is not the JSON envelope: %v: %s", method, url, err, r.Body)
		}
	}
	return r
}

// Create posts a create request with body as JSON.
func Create(t testing.TB, env Env, body any) Response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", "application/json", raw)
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

// Get sends a GET without following redirects.
func Get(t testing.TB, url string) Response {
	t.Helper()
	return Do(t, http.MethodGet, url, "", nil)
}

var generatedCode = regexp.MustCompile(`^[0-9A-Za-z]{7}$`)

func expectStatus(t *testing.T, r Response, status int, errorContains string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if r.Envelope.Status != status {
		t.Fatalf("envelope status = %d, want %d; body %s", r.Envelope.Status, status, r.Body)
	}
	if errorContains != "" && !strings.Contains(r.ErrorMessage(), errorContains) {
		t.Fatalf("error = %q, want it to contain %q", r.ErrorMessage(), errorContains)
	}
}

func expectRedirect(t *testing.T, env Env, code, location string) {
	t.Helper()
	for _, path := range []string{"/v1/shortlink/" + code, "/" + code} {
		r := Get(t, env.BaseURL+path)
		if r.Status != http.StatusFound || r.Header.Get("Location") != location {
			t.Fatalf("GET %s = %d Location %q; want 302 to %q (body %s)", path, r.Status, r.Header.Get("Location"), location, r.Body)
		}
	}
}
