package httpsuite

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/testkit"
)

// FindCounter is a link store that counts its lookups (Find): what the
// cache tiers and the miss limit spare the store, measured per route.
type FindCounter struct {
	ports.LinkStore
	finds atomic.Int64
}

// CountFinds wraps store.
func CountFinds(store ports.LinkStore) *FindCounter { return &FindCounter{LinkStore: store} }

// Find implements ports.LinkStore, counting.
func (s *FindCounter) Find(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, error) {
	s.finds.Add(1)
	return s.LinkStore.Find(ctx, code, now)
}

// Finds is how many lookups reached the store.
func (s *FindCounter) Finds() int64 { return s.finds.Load() }

// LookupCostMissLimit is MISS_RATE_LIMIT of the API CheckLookupCosts runs
// against.
const LookupCostMissLimit = 5

// CheckLookupCosts checks what each route that names a code costs the
// store, against an API configured with MISS_RATE_LIMIT =
// LookupCostMissLimit and a rate limiter, whose store is finds, and which
// no other test uses (its one client gets throttled). A hot, cached
// link's redirects, public info, QR codes and previews cost no lookup; a
// client scanning random codes costs at most LookupCostMissLimit lookups,
// whichever routes it uses, public or not, and gets 429 with Retry-After
// for the rest.
func CheckLookupCosts(t *testing.T, env Env, finds *FindCounter) {
	t.Helper()
	const n = 100
	l := CreateLink(t, env, "https://example.com/hot")
	for _, path := range []string{"/" + l.Code, "/v1/shortlink/" + l.Code + "/info"} {
		if r := Get(t, env.BaseURL+path); r.Status != http.StatusFound && r.Status != http.StatusOK {
			t.Fatalf("GET %s of a new link = %s", path, r)
		}
	}
	for _, route := range []struct{ name, path string }{
		{"redirect", "/" + l.Code},
		{"redirect by the API route", "/v1/shortlink/" + l.Code},
		{"public info", "/v1/shortlink/" + l.Code + "/info"},
		{"QR code", "/v1/shortlink/" + l.Code + "/qr"},
		{"preview", "/" + l.Code + "+"},
	} {
		before := finds.Finds()
		for i := range n {
			method := http.MethodGet
			if i%4 == 3 {
				method = http.MethodHead
			}
			if r := Send(t, env, method, route.path, "", nil); r.Status != http.StatusFound && r.Status != http.StatusOK {
				t.Fatalf("%s %s of a hot link = %s", method, route.path, r)
			}
		}
		if cost := finds.Finds() - before; cost != 0 {
			t.Errorf("%d %ss of a hot, cached link cost %d store lookups, want 0", n, route.name, cost)
		}
	}

	// A scan of random codes, by one client, through every route that
	// names a code, with and without credentials.
	before := finds.Finds()
	refused := 0
	routes := []struct {
		name, method string
		path         func(code string) string
		bearer       string
	}{
		{"public info", http.MethodGet, func(c string) string { return "/v1/shortlink/" + c + "/info" }, ""},
		{"redirect", http.MethodGet, func(c string) string { return "/" + c }, ""},
		{"preview", http.MethodGet, func(c string) string { return "/" + c + "+" }, ""},
		{"QR code", http.MethodGet, func(c string) string { return "/v1/shortlink/" + c + "/qr" }, ""},
		{"info with a key", http.MethodGet, func(c string) string { return "/v1/shortlink/" + c + "/info" }, AdminKey},
		{"stats", http.MethodGet, func(c string) string { return "/v1/shortlink/" + c + "/stats" }, AdminKey},
		{"PATCH", http.MethodPatch, func(c string) string { return "/v1/shortlink/" + c }, AdminKey},
		{"DELETE", http.MethodDelete, func(c string) string { return "/v1/shortlink/" + c }, l.Token},
	}
	for _, route := range routes {
		for i := range n {
			var body any
			if route.method == http.MethodPatch {
				body = map[string]any{"disabled": true}
			}
			code := fmt.Sprintf("scan%s%d", testkit.RandomHex(4), i)
			r := Send(t, env, route.method, route.path(code), route.bearer, body)
			switch r.Status {
			case http.StatusNotFound:
			case http.StatusTooManyRequests:
				refused++
				if wait, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || wait < 1 {
					t.Fatalf("%s %s: 429 with Retry-After %q, want whole seconds", route.method, route.path(code), r.Header.Get("Retry-After"))
				}
			default:
				t.Fatalf("%s of an unknown code (%s): %s, want 404 or 429", route.name, route.path(code), r)
			}
		}
	}
	cost := finds.Finds() - before
	if cost > LookupCostMissLimit {
		t.Errorf("%d lookups of random codes from one client cost %d store lookups, want at most %d (MISS_RATE_LIMIT)", n*len(routes), cost, LookupCostMissLimit)
	}
	if refused < n*len(routes)-LookupCostMissLimit {
		t.Errorf("%d of %d lookups of random codes were refused with 429, want all but %d", refused, n*len(routes), LookupCostMissLimit)
	}
	// The throttled client still gets the link the cache holds.
	testkit.ExpectRedirect(t, env.BaseURL+"/"+l.Code, l.Target)
	t.Logf("%d lookups of random codes over %d routes cost %d store lookups; %d answered 429", n*len(routes), len(routes), cost, refused)
}
