package httpsuite

import (
	"net/http"
	"slices"
	"testing"
)

// adminCreatesIntoAWorkspace checks "workspace" on create: an admin key
// puts the link into the workspace it names, whose keys then see and
// manage it as their own; anyone else naming one gets 403 (a workspace
// key, its own workspace included, and an anonymous client); an unknown
// workspace is 400 naming the field.
func adminCreatesIntoAWorkspace(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "placed")
	other := CreateWorkspace(t, env, "elsewhere")
	viewer := CreateKey(t, env, ws.OwnerKey, "viewer")
	editor := CreateKey(t, env, ws.OwnerKey, "editor")

	r := Send(t, env, http.MethodPost, "/v1/shortlink", AdminKey, map[string]any{"url": "https://example.com/placed", "workspace": ws.ID, "tags": []string{"placed"}})
	expectStatus(t, r, http.StatusCreated, "admin's create into the workspace")
	code := r.Field("code")
	if r.Field("manage_token") == "" {
		t.Fatalf("admin's create into a workspace has no manage token: %s", r)
	}
	if got, _ := listed(t, env, viewer.Key, "limit=100", http.StatusOK); !slices.Equal(got, []string{code}) {
		t.Fatalf("the workspace's viewer lists %v, want [%s]", got, code)
	}
	if got, _ := listed(t, env, AdminKey, "limit=100&workspace=none&tag=placed", http.StatusOK); len(got) != 0 {
		t.Fatalf("the link is listed among the anonymous ones: %v", got)
	}
	info := Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", viewer.Key, nil)
	expectStatus(t, info, http.StatusOK, "the viewer's info")
	if got := info.Field("workspace"); got != ws.ID {
		t.Fatalf("the link's workspace is %q, want %q", got, ws.ID)
	}
	expectStatus(t, Send(t, env, http.MethodPatch, "/v1/shortlink/"+code, editor.Key, map[string]any{"disabled": true}), http.StatusOK, "the editor's change")
	expectStatus(t, Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", other.OwnerKey, nil), http.StatusForbidden, "another workspace's info")

	for _, c := range []struct{ who, key string }{
		{"the workspace's owner", ws.OwnerKey}, {"its editor", editor.Key}, {"another workspace's owner", other.OwnerKey}, {"an anonymous client", ""},
	} {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", c.key, map[string]any{"url": "https://example.com/not-placed", "workspace": ws.ID})
		if r.Status != http.StatusForbidden || r.Field("reason") != "forbidden" {
			t.Errorf("%s naming a workspace: %s, want 403 forbidden", c.who, r)
		}
	}
	r = Send(t, env, http.MethodPost, "/v1/shortlink", AdminKey, map[string]any{"url": "https://example.com/nowhere", "workspace": "ws_nosuchplace"})
	if r.Status != http.StatusBadRequest || r.Field("field") != "workspace" {
		t.Fatalf("admin's create into an unknown workspace: %s, want 400 naming workspace", r)
	}
}
