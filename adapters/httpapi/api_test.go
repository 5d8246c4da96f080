package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

func startMemoryAPI(t *testing.T) (httpsuite.Env, *memory.LinkStore) {
	t.Helper()
	store := memory.NewLinkStore()
	cache := testenv.MemoryCache(t, time.Hour, 10*time.Second)
	env := httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: cache,
	})
	return env, store
}

// TestAPI runs the whole HTTP contract against in-memory ports: no server needed.
func TestAPI(t *testing.T) {
	t.Parallel()
	httpsuite.Run(t, func(t *testing.T) httpsuite.Env {
		env, _ := startMemoryAPI(t)
		return env
	})
}

// TestPermanentLinks runs the permanent links' cases with MAX_TTL=never.
func TestPermanentLinks(t *testing.T) {
	t.Parallel()
	httpsuite.RunPermanent(t, func(t *testing.T) httpsuite.Env {
		store := memory.NewLinkStore()
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second), Configure: httpsuite.AllowPermanent,
		})
	})
}

func TestStoreOutage(t *testing.T) {
	t.Parallel()
	env, store := startMemoryAPI(t)
	code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/cached"}).Field("code")
	store.SetDown(true)

	r := httpsuite.Create(t, env, map[string]any{"url": "https://example.com", "alias": "during-outage"})
	if r.Status != http.StatusServiceUnavailable || r.Reason() != "unavailable" || r.ErrorMessage() != "service temporarily unavailable, please retry" {
		t.Fatalf("create with the store down = %d %s, want 503 unavailable without internals", r.Status, r.Body)
	}
	if r := httpsuite.Get(t, env.BaseURL+"/"+code); r.Status != http.StatusFound {
		t.Fatalf("cached link with the store down = %d, want 302", r.Status)
	}
	if r := httpsuite.Get(t, env.BaseURL+"/Uncached"); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("uncached code with the store down = %d, want 503", r.Status)
	}
	r = httpsuite.Get(t, env.BaseURL+"/v1/ready")
	if r.Status != http.StatusServiceUnavailable || r.Reason() != "not_ready" || r.ErrorMessage() != "not ready: store unavailable" {
		t.Fatalf("ready with the store down = %d %s", r.Status, r.Body)
	}
	if r := httpsuite.Get(t, env.BaseURL+"/v1/health"); r.Status != http.StatusOK {
		t.Fatalf("health must not depend on the store: %d", r.Status)
	}

	store.SetDown(false)
	if r := httpsuite.Get(t, env.BaseURL+"/v1/ready"); r.Status != http.StatusOK {
		t.Fatalf("ready after recovery = %d %s", r.Status, r.Body)
	}
	httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com", "alias": "after-outage"})
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	t.Parallel()
	env, _ := startMemoryAPI(t)
	r := httpsuite.Get(t, env.BaseURL+"/v1/nothing/here")
	if r.Status != http.StatusNotFound || r.Envelope.Status != http.StatusNotFound || r.Reason() != "no_route" {
		t.Fatalf("unknown route = %d %s, want 404 no_route", r.Status, r.Body)
	}
}

func TestMetricsExposeRequests(t *testing.T) {
	t.Parallel()
	env, _ := startMemoryAPI(t)
	httpsuite.Get(t, env.BaseURL+"/v1/health")
	r := httpsuite.Get(t, env.BaseURL+"/metrics")
	if r.Status != http.StatusOK || !contains(r.Body, `shortlink_http_requests_total{method="GET",route="/v1/health",status="200"} 1`) {
		t.Fatalf("metrics lack the health request:\n%s", r.Body)
	}
}

// A forwarded query string that would pass MAX_URL_LENGTH sends the
// redirect to the plain target, and the metric counts it.
func TestForwardTooLongIsCounted(t *testing.T) {
	t.Parallel()
	env, _ := startMemoryAPI(t)
	code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/long", "forward_query": true}).Field("code")
	if r := httpsuite.Get(t, env.BaseURL+"/"+code+"?q="+strings.Repeat("x", 4090)); r.Header.Get("Location") != "https://example.com/long" {
		t.Fatalf("Location %q, want the plain target", r.Header.Get("Location"))
	}
	if r := httpsuite.Get(t, env.BaseURL+"/metrics"); !contains(r.Body, "shortlink_forward_query_too_long_total 1") {
		t.Fatalf("metrics lack the forward that was too long:\n%s", r.Body)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

func TestClientThatHangsUpIsNotCountedAsA5xx(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	blocked := &blockingStore{LinkStore: store, entered: make(chan struct{}, 1)}
	env := httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: blocked, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, time.Second),
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, env.BaseURL+"/v1/shortlink", strings.NewReader(`{"url":"https://example.com"}`))
	req.Header.Set("Content-Type", "application/json")
	go func() { <-blocked.entered; cancel() }()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request was answered although its client hung up")
	}
	metric := `shortlink_http_requests_total{method="POST",route="/v1/shortlink",status="499"} 1`
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		body := httpsuite.Get(t, env.BaseURL+"/metrics").Body
		if strings.Contains(string(body), metric) && !strings.Contains(string(body), `status="503"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %s (or count a 503):\n%s", metric, body)
		}
	}
}

// blockingStore holds every insert until the caller's context ends, as a
// slow database would, and then fails it the way the Postgres store does.
type blockingStore struct {
	*memory.LinkStore
	entered chan struct{}
}

func (s *blockingStore) Insert(ctx context.Context, _ domain.ShortLink, _ time.Time) (domain.ShortLink, error) {
	s.entered <- struct{}{}
	<-ctx.Done()
	return domain.ShortLink{}, fmt.Errorf("insert link: %w: %w", domain.ErrUnavailable, ctx.Err())
}
