//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

var generatedCode = regexp.MustCompile(`^[0-9A-Za-z]{7}$`)

// testRoutes checks every route of SPEC §2 through nginx. Cases are
// independent and run in parallel; each uses its own aliases.
func testRoutes(t *testing.T, s *stack) {
	env := s.front()
	const day = 24 * time.Hour

	t.Run("health is bare", func(t *testing.T) {
		t.Parallel()
		r := httpsuite.Get(t, env.BaseURL+"/v1/health")
		if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != `{"status":"ok"}` {
			t.Fatalf("health = %d %s", r.Status, r.Body)
		}
	})

	t.Run("ready answers the envelope", func(t *testing.T) {
		t.Parallel()
		r := httpsuite.Get(t, env.BaseURL+"/v1/ready")
		if r.Status != http.StatusOK || r.Envelope.Status != http.StatusOK || r.Field("status") != "ready" {
			t.Fatalf("ready = %d %s", r.Status, r.Body)
		}
	})

	t.Run("create answers the full envelope and short_url redirects", func(t *testing.T) {
		t.Parallel()
		const target = "https://example.com/a?b=c#d"
		before := time.Now()
		r := httpsuite.MustCreate(t, env, map[string]any{"url": target})
		after := time.Now()
		if r.Envelope.Status != http.StatusCreated {
			t.Fatalf("envelope status = %d: %s", r.Envelope.Status, r.Body)
		}
		code := r.Field("code")
		if !generatedCode.MatchString(code) {
			t.Fatalf("code %q is not 7 base62 characters", code)
		}
		if got, want := r.Field("short_url"), s.proxyURL+"/"+code; got != want {
			t.Fatalf("short_url = %q, want %q (PUBLIC_BASE_URL + / + code)", got, want)
		}
		if r.Field("url") != target {
			t.Fatalf("url = %q, want %q", r.Field("url"), target)
		}
		raw := r.Field("expires_at")
		expires, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil || !strings.HasSuffix(raw, "Z") {
			t.Fatalf("expires_at %q is not RFC 3339 in UTC: %v", raw, err)
		}
		if lo, hi := before.Add(14*day-time.Second), after.Add(14*day+time.Second); expires.Before(lo) || expires.After(hi) {
			t.Fatalf("expires_at = %s, want now + 14 days (between %s and %s)", raw, lo.UTC(), hi.UTC())
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("security headers lost on the way through nginx: %v", r.Header)
		}
		// The short URL is a real address: the front door answers it.
		if got := httpsuite.Get(t, r.Field("short_url")); got.Status != http.StatusFound || got.Header.Get("Location") != target {
			t.Fatalf("GET short_url = %d Location %q", got.Status, got.Header.Get("Location"))
		}
		expectRedirect(t, env, code, target)
	})

	t.Run("redirects carry the exact target", func(t *testing.T) {
		t.Parallel()
		for _, target := range []string{
			"https://example.com/p%20a%2Fth/%C3%BC?q=a%26b&empty=&eq=%3D&q=2#frag/ment?x=1",
			"http://example.com:8081/?next=https%3A%2F%2Fexample.org%2F%3Fa%3Db",
			"https://EXAMPLE.com/Case/Matters/?A=B",
			"https://example.com/" + strings.Repeat("x", 3000),
			"https://[2001:db8::1]:8443/v6?x=%25#%2F",
		} {
			code := httpsuite.MustCreate(t, env, map[string]any{"url": target}).Field("code")
			expectRedirect(t, env, code, target)
		}
	})

	t.Run("alias is the code and is 409 once taken", func(t *testing.T) {
		t.Parallel()
		r := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/mine", "alias": "e2e-Mine"})
		if r.Field("code") != "e2e-Mine" || r.Field("short_url") != s.proxyURL+"/e2e-Mine" {
			t.Fatalf("alias create = %s", r.Body)
		}
		expectRedirect(t, env, "e2e-Mine", "https://example.com/mine")
		expectStatus(t, httpsuite.Create(t, env, map[string]any{"url": "https://example.com/other", "alias": "e2e-Mine"}),
			http.StatusConflict, "alias is already taken")
		expectRedirect(t, env, "e2e-Mine", "https://example.com/mine")
		// Aliases are case-sensitive.
		httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/lower", "alias": "e2e-mine"})
		expectRedirect(t, env, "e2e-mine", "https://example.com/lower")
	})

	t.Run("alias cannot take a live generated code", func(t *testing.T) {
		t.Parallel()
		code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/generated"}).Field("code")
		expectStatus(t, httpsuite.Create(t, env, map[string]any{"url": "https://evil.example/", "alias": code}),
			http.StatusConflict, "alias is already taken")
		expectRedirect(t, env, code, "https://example.com/generated")
	})

	t.Run("32 concurrent creates of one alias have one winner", func(t *testing.T) {
		t.Parallel()
		const n = 32
		results := make([]result, n)
		body := []byte(`{"url":"https://example.com/race","alias":"e2e-race"}`)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				results[i] = send(http.DefaultClient, http.MethodPost, env.BaseURL+"/v1/shortlink", body, nil)
			})
		}
		close(start)
		wg.Wait()
		counts := map[int]int{}
		for _, r := range results {
			if r.err != nil {
				t.Fatalf("create: %v", r.err)
			}
			counts[r.status]++
		}
		if counts[http.StatusCreated] != 1 || counts[http.StatusConflict] != n-1 {
			t.Fatalf("statuses %v, want one 201 and %d 409s", counts, n-1)
		}
		expectRedirect(t, env, "e2e-race", "https://example.com/race")
	})

	t.Run("an expired link is 404 on both routes, cached or not", func(t *testing.T) {
		t.Parallel()
		expires := time.Now().Add(2 * time.Second)
		code := httpsuite.MustCreate(t, env, map[string]any{
			"url": "https://example.com/soon", "expires_at": expires.UTC().Format(time.RFC3339Nano),
		}).Field("code")
		expectRedirect(t, env, code, "https://example.com/soon") // now cached, for at most the time left
		time.Sleep(time.Until(expires) + 200*time.Millisecond)
		for _, path := range []string{"/" + code, "/v1/shortlink/" + code} {
			expectStatus(t, httpsuite.Get(t, env.BaseURL+path), http.StatusNotFound, "not found")
		}
	})

	t.Run("unknown code is 404", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/NoSuch1", "/v1/shortlink/NoSuch1", "/e2e-never-created"} {
			expectStatus(t, httpsuite.Get(t, env.BaseURL+path), http.StatusNotFound, "not found")
		}
	})

	t.Run("invalid code is 400", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/v1/shortlink/bad_code", "/-abc", "/abc-", "/" + strings.Repeat("a", 33), "/v1/shortlink/a.b", "/a%20b"} {
			expectStatus(t, httpsuite.Get(t, env.BaseURL+path), http.StatusBadRequest, "code:")
		}
	})

	t.Run("validation errors are 400 with a message", func(t *testing.T) {
		t.Parallel()
		httpsuite.ExpectBadCreates(t, env, time.Now())
	})

	t.Run("wrong content type is 415", func(t *testing.T) {
		t.Parallel()
		body := []byte(`{"url":"https://example.com"}`)
		for _, ct := range []string{"text/plain", "", "application/x-www-form-urlencoded"} {
			expectStatus(t, httpsuite.Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", ct, body), http.StatusUnsupportedMediaType, "application/json")
		}
	})

	t.Run("a 17 KiB body is 413 from nginx, in the envelope", func(t *testing.T) {
		t.Parallel()
		big := []byte(`{"url":"https://example.com","pad":"` + strings.Repeat("x", 17<<10) + `"}`)
		r := httpsuite.Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", "application/json", big)
		expectStatus(t, r, http.StatusRequestEntityTooLarge, "too large")
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("413 Content-Type = %q", r.Header.Get("Content-Type"))
		}
	})

	t.Run("X-Forwarded-For from the client is not believed", func(t *testing.T) {
		t.Parallel()
		// A client on 127.0.0.2, which TRUSTED_PROXIES does not name, claims
		// to be 1.2.3.4; nginx appends 127.0.0.2 and the api must stop there.
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext,
		}}
		id := "e2e-xff-" + randomHex(6)
		r := send(client, http.MethodPost, env.BaseURL+"/v1/shortlink", []byte(`{"url":"https://example.com/xff"}`),
			http.Header{"X-Forwarded-For": {"1.2.3.4"}, "X-Request-Id": {id}})
		if r.err != nil || r.status != http.StatusCreated {
			t.Fatalf("create with a spoofed X-Forwarded-For: %d %v %s", r.status, r.err, r.body)
		}
		line := waitLogLine(t, s.api, id)
		if line["client_ip"] != "127.0.0.2" {
			t.Fatalf("access log client_ip = %v, want 127.0.0.2 (the address nginx saw): %v", line["client_ip"], line)
		}
		// From a loopback client, a spoofed header still works normally.
		for _, path := range []string{"/v1/health", "/v1/ready", "/NoSuch1"} {
			r := send(http.DefaultClient, http.MethodGet, env.BaseURL+path, nil, http.Header{"X-Forwarded-For": {"1.2.3.4, garbage, ::1"}})
			if r.err != nil || r.status >= 500 {
				t.Fatalf("GET %s with a spoofed X-Forwarded-For: %d %v", path, r.status, r.err)
			}
		}
	})
}

// result is one request's outcome, for requests made off the test goroutine.
type result struct {
	status int
	body   []byte
	err    error
}

// send makes one request with a JSON body (when body is not nil) and never
// fails the test, so goroutines may call it.
func send(client *http.Client, method, url string, body []byte, header http.Header) result {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, body: b, err: err}
}

// waitLogLine returns the api's JSON access log line of the request with id.
func waitLogLine(t *testing.T, p *testenv.Process, id string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, raw := range strings.Split(p.Output(), "\n") {
			if !strings.Contains(raw, id) {
				continue
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(raw), &line); err == nil && line["request_id"] == id {
				return line
			}
		}
	}
	t.Fatalf("no access log line with request_id %s", id)
	return nil
}

func expectStatus(t *testing.T, r httpsuite.Response, status int, errorContains string) {
	t.Helper()
	if r.Status != status || r.Envelope.Status != status {
		t.Fatalf("status = %d (envelope %d), want %d; body %s", r.Status, r.Envelope.Status, status, r.Body)
	}
	if errorContains != "" && !strings.Contains(r.ErrorMessage(), errorContains) {
		t.Fatalf("error = %q, want it to contain %q", r.ErrorMessage(), errorContains)
	}
}

// expectRedirect checks both redirect routes answer 302 to location.
func expectRedirect(t *testing.T, env httpsuite.Env, code, location string) {
	t.Helper()
	for _, path := range []string{"/v1/shortlink/" + code, "/" + code} {
		r := httpsuite.Get(t, env.BaseURL+path)
		if r.Status != http.StatusFound || r.Header.Get("Location") != location {
			t.Fatalf("GET %s = %d Location %q; want 302 to %q (body %s)", path, r.Status, r.Header.Get("Location"), location, r.Body)
		}
	}
}
