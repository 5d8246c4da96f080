package httpapi_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// startGuardedAPI serves the in-memory API with a rate limiter, and with
// the create guards configure turns on.
func startGuardedAPI(t *testing.T, configure func(cfg *config.Config)) httpsuite.Env {
	t.Helper()
	store := memory.NewLinkStore()
	return httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, time.Second),
		Limiter: memory.NewRateLimiter(),
		Configure: func(cfg *config.Config) {
			cfg.TrustedProxies = []string{"127.0.0.1/32"}
			configure(cfg)
		},
	})
}

// post creates a link and returns the response with its body drained and closed.
func post(t *testing.T, env httpsuite.Env, headers map[string]string) (status int, header http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.BaseURL+"/v1/shortlink", strings.NewReader(`{"url":"https://example.com"}`))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func TestRateLimitPerClientAddress(t *testing.T) {
	t.Parallel()
	env := startGuardedAPI(t, func(cfg *config.Config) { cfg.CreateRateLimit = 2 })
	alice := map[string]string{"X-Forwarded-For": "198.51.100.1"}
	for i := range 2 {
		if status, _ := post(t, env, alice); status != http.StatusCreated {
			t.Fatalf("create %d = %d", i+1, status)
		}
	}
	status, header := post(t, env, alice)
	retry, _ := strconv.Atoi(header.Get("Retry-After"))
	if status != http.StatusTooManyRequests || retry < 1 || retry > 60 {
		t.Fatalf("3rd create = %d, Retry-After %q; want 429 with 1..60", status, header.Get("Retry-After"))
	}
	// The loopback peer is a trusted proxy, so the forwarded address is the client.
	if status, _ := post(t, env, map[string]string{"X-Forwarded-For": "198.51.100.2"}); status != http.StatusCreated {
		t.Fatalf("another client was limited too: %d", status)
	}
	// Resolves are never rate limited.
	if r := httpsuite.Get(t, env.BaseURL+"/Unknown"); r.Status != http.StatusNotFound {
		t.Fatalf("resolve = %d", r.Status)
	}
}

func TestRequireAPIKey(t *testing.T) {
	t.Parallel()
	const key = "k3y-0123456789abcdef"
	// A key configured with spaces around it ("a, b") is the key without them.
	env := startGuardedAPI(t, func(cfg *config.Config) {
		cfg.APIKeys = []string{"other-key-0123456789", key, " spaced-key-0123456789"}
	})
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"no key", nil, http.StatusUnauthorized},
		{"wrong key", map[string]string{"X-API-Key": "k3y-0123456789abcdeX"}, http.StatusUnauthorized},
		{"prefix of a key", map[string]string{"X-API-Key": "k3y"}, http.StatusUnauthorized},
		{"bearer", map[string]string{"Authorization": "Bearer " + key}, http.StatusCreated},
		{"bearer any case", map[string]string{"Authorization": "bearer " + key}, http.StatusCreated},
		{"x-api-key", map[string]string{"X-API-Key": key}, http.StatusCreated},
		{"a key configured with spaces", map[string]string{"Authorization": "Bearer spaced-key-0123456789"}, http.StatusCreated},
		{"basic auth is not a key", map[string]string{"Authorization": "Basic " + key}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header := post(t, env, tt.headers)
			if status != tt.want {
				t.Fatalf("status = %d, want %d", status, tt.want)
			}
			if tt.want == http.StatusUnauthorized && header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
	if r := httpsuite.Get(t, env.BaseURL+"/Unknown"); r.Status != http.StatusNotFound {
		t.Fatalf("resolves must stay public: %d", r.Status)
	}
}
