package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// openAPIServers are the ways the API is assembled for the exchanges: up,
// with the store down, with API keys, with a rate limit of one create, and
// with a MISS_RATE_LIMIT of one lookup that finds nothing.
func openAPIServers(t *testing.T) map[string]httpsuite.Env {
	t.Helper()
	start := func(down bool, configure func(cfg *config.Config)) httpsuite.Env {
		store := memory.NewLinkStore()
		store.SetDown(down)
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
			Limiter:   memory.NewRateLimiter(),
			Configure: configure,
		})
	}
	return map[string]httpsuite.Env{
		"up":      start(false, func(cfg *config.Config) { cfg.AdminKeys = []string{httpsuite.AdminKey, openAPIAdminKey} }),
		"down":    start(true, nil),
		"keys":    start(false, func(cfg *config.Config) { cfg.APIKeys = []string{openAPIKey} }),
		"limited": start(false, func(cfg *config.Config) { cfg.CreateRateLimit = 1 }),
		"misses":  start(false, func(cfg *config.Config) { cfg.MissRateLimit = 1 }),
		// Embedded mode's options: no /metrics on the api's listener.
		"embedded": start(false, func(cfg *config.Config) { cfg.Store = "embedded" }),
		// An Idempotency-Key whose request is still running.
		"claimed": startClaimedServer(t),
	}
}

// openAPILinks are the links the exchanges manage, made on the "up" server
// before they run: one in each state, one to delete, one to draw.
type openAPILinks struct {
	qrETag string // the ETag of doc-qr's default image
	// takenDownToken is the manage token of doc-taken-down, which an admin disabled.
	takenDownToken string
	// A workspace's owner and viewer keys, a revoked key, a key of another
	// workspace, and a key id to revoke.
	ownerKey, viewerKey, revokedKey, otherKey, revokeID, workspace string
}

func prepareOpenAPILinks(t *testing.T, up httpsuite.Env) openAPILinks {
	t.Helper()
	for alias, setup := range map[string]func(l httpsuite.Link){
		"doc-disabled": func(l httpsuite.Link) {
			mustSend(t, up, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"disabled": true}, 200)
		},
		"doc-deleted":   func(l httpsuite.Link) { mustSend(t, up, http.MethodDelete, "/v1/shortlink/"+l.Code, l.Token, nil, 204) },
		"doc-delete-me": func(httpsuite.Link) {},
		"doc-change-me": func(httpsuite.Link) {},
		"doc-qr":        func(httpsuite.Link) {},
	} {
		setup(httpsuite.CreateLink(t, up, "https://example.com/"+alias, "alias", alias))
	}
	httpsuite.CreateLink(t, up, "https://example.com/doc-expired", "alias", "doc-expired",
		"expires_at", up.Clock.Now().Add(time.Minute).Format(time.RFC3339Nano))
	httpsuite.CreateLink(t, up, "https://example.com/doc-protected", "alias", "doc-protected", "password", openAPIPassword)
	httpsuite.CreateLink(t, up, "https://example.com/doc-guessed", "alias", "doc-guessed", "password", openAPIPassword)
	takenDown := httpsuite.CreateLink(t, up, "https://example.com/doc-taken-down", "alias", "doc-taken-down")
	mustSend(t, up, http.MethodPatch, "/v1/shortlink/doc-taken-down", httpsuite.AdminKey, map[string]any{"disabled": true}, 200)
	up.Clock.Advance(2 * time.Minute)
	ws := httpsuite.CreateWorkspace(t, up, "docs")
	other := httpsuite.CreateWorkspace(t, up, "other")
	viewer := httpsuite.CreateKey(t, up, ws.OwnerKey, "viewer")
	revoked := httpsuite.CreateKey(t, up, ws.OwnerKey, "editor")
	mustSend(t, up, http.MethodDelete, "/v1/keys/"+revoked.ID, ws.OwnerKey, nil, 204)
	toRevoke := httpsuite.CreateKey(t, up, ws.OwnerKey, "editor")
	mustSend(t, up, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": "https://example.com/ws", "title": "Docs", "tags": []string{"doc"}}, 201)
	for range 5 { // the link's first minute of attempts, used up
		mustSend(t, up, http.MethodPost, "/v1/shortlink/doc-guessed/unlock", "", map[string]any{"password": "not the password"}, 403)
	}
	return openAPILinks{
		qrETag:         mustSend(t, up, http.MethodGet, "/v1/shortlink/doc-qr/qr", "", nil, 200).Header.Get("ETag"),
		takenDownToken: takenDown.Token,
		ownerKey:       ws.OwnerKey, viewerKey: viewer.Key, revokedKey: revoked.Key, otherKey: other.OwnerKey,
		revokeID: toRevoke.ID, workspace: ws.ID,
	}
}

// openAPIPassword protects doc-protected and doc-guessed.
const openAPIPassword = "correct horse battery"

func mustSend(t *testing.T, env httpsuite.Env, method, path, bearer string, body any, status int) testkit.Response {
	t.Helper()
	r := httpsuite.Send(t, env, method, path, bearer, body)
	if r.Status != status {
		t.Fatalf("%s %s: %s, want %d", method, path, r, status)
	}
	return r
}

// exchange is one request to one server, the status it must get, and
// whether the document itself admits the request: the server refuses more
// than a schema can say (its own host, expiry bounds, MAX_URL_LENGTH), but
// what the document refuses the server must refuse too.
type exchange struct {
	name        string
	server      string
	method      string
	path        string
	contentType string
	header      map[string]string
	body        string
	status      int
	conforms    bool
	// stall sends the headers and the first bytes of body, then closes the
	// client's side of the connection: the body never arrives in full.
	stall bool
}

func openAPIExchanges(links openAPILinks) []exchange {
	future := time.Now().Add(48 * time.Hour).In(time.FixedZone("", 3600)).Format(time.RFC3339)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	const js = "application/json"
	admin := map[string]string{"Authorization": "Bearer " + httpsuite.AdminKey}
	wrong := map[string]string{"Authorization": "Bearer not-the-token-0123456789"}
	browser := map[string]string{"Accept": httpsuite.BrowserAccept}
	owner := map[string]string{"Authorization": "Bearer " + links.takenDownToken}
	create := func(name, server, body string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodPost, path: "/v1/shortlink", contentType: js, body: body, status: status, conforms: conforms}
	}
	get := func(name, server, path string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodGet, path: path, status: status, conforms: conforms}
	}
	withHeader := func(ex exchange, header map[string]string) exchange { ex.header = header; return ex }
	patch := func(name, server, path, body string, header map[string]string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodPatch, path: path, contentType: js, header: header, body: body, status: status, conforms: conforms}
	}
	unlock := func(name, server, path, body string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodPost, path: path, contentType: js, body: body, status: status, conforms: conforms}
	}
	remove := func(name, server, path string, header map[string]string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodDelete, path: path, header: header, status: status, conforms: conforms}
	}
	return append([]exchange{
		get("health", "up", "/v1/health", 200, true),
		get("ready", "up", "/v1/ready", 200, true),
		get("not ready", "down", "/v1/ready", 503, true),
		get("metrics", "up", "/metrics", 200, true),
		get("metrics off the api's listener", "embedded", "/metrics", 404, true),
		get("openapi document", "up", "/v1/openapi.yaml", 200, true),

		create("generated code", "up", `{"url":"https://example.com/a?b=c"}`, 201, true),
		create("alias and expiry with offset", "up", `{"url":"https://example.com/doc","alias":"doc-link","expires_at":"`+future+`"}`, 201, true),
		create("empty alias, unknown field", "up", `{"url":"HTTPS://example.com/","alias":"","extra":1}`, 201, true),
		create("charset parameter", "up", `{"url":"https://example.com"}`, 201, true),
		create("alias taken", "up", `{"url":"https://example.com/other","alias":"doc-link"}`, 409, true),
		create("alias of a deleted link", "up", `{"url":"https://example.com/other","alias":"doc-deleted"}`, 409, true),
		create("missing url", "up", `{}`, 400, false),
		create("url not a string", "up", `{"url":42}`, 400, false),
		create("relative url", "up", `{"url":"/path"}`, 400, false),
		create("own host", "up", `{"url":"`+httpsuite.PublicBaseURL+`/x"}`, 400, true),
		create("url over MAX_URL_LENGTH", "up", `{"url":"https://example.com/`+strings.Repeat("a", 4096)+`"}`, 400, true),
		create("bad alias", "up", `{"url":"https://example.com","alias":"no_underscores"}`, 400, false),
		create("alias too long", "up", `{"url":"https://example.com","alias":"`+strings.Repeat("a", 33)+`"}`, 400, false),
		create("expiry without zone", "up", `{"url":"https://example.com","expires_at":"2030-01-01T00:00:00"}`, 400, false),
		create("expiry in the past", "up", `{"url":"https://example.com","expires_at":"`+past+`"}`, 400, true),
		create("not JSON", "up", `{"url":`, 400, false),
		create("array body", "up", `["https://example.com"]`, 400, false),
		create("body over 16 KiB", "up", `{"url":"https://example.com","pad":"`+strings.Repeat("x", 17<<10)+`"}`, 413, true),
		{name: "create body cut short", server: "up", method: http.MethodPost, path: "/v1/shortlink", contentType: js, body: `{"url":"https://example.com/never-sent"}`, status: 408, conforms: true, stall: true},
		{name: "text/plain", server: "up", method: http.MethodPost, path: "/v1/shortlink", contentType: "text/plain", body: `{"url":"https://example.com"}`, status: 415},
		{name: "no content type", server: "up", method: http.MethodPost, path: "/v1/shortlink", body: `{"url":"https://example.com"}`, status: 415},
		create("store down", "down", `{"url":"https://example.com"}`, 503, true),
		create("no API key", "keys", `{"url":"https://example.com"}`, 401, true),
		{name: "X-API-Key", server: "keys", method: http.MethodPost, path: "/v1/shortlink", contentType: js, header: map[string]string{"X-API-Key": openAPIKey}, body: `{"url":"https://example.com"}`, status: 201, conforms: true},
		{name: "bearer key", server: "keys", method: http.MethodPost, path: "/v1/shortlink", contentType: js, header: map[string]string{"Authorization": "Bearer " + openAPIKey}, body: `{"url":"https://example.com"}`, status: 201, conforms: true},
		create("within the rate limit", "limited", `{"url":"https://example.com"}`, 201, true),
		create("over the rate limit", "limited", `{"url":"https://example.com"}`, 429, true),

		create("password", "up", `{"url":"https://example.com/secret","password":"`+openAPIPassword+`"}`, 201, true),
		create("password too short", "up", `{"url":"https://example.com/secret","password":"short"}`, 400, true),
		get("redirect of a protected link", "up", "/doc-protected", 401, true),
		withHeader(get("redirect of a protected link in a browser", "up", "/doc-protected", 200, true), browser),
		get("resolve of a protected link", "up", "/v1/shortlink/doc-protected", 401, true),
		unlock("unlock", "up", "/v1/shortlink/doc-protected/unlock", `{"password":"`+openAPIPassword+`"}`, 200, true),
		unlock("unlock with a wrong password", "up", "/v1/shortlink/doc-protected/unlock", `{"password":"not the password"}`, 403, true),
		unlock("unlock without a password", "up", "/v1/shortlink/doc-protected/unlock", `{}`, 400, false),
		unlock("unlock of an unknown code", "up", "/v1/shortlink/NoSuch1/unlock", `{"password":"x"}`, 404, true),
		unlock("unlock of a disabled link", "up", "/v1/shortlink/doc-disabled/unlock", `{"password":"x"}`, 410, true),
		unlock("unlock after too many attempts", "up", "/v1/shortlink/doc-guessed/unlock", `{"password":"`+openAPIPassword+`"}`, 429, true),
		unlock("unlock body over 16 KiB", "up", "/v1/shortlink/doc-protected/unlock", `{"password":"`+strings.Repeat("x", 17<<10)+`"}`, 413, true),
		{name: "unlock as text/plain", server: "up", method: http.MethodPost, path: "/v1/shortlink/doc-protected/unlock", contentType: "text/plain", body: `{"password":"x"}`, status: 415},
		{name: "unlock body cut short", server: "up", method: http.MethodPost, path: "/v1/shortlink/doc-protected/unlock", contentType: js, body: `{"password":"never sent"}`, status: 408, conforms: true, stall: true},
		unlock("unlock store down", "down", "/v1/shortlink/Uncached/unlock", `{"password":"x"}`, 503, true),

		get("redirect", "up", "/doc-link", 302, true),
		get("resolve", "up", "/v1/shortlink/doc-link", 302, true),
		get("redirect unknown", "up", "/NoSuch1", 404, true),
		get("resolve unknown", "up", "/v1/shortlink/NoSuch1", 404, true),
		get("redirect disabled", "up", "/doc-disabled", 410, true),
		get("resolve deleted", "up", "/v1/shortlink/doc-deleted", 410, true),
		get("redirect invalid code", "up", "/bad_code", 400, false),
		get("resolve invalid code", "up", "/v1/shortlink/-abc", 400, false),
		get("redirect code too long", "up", "/"+strings.Repeat("a", 33), 400, false),
		get("redirect store down", "down", "/Uncached", 503, true),
		get("resolve store down", "down", "/v1/shortlink/Uncached", 503, true),
		get("first miss", "misses", "/NoSuch2", 404, true),
		get("redirect over MISS_RATE_LIMIT", "misses", "/NoSuch3", 429, true),
		withHeader(get("redirect unknown, for a browser", "up", "/NoSuch1", 404, true), browser),
		withHeader(get("redirect disabled, for a browser", "up", "/doc-disabled", 410, true), browser),
		withHeader(get("redirect invalid code, for a browser", "up", "/bad_code", 400, false), browser),
		withHeader(get("redirect store down, for a browser", "down", "/Uncached", 503, true), browser),
		withHeader(get("redirect over MISS_RATE_LIMIT, for a browser", "misses", "/NoSuch4", 429, true), browser),
		get("resolve over MISS_RATE_LIMIT", "misses", "/v1/shortlink/NoSuch3", 429, true),
		get("preview over MISS_RATE_LIMIT", "misses", "/NoSuch4+", 429, true),
		get("qr over MISS_RATE_LIMIT", "misses", "/v1/shortlink/NoSuch4/qr", 429, true),
		withHeader(get("stats over MISS_RATE_LIMIT", "misses", "/v1/shortlink/NoSuch4/stats", 429, true), admin),
		patch("change over MISS_RATE_LIMIT", "misses", "/v1/shortlink/NoSuch4", `{"disabled":true}`, admin, 429, true),
		remove("delete over MISS_RATE_LIMIT", "misses", "/v1/shortlink/NoSuch4", admin, 429, true),

		get("web page", "up", "/", 200, true),
		get("web script", "up", "/_/app.js", 200, true),
		get("web style", "up", "/_/app.css", 200, true),
		get("web icon", "up", "/_/icon.svg", 200, true),
		get("web asset unknown", "up", "/_/nothing.js", 404, false),
		get("robots.txt", "up", "/robots.txt", 200, true),
		get("favicon", "up", "/favicon.ico", 200, true),

		get("preview", "up", "/doc-link+", 200, true),
		get("preview of a disabled link", "up", "/doc-disabled+", 410, true),
		get("preview of an expired link", "up", "/doc-expired+", 404, true),
		get("preview of an invalid code", "up", "/bad_code+", 400, false),
		get("preview store down", "down", "/Uncached+", 503, true),

		get("public info", "up", "/v1/shortlink/doc-link/info", 200, true),
		withHeader(get("info as admin, disabled", "up", "/v1/shortlink/doc-disabled/info", 200, true), admin),
		withHeader(get("info as admin, deleted", "up", "/v1/shortlink/doc-deleted/info", 200, true), admin),
		withHeader(get("info as admin, expired", "up", "/v1/shortlink/doc-expired/info", 200, true), admin),
		withHeader(get("info with a wrong token", "up", "/v1/shortlink/doc-link/info", 403, true), wrong),
		get("public info, disabled", "up", "/v1/shortlink/doc-disabled/info", 410, true),
		get("public info, expired", "up", "/v1/shortlink/doc-expired/info", 404, true),
		withHeader(get("info of an expired link with a wrong token", "up", "/v1/shortlink/doc-expired/info", 404, true), wrong),
		get("info of an invalid code", "up", "/v1/shortlink/bad_code/info", 400, false),
		get("info store down", "down", "/v1/shortlink/Uncached/info", 503, true),

		get("qr", "up", "/v1/shortlink/doc-qr/qr", 200, true),
		get("qr svg", "up", "/v1/shortlink/doc-qr/qr?format=svg&size=512", 200, true),
		withHeader(get("qr not modified", "up", "/v1/shortlink/doc-qr/qr", 304, true), map[string]string{"If-None-Match": links.qrETag}),
		get("qr too small", "up", "/v1/shortlink/doc-qr/qr?size=63", 400, false),
		get("qr unknown format", "up", "/v1/shortlink/doc-qr/qr?format=gif", 400, false),
		get("qr of an unknown code", "up", "/v1/shortlink/NoSuch1/qr", 404, true),
		get("qr of a deleted link", "up", "/v1/shortlink/doc-deleted/qr", 410, true),
		get("qr store down", "down", "/v1/shortlink/Uncached/qr", 503, true),

		patch("disable", "up", "/v1/shortlink/doc-change-me", `{"disabled":true}`, admin, 200, true),
		patch("enable and extend", "up", "/v1/shortlink/doc-change-me", `{"disabled":false,"expires_at":"`+future+`"}`, admin, 200, true),
		patch("change with a null", "up", "/v1/shortlink/doc-change-me", `{"disabled":false,"expires_at":null}`, admin, 200, true),
		patch("change of the target", "up", "/v1/shortlink/doc-change-me", `{"url":"https://evil.example/"}`, admin, 400, false),
		patch("change of nothing", "up", "/v1/shortlink/doc-change-me", `{}`, admin, 400, false),
		patch("disabled not a boolean", "up", "/v1/shortlink/doc-change-me", `{"disabled":"yes"}`, admin, 400, false),
		patch("expiry in the past", "up", "/v1/shortlink/doc-change-me", `{"expires_at":"`+past+`"}`, admin, 400, true),
		patch("change without credentials", "up", "/v1/shortlink/doc-change-me", `{"disabled":true}`, nil, 401, false),
		patch("change with a wrong token", "up", "/v1/shortlink/doc-change-me", `{"disabled":true}`, wrong, 403, true),
		patch("change of an unknown code", "up", "/v1/shortlink/NoSuch1", `{"disabled":true}`, admin, 404, true),
		patch("change of an expired link", "up", "/v1/shortlink/doc-expired", `{"disabled":true}`, admin, 409, true),
		patch("change of an expired link with a wrong token", "up", "/v1/shortlink/doc-expired", `{"disabled":true}`, wrong, 404, true),
		patch("owner's change of a taken-down link", "up", "/v1/shortlink/doc-taken-down", `{"disabled":false}`, owner, 403, true),
		patch("change of a deleted link", "up", "/v1/shortlink/doc-deleted", `{"disabled":false}`, admin, 410, true),
		patch("change body over 16 KiB", "up", "/v1/shortlink/doc-change-me", `{"disabled":true,"pad":"`+strings.Repeat("x", 17<<10)+`"}`, admin, 413, false),
		{name: "change as text/plain", server: "up", method: http.MethodPatch, path: "/v1/shortlink/doc-change-me", contentType: "text/plain", header: admin, body: `{"disabled":true}`, status: 415},
		{name: "change body cut short", server: "up", method: http.MethodPatch, path: "/v1/shortlink/doc-change-me", contentType: js, header: admin, body: `{"disabled":true,"expires_at":null}`, status: 408, conforms: true, stall: true},
		patch("change store down", "down", "/v1/shortlink/Uncached", `{"disabled":true}`, admin, 503, true),

		remove("delete without credentials", "up", "/v1/shortlink/doc-delete-me", nil, 401, false),
		remove("delete with a wrong token", "up", "/v1/shortlink/doc-delete-me", wrong, 403, true),
		remove("delete", "up", "/v1/shortlink/doc-delete-me", admin, 204, true),
		remove("delete again", "up", "/v1/shortlink/doc-delete-me", admin, 410, true),
		remove("delete of an unknown code", "up", "/v1/shortlink/NoSuch1", admin, 404, true),
		remove("delete of an invalid code", "up", "/v1/shortlink/bad_code", admin, 400, false),
		remove("owner's delete of a taken-down link", "up", "/v1/shortlink/doc-taken-down", owner, 403, true),
		remove("delete store down", "down", "/v1/shortlink/Uncached", admin, 503, true),
	}, append(append(append(append(workspaceExchanges(links), domainExchanges(links)...), statsExchanges()...), exportExchanges(links)...), bulkExchanges(links)...)...)
}

// domainExchanges register a domain and remove it again, so that the
// exchanges after them run with the default domain only.
func domainExchanges(links openAPILinks) []exchange {
	const js = "application/json"
	bearer := func(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }
	admin, owner, revoked, unknown := bearer(httpsuite.AdminKey), bearer(links.ownerKey), bearer(links.revokedKey), bearer(unknownKey())
	req := func(name, server, method, path, body string, header map[string]string, status int, conforms bool) exchange {
		ex := exchange{name: name, server: server, method: method, path: path, header: header, body: body, status: status, conforms: conforms}
		if body != "" {
			ex.contentType = js
		}
		return ex
	}
	const add = `{"host":"Doc.Example.ORG.","not_found_url":"https://example.org/missing"}`
	return []exchange{
		req("domain", "up", http.MethodPost, "/v1/domains", add, admin, 201, true),
		req("domain of a workspace", "up", http.MethodPost, "/v1/domains", `{"host":"team.example.org","workspace":"`+links.workspace+`"}`, admin, 201, true),
		req("domain taken", "up", http.MethodPost, "/v1/domains", `{"host":"doc.example.org"}`, admin, 409, true),
		req("domain with a port", "up", http.MethodPost, "/v1/domains", `{"host":"doc.example.org:8080"}`, admin, 400, true),
		req("domain without credentials", "up", http.MethodPost, "/v1/domains", add, nil, 401, false),
		req("domain with an owner key", "up", http.MethodPost, "/v1/domains", add, owner, 403, true),
		req("domain body over 16 KiB", "up", http.MethodPost, "/v1/domains", `{"host":"`+strings.Repeat("x", 17<<10)+`"}`, admin, 413, false),
		{name: "domain as text/plain", server: "up", method: http.MethodPost, path: "/v1/domains", contentType: "text/plain", header: admin, body: add, status: 415},
		{name: "domain body cut short", server: "up", method: http.MethodPost, path: "/v1/domains", contentType: js, header: admin, body: add, status: 408, conforms: true, stall: true},
		req("domain store down", "down", http.MethodPost, "/v1/domains", add, admin, 503, true),
		req("domain over MISS_RATE_LIMIT", "misses", http.MethodPost, "/v1/domains", add, unknown, 429, true),
		req("a link to a host", "up", http.MethodPost, "/v1/shortlink", `{"url":"https://doc-loop.example.org/x"}`, nil, 201, true),
		req("domain that a link points at", "up", http.MethodPost, "/v1/domains", `{"host":"doc-loop.example.org"}`, admin, 409, true),

		req("domains", "up", http.MethodGet, "/v1/domains", "", nil, 200, true),
		req("domains with an owner key", "up", http.MethodGet, "/v1/domains", "", owner, 200, true),
		req("domains with a revoked key", "up", http.MethodGet, "/v1/domains", "", revoked, 401, true),
		req("domains store down", "down", http.MethodGet, "/v1/domains", "", unknown, 503, true),
		req("domains over MISS_RATE_LIMIT", "misses", http.MethodGet, "/v1/domains", "", unknown, 429, true),

		req("a link on the domain", "up", http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/on","alias":"doc-link","domain":"DOC.example.org"}`, admin, 201, true),
		req("a link on an unknown domain", "up", http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/on","domain":"nowhere.example.org"}`, admin, 400, true),
		req("its info", "up", http.MethodGet, "/v1/shortlink/doc-link/info?domain=doc.example.org", "", nil, 200, true),
		req("info on a bad domain", "up", http.MethodGet, "/v1/shortlink/doc-link/info?domain=a%20b", "", nil, 400, true),
		req("remove a domain with links", "up", http.MethodDelete, "/v1/domains/doc.example.org", "", admin, 409, true),
		req("delete the link on the domain", "up", http.MethodDelete, "/v1/shortlink/doc-link?domain=doc.example.org", "", admin, 204, true),
		req("remove a domain", "up", http.MethodDelete, "/v1/domains/doc.example.org", "", admin, 204, true),
		req("remove a domain again", "up", http.MethodDelete, "/v1/domains/doc.example.org", "", admin, 404, true),
		req("remove the workspace's domain", "up", http.MethodDelete, "/v1/domains/TEAM.example.org", "", admin, 204, true),
		req("remove an IP address", "up", http.MethodDelete, "/v1/domains/127.0.0.1", "", admin, 400, true),
		req("remove the default domain", "up", http.MethodDelete, "/v1/domains/sho.rt", "", admin, 409, true),
		req("remove without credentials", "up", http.MethodDelete, "/v1/domains/doc.example.org", "", nil, 401, false),
		req("remove with an owner key", "up", http.MethodDelete, "/v1/domains/doc.example.org", "", owner, 403, true),
		req("remove store down", "down", http.MethodDelete, "/v1/domains/doc.example.org", "", admin, 503, true),
		req("remove over MISS_RATE_LIMIT", "misses", http.MethodDelete, "/v1/domains/doc.example.org", "", unknown, 429, true),
	}
}

func workspaceExchanges(links openAPILinks) []exchange {
	const js = "application/json"
	bearer := func(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }
	admin, owner, viewer := bearer(httpsuite.AdminKey), bearer(links.ownerKey), bearer(links.viewerKey)
	revoked, other, unknown := bearer(links.revokedKey), bearer(links.otherKey), bearer(unknownKey())
	req := func(name, server, method, path, body string, header map[string]string, status int, conforms bool) exchange {
		ex := exchange{name: name, server: server, method: method, path: path, header: header, body: body, status: status, conforms: conforms}
		if body != "" {
			ex.contentType = js
		}
		return ex
	}
	return []exchange{
		req("workspace", "up", http.MethodPost, "/v1/workspaces", `{"name":"team"}`, admin, 201, true),
		req("workspace without a name", "up", http.MethodPost, "/v1/workspaces", `{}`, admin, 400, false),
		req("workspace without credentials", "up", http.MethodPost, "/v1/workspaces", `{"name":"team"}`, nil, 401, false),
		req("workspace with an owner key", "up", http.MethodPost, "/v1/workspaces", `{"name":"team"}`, owner, 403, true),
		req("workspace body over 16 KiB", "up", http.MethodPost, "/v1/workspaces", `{"name":"`+strings.Repeat("x", 17<<10)+`"}`, admin, 413, false),
		{name: "workspace as text/plain", server: "up", method: http.MethodPost, path: "/v1/workspaces", contentType: "text/plain", header: admin, body: `{"name":"t"}`, status: 415},
		{name: "workspace body cut short", server: "up", method: http.MethodPost, path: "/v1/workspaces", contentType: js, header: admin, body: `{"name":"never-sent"}`, status: 408, conforms: true, stall: true},
		req("workspace store down", "down", http.MethodPost, "/v1/workspaces", `{"name":"team"}`, admin, 503, true),

		req("create into a workspace, by an admin", "up", http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/placed","workspace":"`+links.workspace+`"}`, admin, 201, true),
		req("create into a workspace, by its owner", "up", http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/placed","workspace":"`+links.workspace+`"}`, owner, 403, true),
		req("create into an unknown workspace", "up", http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/placed","workspace":"ws_nosuch"}`, admin, 400, true),
		req("create with a viewer key", "up", http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/viewed"}`, viewer, 403, true),

		req("key", "up", http.MethodPost, "/v1/keys", `{"name":"ci","role":"editor"}`, owner, 201, true),
		req("key for a workspace, by an admin", "up", http.MethodPost, "/v1/keys", `{"name":"ci","role":"viewer","workspace":"`+links.workspace+`"}`, admin, 201, true),
		req("key of an unknown role", "up", http.MethodPost, "/v1/keys", `{"name":"ci","role":"boss"}`, owner, 400, false),
		req("key without credentials", "up", http.MethodPost, "/v1/keys", `{"name":"ci","role":"editor"}`, nil, 401, false),
		req("key with a revoked key", "up", http.MethodPost, "/v1/keys", `{"name":"ci","role":"editor"}`, revoked, 401, true),
		req("key with a viewer key", "up", http.MethodPost, "/v1/keys", `{"name":"ci","role":"editor"}`, viewer, 403, true),
		req("key body over 16 KiB", "up", http.MethodPost, "/v1/keys", `{"name":"`+strings.Repeat("x", 17<<10)+`","role":"editor"}`, owner, 413, false),
		{name: "key as text/plain", server: "up", method: http.MethodPost, path: "/v1/keys", contentType: "text/plain", header: owner, body: `{}`, status: 415},
		{name: "key body cut short", server: "up", method: http.MethodPost, path: "/v1/keys", contentType: js, header: owner, body: `{"name":"never-sent","role":"viewer"}`, status: 408, conforms: true, stall: true},
		req("key store down", "down", http.MethodPost, "/v1/keys", `{"name":"ci","role":"editor","workspace":"x"}`, admin, 503, true),

		req("keys", "up", http.MethodGet, "/v1/keys", "", owner, 200, true),
		req("keys without credentials", "up", http.MethodGet, "/v1/keys", "", nil, 401, false),
		req("keys with a viewer key", "up", http.MethodGet, "/v1/keys", "", viewer, 403, true),
		req("keys store down", "down", http.MethodGet, "/v1/keys", "", admin, 503, true),

		req("revoke", "up", http.MethodDelete, "/v1/keys/"+links.revokeID, "", owner, 204, true),
		req("revoke without credentials", "up", http.MethodDelete, "/v1/keys/"+links.revokeID, "", nil, 401, false),
		req("revoke with a viewer key", "up", http.MethodDelete, "/v1/keys/"+links.revokeID, "", viewer, 403, true),
		req("revoke another workspace's key", "up", http.MethodDelete, "/v1/keys/"+links.revokeID, "", other, 404, true),
		req("revoke store down", "down", http.MethodDelete, "/v1/keys/abcdefgh", "", admin, 503, true),

		req("links", "up", http.MethodGet, "/v1/shortlinks?limit=1", "", admin, 200, true),
		req("links filtered", "up", http.MethodGet, "/v1/shortlinks?tag=doc&q=exa&state=active", "", viewer, 200, true),
		req("links over the limit", "up", http.MethodGet, "/v1/shortlinks?limit=101", "", admin, 400, false),
		req("links without credentials", "up", http.MethodGet, "/v1/shortlinks", "", nil, 401, false),
		req("links with a manage token", "up", http.MethodGet, "/v1/shortlinks", "", bearer(links.takenDownToken), 401, true),
		req("links store down", "down", http.MethodGet, "/v1/shortlinks", "", admin, 503, true),

		req("tags", "up", http.MethodGet, "/v1/tags", "", viewer, 200, true),
		req("tags without credentials", "up", http.MethodGet, "/v1/tags", "", nil, 401, false),
		req("tags store down", "down", http.MethodGet, "/v1/tags", "", admin, 503, true),

		req("audit", "up", http.MethodGet, "/v1/audit?limit=2", "", owner, 200, true),
		req("audit bad cursor", "up", http.MethodGet, "/v1/audit?cursor=x", "", admin, 400, true),
		req("audit without credentials", "up", http.MethodGet, "/v1/audit", "", nil, 401, false),
		req("audit with a viewer key", "up", http.MethodGet, "/v1/audit", "", viewer, 403, true),
		req("audit store down", "down", http.MethodGet, "/v1/audit", "", admin, 503, true),

		req("workspace stats", "up", http.MethodGet, "/v1/stats", "", viewer, 200, true),
		req("every link's stats", "up", http.MethodGet, "/v1/stats?from=2030-01-01T00:00:00Z&to=2030-01-03T00:00:00Z", "", admin, 200, true),
		req("anonymous links' stats", "up", http.MethodGet, "/v1/stats?workspace=none", "", admin, 200, true),
		req("workspace stats bad window", "up", http.MethodGet, "/v1/stats?from=2030-01-03T00:00:00Z&to=2030-01-01T00:00:00Z", "", admin, 400, true),
		req("workspace stats without credentials", "up", http.MethodGet, "/v1/stats", "", nil, 401, false),
		req("workspace stats store down", "down", http.MethodGet, "/v1/stats", "", admin, 503, true),

		// Keys in the right form that no store holds count as misses.
		req("workspace over MISS_RATE_LIMIT", "misses", http.MethodPost, "/v1/workspaces", `{"name":"team"}`, unknown, 429, true),
		req("keys over MISS_RATE_LIMIT", "misses", http.MethodGet, "/v1/keys", "", unknown, 429, true),
		req("key over MISS_RATE_LIMIT", "misses", http.MethodPost, "/v1/keys", `{"name":"ci","role":"editor"}`, unknown, 429, true),
		req("revoke over MISS_RATE_LIMIT", "misses", http.MethodDelete, "/v1/keys/abcdefgh", "", unknown, 429, true),
		req("links over MISS_RATE_LIMIT", "misses", http.MethodGet, "/v1/shortlinks", "", unknown, 429, true),
		req("tags over MISS_RATE_LIMIT", "misses", http.MethodGet, "/v1/tags", "", unknown, 429, true),
		req("audit over MISS_RATE_LIMIT", "misses", http.MethodGet, "/v1/audit", "", unknown, 429, true),
		req("workspace stats over MISS_RATE_LIMIT", "misses", http.MethodGet, "/v1/stats", "", unknown, 429, true),
	}
}

// unknownKey is a key in the right form, checksum included, that no store holds.
func unknownKey() string {
	_, key, err := domain.NewAPIKey("nowhere", domain.RoleOwner, "never stored", time.Now())
	if err != nil {
		panic(err)
	}
	return key
}
