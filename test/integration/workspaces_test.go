//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// revocationBound is how soon after a revocation's answer the other
// replica must refuse the key, with the cache Redis frozen.
const revocationBound = time.Second

// TestWorkspacesAcrossReplicas is a team's day on two api binaries
// sharing one Postgres and one cache Redis: an owner makes an editor and a
// viewer key on A; the editor creates 50 tagged links on B; the viewer
// lists and filters them on A but cannot change one; another workspace
// sees none; an admin lists them and the anonymous links. With the cache
// Redis frozen, the owner revokes the editor's key on A, and B answers 401
// for it within revocationBound: the revocation reached B through
// Postgres (the change feed), not Redis.
func TestWorkspacesAcrossReplicas(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"ADMIN_KEYS": adminKey})
	a, b := startReady(t, bin, env), startReady(t, bin, env)
	at := func(base string) httpsuite.Env { return httpsuite.Env{BaseURL: base} }
	send := func(base, method, path, key string, body any) testkit.Response {
		return httpsuite.Send(t, at(base), method, path, key, body)
	}

	owner := createWorkspaceAt(t, a, "team")
	other := createWorkspaceAt(t, a, "others")
	editor := httpsuite.CreateKey(t, at(a), owner, "editor")
	viewer := httpsuite.CreateKey(t, at(a), owner, "viewer")
	anonymous := mustCreate(t, b, "https://example.com/anonymous")

	var codes []string
	for i := range 50 {
		r := send(b, http.MethodPost, "/v1/shortlink", editor.Key, map[string]any{
			"url": fmt.Sprintf("https://example.com/team/%d", i), "tags": []string{"team", fmt.Sprintf("batch-%d", i%5)},
		})
		if r.Status != http.StatusCreated {
			t.Fatalf("editor's create %d on B: %s", i, r)
		}
		codes = append(codes, r.Field("code"))
	}
	limit := "100"
	count := func(base, key, query string) int {
		t.Helper()
		total, cursor := 0, ""
		for {
			r := send(base, http.MethodGet, "/v1/shortlinks?limit="+limit+"&"+query+"&cursor="+cursor, key, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET /v1/shortlinks?%s = %s", query, r)
			}
			items, _ := r.Envelope.Data["items"].([]any)
			total += len(items)
			next, _ := r.Envelope.Data["next_cursor"].(string)
			if next == "" {
				return total
			}
			cursor = next
		}
	}
	if n := count(a, viewer.Key, ""); n != 50 {
		t.Fatalf("the viewer lists %d links on A, want 50", n)
	}
	// Pages of 7 follow the cursor to the same 50; each state filter answers.
	limit = "7"
	for query, want := range map[string]int{"": 50, "state=active": 50, "state=deleted": 0, "state=disabled": 0, "state=expired": 0} {
		if n := count(a, viewer.Key, query); n != want {
			t.Fatalf("in pages of 7 the viewer lists %d links (%s), want %d", n, query, want)
		}
	}
	limit = "100"
	if n := count(a, viewer.Key, "tag=batch-3"); n != 10 {
		t.Fatalf("the viewer lists %d links of tag batch-3, want 10", n)
	}
	if r := send(a, http.MethodPatch, "/v1/shortlink/"+codes[0], viewer.Key, map[string]any{"disabled": true}); r.Status != http.StatusForbidden {
		t.Fatalf("the viewer's change = %s, want 403", r)
	}
	if n := count(b, other, ""); n != 0 {
		t.Fatalf("another workspace lists %d links, want 0", n)
	}
	if r := send(b, http.MethodGet, "/v1/shortlink/"+codes[0]+"/info", other, nil); r.Status != http.StatusForbidden {
		t.Fatalf("another workspace's info = %s, want 403", r)
	}
	if n := count(b, adminKey, "tag=team"); n != 50 {
		t.Fatalf("the admin lists %d links of tag team, want 50", n)
	}
	if n := count(b, adminKey, "workspace=none&q="+anonymous); n != 1 {
		t.Fatalf("the admin lists %d anonymous links of code %s, want 1", n, anonymous)
	}

	// The key is in B's memory (it just created 50 links with it); Redis
	// freezes; the owner revokes on A.
	if r := send(b, http.MethodGet, "/v1/shortlinks?limit=1", editor.Key, nil); r.Status != http.StatusOK {
		t.Fatalf("editor's listing on B before the revocation = %s", r)
	}
	s.Cache.Pause()
	t.Cleanup(s.Cache.Resume)
	if r := send(a, http.MethodDelete, "/v1/keys/"+editor.ID, owner, nil); r.Status != http.StatusNoContent {
		t.Fatalf("revocation on A = %s, want 204", r)
	}
	answered := time.Now()
	var took time.Duration
	for {
		r := send(b, http.MethodGet, "/v1/shortlinks?limit=1", editor.Key, nil)
		if r.Status == http.StatusUnauthorized {
			took = time.Since(answered)
			break
		}
		if time.Since(answered) > 3*revocationBound {
			t.Fatalf("B still accepts the revoked key %v after the revocation: %s", time.Since(answered), r)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.Cache.Resume()
	t.Logf("revoked key refused on B %v after A's answer, the cache Redis frozen", took.Round(time.Millisecond))
	if took > revocationBound {
		t.Errorf("B refused the revoked key after %v, want within %v", took, revocationBound)
	}
	if r := send(b, http.MethodPost, "/v1/shortlink", editor.Key, map[string]any{"url": "https://example.com/late"}); r.Status != http.StatusUnauthorized {
		t.Fatalf("create with the revoked key on B = %s, want 401", r)
	}
}

// createWorkspaceAt creates a workspace on base with adminKey and returns
// its owner key.
func createWorkspaceAt(t *testing.T, base, name string) string {
	t.Helper()
	r := httpsuite.Send(t, httpsuite.Env{BaseURL: base}, http.MethodPost, "/v1/workspaces", adminKey, map[string]any{"name": name})
	key, _ := r.Envelope.Data["key"].(map[string]any)
	secret, _ := key["key"].(string)
	if r.Status != http.StatusCreated || secret == "" {
		t.Fatalf("create workspace on %s: %s", base, r)
	}
	return secret
}
