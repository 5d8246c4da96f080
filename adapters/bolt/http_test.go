package bolt_test

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// startEmbeddedAPI serves the API as embedded mode assembles it: the bolt
// store at path and the in-process cache, no pool.
func startEmbeddedAPI(t *testing.T, path string) (httpsuite.Env, *bolt.Store) {
	t.Helper()
	store := openStore(t, path)
	cache := testenv.MemoryCache(t, time.Hour, 10*time.Second)
	env := httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: cache,
	})
	return env, store
}

// TestAPIEmbedded runs the whole HTTP contract against the embedded store.
func TestAPIEmbedded(t *testing.T) {
	t.Parallel()
	httpsuite.Run(t, func(t *testing.T) httpsuite.Env {
		env, _ := startEmbeddedAPI(t, tempDB(t))
		return env
	})
}

// TestPermanentLinksEmbedded runs the permanent links' cases with MAX_TTL=never.
func TestPermanentLinksEmbedded(t *testing.T) {
	t.Parallel()
	httpsuite.RunPermanent(t, func(t *testing.T) httpsuite.Env {
		store := openStore(t, tempDB(t))
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second), Configure: httpsuite.AllowPermanent,
		})
	})
}

func TestLinksSurviveRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), bolt.FileName)
	before, store := startEmbeddedAPI(t, path)
	code := httpsuite.MustCreate(t, before, map[string]any{"url": "https://example.com/durable"}).Field("code")
	httpsuite.MustCreate(t, before, map[string]any{"url": "https://example.com/alias", "alias": "kept"})
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	after, _ := startEmbeddedAPI(t, path) // new process state: empty cache, reopened file
	for path, location := range map[string]string{"/" + code: "https://example.com/durable", "/v1/shortlink/kept": "https://example.com/alias"} {
		r := httpsuite.Get(t, after.BaseURL+path)
		if r.Status != http.StatusFound || r.Header.Get("Location") != location {
			t.Fatalf("GET %s after restart = %d %q, want 302 to %s", path, r.Status, r.Header.Get("Location"), location)
		}
	}
	if r := httpsuite.Create(t, after, map[string]any{"url": "https://example.com/x", "alias": "kept"}); r.Status != http.StatusConflict {
		t.Fatalf("alias after restart = %d, want 409", r.Status)
	}
	if next := httpsuite.MustCreate(t, after, map[string]any{"url": "https://example.com/next"}).Field("code"); next == code {
		t.Fatalf("code %s handed out again after restart", code)
	}
}
