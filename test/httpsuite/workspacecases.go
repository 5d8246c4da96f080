package httpsuite

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// runWorkspaces checks workspaces, keys and listing on servers made by newEnv: keys and roles,
// ownership (route × credential), listing and search, tags, the audit log.
func runWorkspaces(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	for _, c := range []struct {
		name  string
		check func(t *testing.T, env Env)
	}{
		{"workspace keys: roles, other workspaces, admins, revocation", workspaceRolesAndRevocation},
		{"workspace links: route × credential", workspaceRouteByCredential},
		{"listing pages stay stable while links are created", listingStableWhileCreating},
		{"listing filters: q, tag, state, dates", listingFilters},
		{"titles and tags stay private", labelsStayPrivate},
		{"audit log records management", auditLogRecordsManagement},
		{"workspace stats sum their links' visits", workspaceStatsSumTheirLinks},
		{"an admin creates into a workspace; no one else may name one", adminCreatesIntoAWorkspace},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, newEnv(t))
		})
	}
	runWorkspaceManagement(t, newEnv)
}

// listed is one page of GET /v1/shortlinks: the codes and the next cursor.
func listed(t testing.TB, env Env, key, query string, status int) (codes []string, next string) {
	t.Helper()
	r := Send(t, env, http.MethodGet, "/v1/shortlinks?"+query, key, nil)
	if r.Status != status {
		t.Fatalf("GET /v1/shortlinks?%s = %s, want %d", query, r, status)
	}
	if status != http.StatusOK {
		return nil, ""
	}
	items, _ := r.Envelope.Data["items"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		code, _ := m["code"].(string)
		codes = append(codes, code)
	}
	next, _ = r.Envelope.Data["next_cursor"].(string)
	return codes, next
}

func expectStatus(t testing.TB, r Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s = %s, want %d", what, r, status)
	}
}

func workspaceRolesAndRevocation(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "team")
	other := CreateWorkspace(t, env, "others")
	editor := CreateKey(t, env, ws.OwnerKey, "editor")
	viewer := CreateKey(t, env, ws.OwnerKey, "viewer")
	anon := CreateLink(t, env, "https://example.com/anonymous")

	var codes []string
	for i := range 12 {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", editor.Key, map[string]any{
			"url": fmt.Sprintf("https://example.com/team/%d", i), "tags": []string{"team", fmt.Sprintf("n%d", i%3)},
		})
		expectStatus(t, r, http.StatusCreated, "editor's create")
		codes = append(codes, r.Field("code"))
	}
	expectStatus(t, Send(t, env, http.MethodPost, "/v1/shortlink", viewer.Key, map[string]any{"url": "https://example.com/v"}), http.StatusForbidden, "viewer's create")

	got, _ := listed(t, env, viewer.Key, "limit=100", http.StatusOK)
	if want := slices.Clone(codes); len(got) != len(want) || !slices.Equal(got, reversed(want)) {
		t.Fatalf("viewer's listing = %v, want the 12 links newest first %v", got, reversed(want))
	}
	if got, _ := listed(t, env, viewer.Key, "tag=n1", http.StatusOK); len(got) != 4 {
		t.Fatalf("viewer's listing of tag n1 = %v, want 4 links", got)
	}
	expectStatus(t, Send(t, env, http.MethodPatch, "/v1/shortlink/"+codes[0], viewer.Key, map[string]any{"disabled": true}), http.StatusForbidden, "viewer's change")
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlink/"+codes[0]+"/stats", viewer.Key, nil), http.StatusOK, "viewer's stats")

	if got, _ := listed(t, env, other.OwnerKey, "", http.StatusOK); len(got) != 0 {
		t.Fatalf("another workspace lists %v, want nothing", got)
	}
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlink/"+codes[0]+"/info", other.OwnerKey, nil), http.StatusForbidden, "another workspace's info")

	if got, _ := listed(t, env, AdminKey, "limit=100&workspace="+ws.ID, http.StatusOK); len(got) != 12 {
		t.Fatalf("admin's listing of the workspace = %d links, want 12", len(got))
	}
	if got, _ := listed(t, env, AdminKey, "limit=100&workspace=none&q="+anon.Code, http.StatusOK); !slices.Contains(got, anon.Code) {
		t.Fatalf("admin's listing of anonymous links %v lacks %s", got, anon.Code)
	}

	// Keys: owners list and revoke; a revoked key is 401 everywhere.
	r := Send(t, env, http.MethodGet, "/v1/keys", ws.OwnerKey, nil)
	expectStatus(t, r, http.StatusOK, "owner's key list")
	if items, _ := r.Envelope.Data["items"].([]any); len(items) != 3 {
		t.Fatalf("owner's key list = %s, want 3 keys", r.Body)
	}
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/keys", editor.Key, nil), http.StatusForbidden, "editor's key list")
	expectStatus(t, Send(t, env, http.MethodDelete, "/v1/keys/"+editor.ID, other.OwnerKey, nil), http.StatusNotFound, "another workspace's revocation")
	expectStatus(t, Send(t, env, http.MethodDelete, "/v1/keys/"+editor.ID, ws.OwnerKey, nil), http.StatusNoContent, "owner's revocation")
	expectStatus(t, Send(t, env, http.MethodPost, "/v1/shortlink", editor.Key, map[string]any{"url": "https://example.com/late"}), http.StatusUnauthorized, "revoked key's create")
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlinks", editor.Key, nil), http.StatusUnauthorized, "revoked key's listing")
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlink/"+codes[0]+"/info", editor.Key, nil), http.StatusUnauthorized, "revoked key's info")
	// A mistyped key is told apart by its checksum, without a lookup.
	typo := []byte(viewer.Key)
	typo[len(typo)-10] ^= 1
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlinks", string(typo), nil), http.StatusUnauthorized, "mistyped key's listing")
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// workspaceRouteByCredential checks every management route of a workspace
// link with every kind of credential.
func workspaceRouteByCredential(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "matrix")
	other := CreateWorkspace(t, env, "elsewhere")
	editor := CreateKey(t, env, ws.OwnerKey, "editor")
	viewer := CreateKey(t, env, ws.OwnerKey, "viewer")
	revoked := CreateKey(t, env, ws.OwnerKey, "editor")
	expectStatus(t, Send(t, env, http.MethodDelete, "/v1/keys/"+revoked.ID, ws.OwnerKey, nil), http.StatusNoContent, "revocation")

	type cred struct {
		name string
		key  func(l Link) string
	}
	creds := []cred{
		{"none", func(Link) string { return "" }},
		{"viewer", func(Link) string { return viewer.Key }},
		{"editor", func(Link) string { return editor.Key }},
		{"owner", func(Link) string { return ws.OwnerKey }},
		{"other workspace", func(Link) string { return other.OwnerKey }},
		{"admin", func(Link) string { return AdminKey }},
		{"manage token", func(l Link) string { return l.Token }},
		{"revoked key", func(Link) string { return revoked.Key }},
	}
	// want is the status of each action per credential (read: info, stats; write: PATCH, DELETE).
	want := map[string][2]int{
		"none": {0, 401}, "viewer": {200, 403}, "editor": {200, 0}, "owner": {200, 0},
		"other workspace": {403, 403}, "admin": {200, 0}, "manage token": {200, 0}, "revoked key": {401, 401},
	}
	for _, c := range creds {
		for _, a := range []action{actInfo, actDisable, actExtend, actDelete, "stats", "relabel"} {
			r := Send(t, env, http.MethodPost, "/v1/shortlink", editor.Key, map[string]any{"url": "https://example.com/matrix", "title": "Matrix"})
			expectStatus(t, r, http.StatusCreated, "editor's create")
			l := Link{Code: r.Field("code"), Token: r.Field("manage_token")}
			method, path, body := a.request(env, l)
			switch a {
			case "stats":
				method, path, body = http.MethodGet, "/v1/shortlink/"+l.Code+"/stats", nil
			case "relabel":
				method, path, body = http.MethodPatch, "/v1/shortlink/"+l.Code, map[string]any{"title": "Renamed", "tags": []string{"x"}}
			}
			status := want[c.name][1]
			if method == http.MethodGet {
				status = want[c.name][0]
			}
			if status == 0 {
				status = map[string]int{http.MethodGet: 200, http.MethodPatch: 200, http.MethodDelete: 204}[method]
			}
			if c.name == "none" && a == actInfo {
				status = http.StatusOK // public info
			} else if c.name == "none" && a == "stats" {
				status = http.StatusUnauthorized
			}
			got := Send(t, env, method, path, c.key(l), body)
			if got.Status != status {
				t.Errorf("%s with %s: %s, want %d", a, c.name, got, status)
			}
		}
	}
	// An expired workspace link is 404 to another workspace, but its own keys see it.
	if env.Clock != nil {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", editor.Key, map[string]any{
			"url": "https://example.com/expiring", "expires_at": env.now().Add(2 * 60e9).UTC().Format("2006-01-02T15:04:05Z"),
		})
		expectStatus(t, r, http.StatusCreated, "create")
		env.Clock.Advance(3 * 60e9)
		code := r.Field("code")
		expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", other.OwnerKey, nil), http.StatusNotFound, "another workspace's info of an expired link")
		expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", viewer.Key, nil), http.StatusOK, "viewer's info of an expired link")
	}
}

func listingStableWhileCreating(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "paging")
	create := func(i int) string {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": fmt.Sprintf("https://example.com/p/%d", i)})
		expectStatus(t, r, http.StatusCreated, "create")
		return r.Field("code")
	}
	var before []string
	for i := range 25 {
		before = append(before, create(i))
	}
	seen := map[string]bool{}
	var order []string
	cursor, pages := "", 0
	for {
		codes, next := listed(t, env, ws.OwnerKey, "limit=7&cursor="+url.QueryEscape(cursor), http.StatusOK)
		for _, c := range codes {
			if seen[c] {
				t.Fatalf("page %d repeats %s", pages, c)
			}
			seen[c] = true
			order = append(order, c)
		}
		pages++
		for i := range 3 { // links created while paging land before the cursor
			create(100*pages + i)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.Equal(order, reversed(before)) {
		t.Fatalf("paged %v, want every link made before paging, newest first, once: %v", order, reversed(before))
	}
	if pages != 4 {
		t.Fatalf("%d pages of 7 for 25 links, want 4", pages)
	}
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlinks?cursor=nonsense", ws.OwnerKey, nil), http.StatusBadRequest, "a made-up cursor")
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlinks?limit=101", ws.OwnerKey, nil), http.StatusBadRequest, "limit 101")
}

func listingFilters(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "filters")
	mk := func(alias, target, title string, tags ...string) string {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": target, "alias": alias, "title": title, "tags": tags})
		expectStatus(t, r, http.StatusCreated, "create "+alias)
		return alias
	}
	suffix := fmt.Sprintf("%d", len(ws.ID)) + ws.ID[:6]
	a := mk("flt-alpha-"+suffix, "https://shop.example/Winter-Sale", "Winter campaign", "sale", "q4")
	b := mk("flt-beta-"+suffix, "https://blog.example/post", "Launch notes", "blog")
	c := mk("other-"+suffix, "https://docs.example/guide", "", "sale")
	expectStatus(t, Send(t, env, http.MethodPatch, "/v1/shortlink/"+c, ws.OwnerKey, map[string]any{"disabled": true}), http.StatusOK, "disable")
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{c, b, a}},
		{"q=flt", []string{b, a}},                       // code prefix (and substring of nothing else)
		{"q=" + url.QueryEscape("WINTER"), []string{a}}, // URL and title, any case
		{"q=launch", []string{b}},                       // title
		{"q=fl", []string{b, a}},                        // under 3 characters: code prefix only
		{"tag=sale", []string{c, a}},
		{"tag=sale&tag=q4", []string{a}},
		{"tag=SALE", []string{c, a}},
		{"state=disabled", []string{c}},
		{"state=active", []string{b, a}},
		{"created_after=2000-01-01T00:00:00Z&created_before=2000-01-02T00:00:00Z", nil},
	} {
		if got, _ := listed(t, env, ws.OwnerKey, tc.query, http.StatusOK); !slices.Equal(got, tc.want) {
			t.Errorf("?%s = %v, want %v", tc.query, got, tc.want)
		}
	}
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlinks?state=sleeping", ws.OwnerKey, nil), http.StatusBadRequest, "unknown state")
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlinks?tag=no%20spaces", ws.OwnerKey, nil), http.StatusBadRequest, "bad tag")

	r := Send(t, env, http.MethodGet, "/v1/tags", ws.OwnerKey, nil)
	expectStatus(t, r, http.StatusOK, "tags")
	items, _ := r.Envelope.Data["items"].([]any)
	got := map[string]float64{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		tag, _ := m["tag"].(string)
		got[tag], _ = m["links"].(float64)
	}
	if want := map[string]float64{"sale": 2, "q4": 1, "blog": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tags = %v, want %v", got, want)
	}
}

func labelsStayPrivate(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "labels")
	r := Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": "https://example.com/l", "title": "Secret plan", "tags": []string{"Plan", "plan", "x"}})
	expectStatus(t, r, http.StatusCreated, "create")
	code := r.Field("code")
	public := Get(t, env.BaseURL+"/v1/shortlink/"+code+"/info")
	if _, ok := public.Envelope.Data["title"]; ok || public.Status != http.StatusOK {
		t.Fatalf("public info = %s, want 200 without title or tags", public)
	}
	if _, ok := public.Envelope.Data["tags"]; ok {
		t.Fatalf("public info shows tags: %s", public.Body)
	}
	if preview := Get(t, env.BaseURL+"/"+code+"+"); strings.Contains(string(preview.Body), "Secret plan") {
		t.Fatal("the preview shows the title")
	}
	private := Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", ws.OwnerKey, nil)
	if private.Field("title") != "Secret plan" || fmt.Sprint(private.Envelope.Data["tags"]) != "[plan x]" {
		t.Fatalf("private info = %s, want the title and the tags [plan x]", private.Body)
	}
	expectStatus(t, Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": "https://example.com/l", "title": string(make([]byte, 201))}), http.StatusBadRequest, "title of 201 characters")
	tags := make([]string, 11)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%d", i)
	}
	r = Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": "https://example.com/l", "tags": tags})
	if r.Status != http.StatusBadRequest || r.Reason() != "too_many_tags" {
		t.Fatalf("11 tags = %s, want 400 too_many_tags", r)
	}
	r = Send(t, env, http.MethodPatch, "/v1/shortlink/"+code, ws.OwnerKey, map[string]any{"tags": []string{"after"}, "title": ""})
	if r.Status != http.StatusOK || fmt.Sprint(r.Envelope.Data["tags"]) != "[after]" || r.Field("title") != "" {
		t.Fatalf("relabel = %s", r)
	}
}

func auditLogRecordsManagement(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "audited")
	viewer := CreateKey(t, env, ws.OwnerKey, "viewer")
	r := Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": "https://example.com/a"})
	code := r.Field("code")
	expectStatus(t, Send(t, env, http.MethodPatch, "/v1/shortlink/"+code, ws.OwnerKey, map[string]any{"disabled": true}), http.StatusOK, "disable")
	expectStatus(t, Send(t, env, http.MethodPatch, "/v1/shortlink/"+code, AdminKey, map[string]any{"disabled": true}), http.StatusOK, "takedown")
	expectStatus(t, Send(t, env, http.MethodDelete, "/v1/shortlink/"+code, AdminKey, nil), http.StatusNoContent, "delete")
	expectStatus(t, Send(t, env, http.MethodDelete, "/v1/keys/"+viewer.ID, ws.OwnerKey, nil), http.StatusNoContent, "revoke")

	var actions []string
	cursor := ""
	for {
		r := Send(t, env, http.MethodGet, "/v1/audit?limit=2&cursor="+cursor, ws.OwnerKey, nil)
		expectStatus(t, r, http.StatusOK, "audit")
		items, _ := r.Envelope.Data["items"].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			actions = append(actions, fmt.Sprintf("%v %v", m["action"], m["who"]))
		}
		next, _ := r.Envelope.Data["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	want := []string{"key.revoke key:", "link.delete admin", "link.takedown admin", "link.disable key:", "key.create key:", "key.create admin", "workspace.create admin"}
	if len(actions) != len(want) {
		t.Fatalf("audit = %v, want %d entries like %v", actions, len(want), want)
	}
	for i, w := range want {
		if len(actions[i]) < len(w) || actions[i][:len(w)] != w {
			t.Errorf("audit[%d] = %q, want %q…", i, actions[i], w)
		}
	}
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/audit", viewer.Key, nil), http.StatusUnauthorized, "revoked viewer's audit")
}
