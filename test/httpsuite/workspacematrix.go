package httpsuite

import (
	"net/http"
	"testing"
)

// wsCredential is what a management request of a workspace link presents.
type wsCredential string

const (
	wsNone    wsCredential = "no credentials"
	wsViewer  wsCredential = "a viewer key"
	wsEditor  wsCredential = "an editor key"
	wsOwner   wsCredential = "an owner key"
	wsOther   wsCredential = "another workspace's owner key"
	wsAdmin   wsCredential = "an admin key"
	wsToken   wsCredential = "the link's manage token"
	wsRevoked wsCredential = "a revoked key"
)

var wsCredentials = []wsCredential{wsNone, wsViewer, wsEditor, wsOwner, wsOther, wsAdmin, wsToken, wsRevoked}

// expectWS is the answer to a on a workspace link in s with c: editors,
// owners and the manage token manage it as its owner does, viewers read it
// and may change nothing, another workspace's key is refused like another
// link's token, and a revoked key is 401 (but for an expired link, which is
// 404 to anyone it does not belong to).
func expectWS(s linkState, a action, c wsCredential) answer {
	switch c {
	case wsNone:
		return expect(s, a, credNone)
	case wsAdmin:
		return expect(s, a, credAdmin)
	case wsOther:
		return expect(s, a, credOther)
	case wsRevoked:
		if s == stateExpired {
			return answerNotFound
		}
		return answerUnauthorized
	case wsViewer:
		if a == actInfo {
			return expect(s, a, credOwner)
		}
		return answerForbidden
	}
	return expect(s, a, credOwner)
}

// wsKeys are the keys of one workspace, and one of another.
type wsKeys struct {
	viewer, editor, owner, other, revoked string
}

func newWSKeys(t *testing.T, env Env) wsKeys {
	t.Helper()
	ws, other := CreateWorkspace(t, env, "matrix"), CreateWorkspace(t, env, "other")
	revoked := CreateKey(t, env, ws.OwnerKey, "editor")
	if r := Send(t, env, http.MethodDelete, "/v1/keys/"+revoked.ID, ws.OwnerKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("revoke: %s", r)
	}
	return wsKeys{
		viewer: CreateKey(t, env, ws.OwnerKey, "viewer").Key, editor: CreateKey(t, env, ws.OwnerKey, "editor").Key,
		owner: ws.OwnerKey, other: other.OwnerKey, revoked: revoked.Key,
	}
}

func (k wsKeys) bearer(c wsCredential, l Link) string {
	return map[wsCredential]string{
		wsViewer: k.viewer, wsEditor: k.editor, wsOwner: k.owner, wsOther: k.other, wsAdmin: AdminKey, wsToken: l.Token, wsRevoked: k.revoked,
	}[c]
}

// createWorkspaceLink creates a link with the editor's key.
func (k wsKeys) createLink(t *testing.T, env Env, target string) Link {
	t.Helper()
	r := Send(t, env, http.MethodPost, "/v1/shortlink", k.editor, map[string]any{"url": target, "tags": []string{"matrix"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("editor's create: %s", r)
	}
	return Link{Code: r.Field("code"), Token: r.Field("manage_token"), Target: target, ShortURL: r.Field("short_url"), ExpiresAt: r.Field("expires_at")}
}

// runWorkspaceManagement checks every management route of a workspace
// link, in each state but expired, with every kind of credential: the
// route × credential × state matrix of workspaces.
func runWorkspaceManagement(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	for _, s := range []linkState{stateActive, stateDisabledOwner, stateDisabledAdmin, stateDeleted} {
		t.Run("workspace link "+string(s)+": route × credential", func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			keys := newWSKeys(t, env)
			for _, a := range actions {
				for _, c := range wsCredentials {
					l := keys.createLink(t, env, "https://example.com/ws-managed")
					putIn(t, env, l, s)
					what := string(a) + " of a workspace link " + string(s) + " with " + string(c)
					before := Send(t, env, http.MethodGet, "/v1/shortlink/"+l.Code+"/info", AdminKey, nil).Field("expires_at")
					method, path, body := a.request(env, l)
					want := expectWS(s, a, c)
					checkAnswer(t, env, what, l, Send(t, env, method, path, keys.bearer(c, l), body), want)
					by := credOwner
					if c == wsAdmin {
						by = credAdmin
					}
					after := next(s, a, by, want)
					expiresAt := before
					switch {
					case after == stateDeleted:
						expiresAt = ""
					case a == actExtend && want.status == http.StatusOK:
						expiresAt = body.(map[string]any)["expires_at"].(string)
					}
					checkState(t, env, what+", then", l, after, expiresAt)
					// Stats are read like the private info, in every state.
					wantStats := expectWS(after, actInfo, c).status
					if c == wsNone {
						wantStats = http.StatusUnauthorized
					}
					if stats := Send(t, env, http.MethodGet, "/v1/shortlink/"+l.Code+"/stats", keys.bearer(c, l), nil); stats.Status != wantStats {
						t.Fatalf("stats of a link after %s: %s, want %d", what, stats, wantStats)
					}
				}
			}
		})
	}
}
