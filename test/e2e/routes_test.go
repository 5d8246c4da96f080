//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// testRoutes checks every route of the API through nginx: the HTTP suite's
// clock-free cases, then what only a real deployment shows. Cases are
// independent and run in parallel; each uses its own aliases.
func testRoutes(t *testing.T, s *stack) {
	env := s.front()
	httpsuite.RunClockFree(t, func(*testing.T) httpsuite.Env { return env })

	t.Run("short_url is served at the front door", func(t *testing.T) {
		t.Parallel()
		const target = "https://example.com/front-door"
		r := httpsuite.MustCreate(t, env, map[string]any{"url": target})
		if !strings.HasPrefix(r.Field("short_url"), s.proxyURL+"/") {
			t.Fatalf("short_url = %q, want it under PUBLIC_BASE_URL %s", r.Field("short_url"), s.proxyURL)
		}
		testkit.ExpectRedirect(t, r.Field("short_url"), target)
	})

	t.Run("an expired link is 404 on both routes, cached or not", func(t *testing.T) {
		t.Parallel()
		expires := time.Now().Add(2 * time.Second)
		code := httpsuite.MustCreate(t, env, map[string]any{
			"url": "https://example.com/soon", "expires_at": expires.UTC().Format(time.RFC3339Nano),
		}).Field("code")
		testkit.ExpectRedirects(t, env.BaseURL, code, "https://example.com/soon") // now cached, for at most the time left
		time.Sleep(time.Until(expires) + 200*time.Millisecond)
		for _, path := range []string{"/" + code, "/v1/shortlink/" + code} {
			testkit.ExpectError(t, httpsuite.Get(t, env.BaseURL+path), http.StatusNotFound, "not_found", "")
		}
	})

	t.Run("X-Forwarded-For from the client is not believed", func(t *testing.T) {
		t.Parallel()
		// A client on 127.0.0.2, which TRUSTED_PROXIES does not name, claims
		// to be 1.2.3.4; nginx appends 127.0.0.2 and the api must stop there.
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext,
		}}
		id := "e2e-xff-" + testkit.RandomHex(6)
		r := testkit.Send(client, http.MethodPost, env.BaseURL+"/v1/shortlink", "application/json", []byte(`{"url":"https://example.com/xff"}`),
			http.Header{"X-Forwarded-For": {"1.2.3.4"}, "X-Request-Id": {id}})
		if r.Err != nil || r.Status != http.StatusCreated {
			t.Fatalf("create with a spoofed X-Forwarded-For: %s", r)
		}
		line := waitLogLine(t, s.api, id)
		if line["client_ip"] != "127.0.0.2" {
			t.Fatalf("access log client_ip = %v, want 127.0.0.2 (the address nginx saw): %v", line["client_ip"], line)
		}
		// From a loopback client, a spoofed header still works normally.
		for _, path := range []string{"/v1/health", "/v1/ready", "/NoSuch1"} {
			r := testkit.Send(nil, http.MethodGet, env.BaseURL+path, "", nil, http.Header{"X-Forwarded-For": {"1.2.3.4, garbage, ::1"}})
			if r.Err != nil || r.Status >= 500 {
				t.Fatalf("GET %s with a spoofed X-Forwarded-For: %s", path, r)
			}
		}
	})
}

// waitLogLine returns the api's JSON access log line of the request with id.
func waitLogLine(t *testing.T, p *testenv.Process, id string) map[string]any {
	t.Helper()
	var line map[string]any
	testkit.Eventually(t, 3*time.Second, "the access log line of request "+id, func() error {
		for _, raw := range strings.Split(p.Output(), "\n") {
			var parsed map[string]any
			if strings.Contains(raw, id) && json.Unmarshal([]byte(raw), &parsed) == nil && parsed["request_id"] == id {
				line = parsed
				return nil
			}
		}
		return errors.New("not written")
	})
	return line
}
