package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestManagementWhileTheStoreIsDown: with the store down, every
// management route and the public routes that read the store answer 503
// with the generic message (the preview page in HTML), nothing is half
// applied (the cached link keeps redirecting, and once the store is back
// the link is as it was), and management works again.
func TestManagementWhileTheStoreIsDown(t *testing.T) {
	t.Parallel()
	env, store := startMemoryAPI(t)
	l := httpsuite.CreateLink(t, env, "https://example.com/store-down")
	path := "/v1/shortlink/" + l.Code
	before := httpsuite.Send(t, env, http.MethodGet, path+"/info", l.Token, nil)

	store.SetDown(true)
	for _, tc := range []struct {
		name, method, path, bearer string
		body                       any
	}{
		{"disable", http.MethodPatch, path, l.Token, map[string]any{"disabled": true}},
		{"admin disable", http.MethodPatch, path, httpsuite.AdminKey, map[string]any{"disabled": true}},
		{"extend", http.MethodPatch, path, l.Token, map[string]any{"expires_at": "2099-01-01T00:00:00Z"}},
		{"delete", http.MethodDelete, path, l.Token, nil},
		{"owner info", http.MethodGet, path + "/info", l.Token, nil},
		{"public info", http.MethodGet, path + "/info", "", nil},
		{"qr", http.MethodGet, path + "/qr", "", nil},
	} {
		r := httpsuite.Send(t, env, tc.method, tc.path, tc.bearer, tc.body)
		if r.Status != http.StatusServiceUnavailable || r.ErrorMessage() != "service temporarily unavailable, please retry" {
			t.Errorf("%s with the store down = %s, want 503 with the generic message", tc.name, r)
		}
	}
	if r := httpsuite.Send(t, env, http.MethodGet, "/"+l.Code+"+", "", nil); r.Status != http.StatusServiceUnavailable ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("preview with the store down = %d %q, want a 503 page", r.Status, r.Header.Get("Content-Type"))
	}
	testkit.ExpectRedirect(t, env.BaseURL+"/"+l.Code, l.Target) // the cache was not touched

	store.SetDown(false)
	if after := httpsuite.Send(t, env, http.MethodGet, path+"/info", l.Token, nil); string(after.Body) != string(before.Body) {
		t.Fatalf("the link changed across the outage:\nbefore %s\nafter  %s", before.Body, after.Body)
	}
	testkit.ExpectRedirect(t, env.BaseURL+"/"+l.Code, l.Target)
	if r := httpsuite.Send(t, env, http.MethodDelete, path, l.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete once the store is back: %s", r)
	}
}
