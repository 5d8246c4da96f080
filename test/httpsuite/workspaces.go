package httpsuite

import (
	"net/http"
	"testing"
)

// Workspace is a workspace created through the API with its first owner key.
type Workspace struct {
	ID, OwnerKey string
}

// Key is a workspace key created through the API.
type Key struct {
	ID, Key, Role string
}

// CreateWorkspace creates a workspace with AdminKey and fails the test
// unless the API answers 201 with an owner key.
func CreateWorkspace(t testing.TB, env Env, name string) Workspace {
	t.Helper()
	r := Send(t, env, http.MethodPost, "/v1/workspaces", AdminKey, map[string]any{"name": name})
	if r.Status != http.StatusCreated {
		t.Fatalf("create workspace: %s", r)
	}
	ws, _ := r.Envelope.Data["workspace"].(map[string]any)
	key, _ := r.Envelope.Data["key"].(map[string]any)
	id, _ := ws["id"].(string)
	secret, _ := key["key"].(string)
	if id == "" || secret == "" {
		t.Fatalf("create workspace: no id or key in %s", r.Body)
	}
	return Workspace{ID: id, OwnerKey: secret}
}

// CreateKey creates a key of role with ownerKey (an owner's key of the
// workspace, or AdminKey with workspace set in fields).
func CreateKey(t testing.TB, env Env, ownerKey, role string, fields ...string) Key {
	t.Helper()
	req := map[string]any{"name": role + " key", "role": role}
	for i := 0; i+1 < len(fields); i += 2 {
		req[fields[i]] = fields[i+1]
	}
	r := Send(t, env, http.MethodPost, "/v1/keys", ownerKey, req)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %s key: %s", role, r)
	}
	return Key{ID: r.Field("id"), Key: r.Field("key"), Role: r.Field("role")}
}
