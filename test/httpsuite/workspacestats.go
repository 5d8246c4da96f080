package httpsuite

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// workspaceStatsSumTheirLinks checks GET /v1/stats: a workspace's links'
// visits summed per day with its top links, for each of its keys and for
// an admin naming it; another workspace sees its own; no key is 401.
func workspaceStatsSumTheirLinks(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "counted")
	other := CreateWorkspace(t, env, "apart")
	viewer := CreateKey(t, env, ws.OwnerKey, "viewer")
	create := func(key, target string) Link {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", key, map[string]any{"url": target})
		expectStatus(t, r, http.StatusCreated, "create")
		return Link{Code: r.Field("code"), Token: r.Field("manage_token")}
	}
	a, b := create(ws.OwnerKey, "https://example.com/a"), create(ws.OwnerKey, "https://example.com/b")
	create(ws.OwnerKey, "https://example.com/never-followed") // in the workspace, not in top_links
	elsewhere := create(other.OwnerKey, "https://example.com/elsewhere")
	follow := func(l Link, n int) {
		for range n {
			if r := testkit.Get(t, env.BaseURL+"/"+l.Code); r.Status != http.StatusFound {
				t.Fatalf("follow %s: %s", l.Code, r)
			}
		}
	}
	follow(a, 3)
	follow(b, 1)
	follow(elsewhere, 2)
	WaitForVisits(t, env.BaseURL, a.Code, ws.OwnerKey, "", 3)
	WaitForVisits(t, env.BaseURL, b.Code, ws.OwnerKey, "", 1)
	WaitForVisits(t, env.BaseURL, elsewhere.Code, other.OwnerKey, "", 2)

	want := fmt.Sprintf("total 4, links_visited 2, top [%s:3 %s:1]", a.Code, b.Code)
	for _, key := range []string{viewer.Key, ws.OwnerKey} {
		if got := workspaceStatsSummary(t, env, key, ""); got != want+" of "+ws.ID {
			t.Fatalf("workspace stats = %s, want %s of %s", got, want, ws.ID)
		}
	}
	if got := workspaceStatsSummary(t, env, AdminKey, "workspace="+ws.ID); got != want+" of "+ws.ID {
		t.Fatalf("admin's stats of the workspace = %s, want %s of %s", got, want, ws.ID)
	}
	// A workspace key's ?workspace= is ignored: it sees its own workspace.
	if got, want := workspaceStatsSummary(t, env, other.OwnerKey, "workspace="+ws.ID), fmt.Sprintf("total 2, links_visited 1, top [%s:2] of %s", elsewhere.Code, other.ID); got != want {
		t.Fatalf("other workspace's stats = %s, want %s", got, want)
	}
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/stats", "", nil), http.StatusUnauthorized, "stats without credentials")
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/stats", a.Token, nil), http.StatusUnauthorized, "stats with a manage token")
	r := Send(t, env, http.MethodGet, "/v1/stats?from=2030-01-03T00:00:00Z&to=2030-01-01T00:00:00Z", viewer.Key, nil)
	expectStatus(t, r, http.StatusBadRequest, "stats of a backward window")
}

// workspaceStatsSummary reads GET /v1/stats?query with key and checks that
// its series covers 7 whole days, today's holding the total; it returns
// the totals and top links in a line.
func workspaceStatsSummary(t testing.TB, env Env, key, query string) string {
	t.Helper()
	r := Send(t, env, http.MethodGet, "/v1/stats?"+query, key, nil)
	expectStatus(t, r, http.StatusOK, "GET /v1/stats?"+query)
	d := r.Envelope.Data
	num := func(m map[string]any, name string) int64 { f, _ := m[name].(float64); return int64(f) }
	series, _ := d["series"].([]any)
	if len(series) != 7 {
		t.Fatalf("series of %d days, want 7: %s", len(series), r.Body)
	}
	last, _ := series[6].(map[string]any)
	if start, _ := last["start"].(string); start != env.now().UTC().Truncate(24*time.Hour).Format(time.RFC3339) ||
		num(last, "humans")+num(last, "bots") != num(d, "total") {
		t.Fatalf("the last day of the series is not today's with every visit: %s", r.Body)
	}
	top := ""
	links, _ := d["top_links"].([]any)
	for i, l := range links {
		m, _ := l.(map[string]any)
		code, _ := m["code"].(string)
		if i > 0 {
			top += " "
		}
		top += fmt.Sprintf("%s:%d", code, num(m, "total"))
	}
	ws, _ := d["workspace"].(string)
	return fmt.Sprintf("total %d, links_visited %d, top [%s] of %s", num(d, "total"), num(d, "links_visited"), top, ws)
}
