package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestManagementWhileTheStoreIsDown: with the store down, every
// management route answers 503 with the generic message, and so do the
// public routes of a code the cache does not hold (the preview page in
// HTML), while those of a cached link answer from the cache; nothing is
// half applied (once the store is back the link is as it was), and
// management works again.
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
		{"public info, uncached", http.MethodGet, "/v1/shortlink/Uncached/info", "", nil},
		{"qr, uncached", http.MethodGet, "/v1/shortlink/Uncached/qr", "", nil},
	} {
		r := httpsuite.Send(t, env, tc.method, tc.path, tc.bearer, tc.body)
		if r.Status != http.StatusServiceUnavailable || r.Reason() != "unavailable" || r.ErrorMessage() != "service temporarily unavailable, please retry" {
			t.Errorf("%s with the store down = %s, want 503 unavailable with the generic message", tc.name, r)
		}
	}
	if r := httpsuite.Send(t, env, http.MethodGet, "/Uncached+", "", nil); r.Status != http.StatusServiceUnavailable ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("preview of an uncached code with the store down = %d %q, want a 503 page", r.Status, r.Header.Get("Content-Type"))
	}
	testkit.ExpectRedirect(t, env.BaseURL+"/"+l.Code, l.Target) // the cache was not touched
	for _, public := range []string{path + "/info", path + "/qr", "/" + l.Code + "+"} {
		if r := httpsuite.Send(t, env, http.MethodGet, public, "", nil); r.Status != http.StatusOK {
			t.Errorf("GET %s of the cached link with the store down = %s, want 200 from the cache", public, r)
		}
	}

	store.SetDown(false)
	if after := httpsuite.Send(t, env, http.MethodGet, path+"/info", l.Token, nil); string(after.Body) != string(before.Body) {
		t.Fatalf("the link changed across the outage:\nbefore %s\nafter  %s", before.Body, after.Body)
	}
	testkit.ExpectRedirect(t, env.BaseURL+"/"+l.Code, l.Target)
	if r := httpsuite.Send(t, env, http.MethodDelete, path, l.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete once the store is back: %s", r)
	}
}

// failingStore fails every lookup with err.
type failingStore struct {
	*memory.LinkStore
	err error
}

func (s failingStore) Find(context.Context, domain.Code, time.Time) (domain.ShortLink, error) {
	return domain.ShortLink{}, s.err
}

// TestPreviewFailuresAreLogged: the preview answers in HTML, but decides
// and logs its errors as every API route does: an outage as a warning, a
// failure as an error, what the client is not told in the log only.
func TestPreviewFailuresAreLogged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		status int
		line   string
	}{
		{"store down", fmt.Errorf("find: %w: connection refused", domain.ErrUnavailable), http.StatusServiceUnavailable, `"level":"WARN","msg":"dependency unavailable","route":"/:code","error":"find link abc: find: service temporarily unavailable: connection refused"`},
		{"store failing", errors.New("pq: something broke"), http.StatusInternalServerError, `"level":"ERROR","msg":"request failed","route":"/:code","error":"find link abc: pq: something broke"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&log, nil))
			store := failingStore{memory.NewLinkStore(), tc.err}
			caches := app.NewLinkCaches(testenv.MemoryCache(t, time.Hour, time.Second), nil, false)
			resolver := app.NewResolver(store, caches, app.SystemClock{}, app.MissLimit{}, logger)
			h := httpapi.NewHandler(httpapi.Deps{Resolver: resolver, Clock: app.SystemClock{}, Log: logger}, httpapi.Options{RequestTimeout: time.Second})
			router, err := httpapi.NewRouter(h, prometheus.NewRegistry(), nil)
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/abc+", nil))
			if rec.Code != tc.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || strings.Contains(rec.Body.String(), "pq:") {
				t.Fatalf("preview = %d %q, want a %d page that tells nothing of the cause: %s", rec.Code, rec.Header().Get("Content-Type"), tc.status, rec.Body)
			}
			if !strings.Contains(log.String(), tc.line) {
				t.Fatalf("log = %s, want a line with %s", log.String(), tc.line)
			}
		})
	}
}
