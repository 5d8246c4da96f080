package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// TestCreateCredentials checks who may create with ANONYMOUS_CREATE off,
// and with API_KEYS set: workspace editors and owners, admins, and API_KEYS
// keys; not viewers, not strangers, not nobody.
func TestCreateCredentials(t *testing.T) {
	t.Parallel()
	const apiKey = "create-only-key-0123456789"
	for _, c := range []struct {
		name      string
		configure func(cfg *config.Config)
	}{
		{"ANONYMOUS_CREATE=false", func(cfg *config.Config) { cfg.AnonymousCreate = false; cfg.APIKeys = nil }},
		{"API_KEYS", func(cfg *config.Config) { cfg.APIKeys = []string{apiKey} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			store := memory.NewLinkStore()
			env := httpsuite.StartInProcess(t, httpsuite.Parts{
				Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second), Configure: c.configure,
			})
			ws := httpsuite.CreateWorkspace(t, env, "creators")
			editor := httpsuite.CreateKey(t, env, ws.OwnerKey, "editor")
			viewer := httpsuite.CreateKey(t, env, ws.OwnerKey, "viewer")
			for _, k := range []struct {
				who, key string
				status   int
			}{
				{"nobody", "", http.StatusUnauthorized},
				{"a stranger", "not-a-key-0123456789", http.StatusUnauthorized},
				{"a viewer", viewer.Key, http.StatusForbidden},
				{"an editor", editor.Key, http.StatusCreated},
				{"an owner", ws.OwnerKey, http.StatusCreated},
				{"an admin", httpsuite.AdminKey, http.StatusCreated},
			} {
				r := httpsuite.Send(t, env, http.MethodPost, "/v1/shortlink", k.key, map[string]any{"url": "https://example.com/" + url.PathEscape(k.who)})
				if r.Status != k.status {
					t.Errorf("create by %s = %s, want %d", k.who, r, k.status)
				}
			}
			if c.name == "API_KEYS" {
				if r := httpsuite.Send(t, env, http.MethodPost, "/v1/shortlink", apiKey, map[string]any{"url": "https://example.com/k"}); r.Status != http.StatusCreated {
					t.Errorf("create with an API_KEYS key = %s, want 201", r)
				}
			}
		})
	}
}
