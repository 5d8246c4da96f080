package httpsuite

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/shortlink/shortlink/test/testkit"
)

// runDomains checks short domains (SPEC §14). Registering a second domain
// makes every Host that is no domain answer 404 for every code, so these
// cases run only where each gets an API of its own (Run, not RunClockFree).
func runDomains(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	for _, c := range []struct {
		name  string
		check func(t *testing.T, env Env)
	}{
		{"one alias on two domains is two links, resolved by Host", oneAliasOnTwoDomainsIsTwoLinks},
		{"a takedown on one domain leaves the other's link alone", takedownOnOneDomainOnly},
		{"domains are refused as targets and kept while links are on them", domainsRefusedAsTargetsAndKeptWhileInUse},
		{"an import puts each row on its domain, with a create's checks", importCarriesDomains},
		{"registering and removing a domain is audited", domainsAreAudited},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, newEnv(t))
		})
	}
	t.Run("an export imported into another service keeps each link's domain", func(t *testing.T) {
		t.Parallel()
		exportImportRoundTripKeepsDomains(t, newEnv(t), newEnv(t))
	})
}

// RegisterDomain registers host with the admin key and fails the test
// unless the API answers 201.
func RegisterDomain(t testing.TB, env Env, host string) {
	t.Helper()
	if r := Send(t, env, http.MethodPost, "/v1/domains", AdminKey, map[string]any{"host": host}); r.Status != http.StatusCreated {
		t.Fatalf("register domain %s: %d %s", host, r.Status, r.Body)
	}
}

// GetOn sends GET path with Host host.
func GetOn(t testing.TB, env Env, host, path string) Response {
	t.Helper()
	r := testkit.Send(nil, http.MethodGet, env.BaseURL+path, "", nil, http.Header{"Host": {host}, "Accept": {"application/json"}})
	if r.Err != nil {
		t.Fatalf("GET %s on %s: %v", path, host, r.Err)
	}
	return r
}

func defaultHost(t testing.TB, env Env) string {
	t.Helper()
	u, err := url.Parse(env.PublicBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func expectRedirectOn(t *testing.T, env Env, host, path, want string) {
	t.Helper()
	r := GetOn(t, env, host, path)
	if r.Status != http.StatusFound || r.Location() != want {
		t.Errorf("GET %s on %s = %d to %q, want 302 to %q: %s", path, host, r.Status, r.Location(), want, r.Body)
	}
}

func oneAliasOnTwoDomainsIsTwoLinks(t *testing.T, env Env) {
	// While the default domain is the only one, every Host resolves to it.
	MustCreate(t, env, map[string]any{"url": "https://example.com/default", "alias": "promo"})
	expectRedirectOn(t, env, "anything.example", "/promo", "https://example.com/default")

	RegisterDomain(t, env, "exa.mp")
	on := Send(t, env, http.MethodPost, "/v1/shortlink", AdminKey, map[string]any{"url": "https://example.com/exa", "alias": "promo", "domain": "EXA.MP"})
	if on.Status != http.StatusCreated || on.Field("code") != "promo" || on.Field("domain") != "exa.mp" || on.Field("short_url") != "https://exa.mp/promo" {
		t.Fatalf("create promo on exa.mp: %d %s", on.Status, on.Body)
	}
	if again := Send(t, env, http.MethodPost, "/v1/shortlink", AdminKey, map[string]any{"url": "https://example.com/x", "alias": "promo", "domain": "exa.mp"}); again.Status != http.StatusConflict {
		t.Errorf("promo twice on exa.mp: %d %s", again.Status, again.Body)
	}
	generated := Send(t, env, http.MethodPost, "/v1/shortlink", AdminKey, map[string]any{"url": "https://example.com/gen", "domain": "exa.mp"})
	if generated.Status != http.StatusCreated || !generatedCode.MatchString(generated.Field("code")) {
		t.Fatalf("a generated code on exa.mp: %d %s", generated.Status, generated.Body)
	}

	def := defaultHost(t, env)
	for range 2 { // the second answer comes from the caches
		expectRedirectOn(t, env, def, "/promo", "https://example.com/default")
		expectRedirectOn(t, env, "exa.mp", "/promo", "https://example.com/exa")
		expectRedirectOn(t, env, "EXA.mp.:8443", "/promo", "https://example.com/exa")
	}
	expectRedirectOn(t, env, "exa.mp", "/"+generated.Field("code"), "https://example.com/gen")
	if r := GetOn(t, env, def, "/"+generated.Field("code")); r.Status != http.StatusNotFound {
		t.Errorf("exa.mp's generated code on the default domain: %d, want 404", r.Status)
	}
	// A Host that is no domain: 404 for every code; /v1 answers on any host.
	for _, host := range []string{"unknown.example", "127.0.0.1"} {
		testkit.ExpectError(t, GetOn(t, env, host, "/promo"), http.StatusNotFound, "not_found", "")
		if r := GetOn(t, env, host, "/v1/health"); r.Status != http.StatusOK {
			t.Errorf("/v1/health on %s: %d", host, r.Status)
		}
	}
	info := Send(t, env, http.MethodGet, "/v1/shortlink/promo/info?domain=exa.mp", "", nil)
	if info.Status != http.StatusOK || info.Field("url") != "https://example.com/exa" || info.Field("domain") != "exa.mp" {
		t.Errorf("info of promo on exa.mp: %d %s", info.Status, info.Body)
	}
	plain := Send(t, env, http.MethodGet, "/v1/shortlink/promo/info", "", nil)
	if plain.Status != http.StatusOK || plain.Field("url") != "https://example.com/default" || plain.Field("domain") != "" {
		t.Errorf("info of promo on the default domain: %d %s", plain.Status, plain.Body)
	}
	listed := Send(t, env, http.MethodGet, "/v1/shortlinks?domain=exa.mp", AdminKey, nil)
	if items, _ := listed.Envelope.Data["items"].([]any); listed.Status != http.StatusOK || len(items) != 2 {
		t.Errorf("GET /v1/shortlinks?domain=exa.mp: %d with %d items, want 200 with promo and the generated code: %s", listed.Status, len(items), listed.Body)
	}
	onDefault := Send(t, env, http.MethodGet, "/v1/shortlinks?q=promo&domain="+def, AdminKey, nil)
	if items, _ := onDefault.Envelope.Data["items"].([]any); onDefault.Status != http.StatusOK || len(items) != 1 {
		t.Errorf("GET /v1/shortlinks?q=promo&domain=%s: %d with %d items, want the default domain's promo alone: %s", def, onDefault.Status, len(items), onDefault.Body)
	}
	list := Send(t, env, http.MethodGet, "/v1/domains", "", nil)
	if list.Status != http.StatusOK {
		t.Errorf("GET /v1/domains: %d %s", list.Status, list.Body)
	}
}

func takedownOnOneDomainOnly(t *testing.T, env Env) {
	RegisterDomain(t, env, "exa.mp")
	RegisterDomain(t, env, "go.example.org")
	def := defaultHost(t, env)
	MustCreate(t, env, map[string]any{"url": "https://example.com/default", "alias": "promo"})
	for _, host := range []string{"exa.mp", "go.example.org"} {
		if r := Send(t, env, http.MethodPost, "/v1/shortlink", AdminKey, map[string]any{"url": "https://example.com/" + host, "alias": "promo", "domain": host}); r.Status != http.StatusCreated {
			t.Fatalf("create promo on %s: %d %s", host, r.Status, r.Body)
		}
		expectRedirectOn(t, env, host, "/promo", "https://example.com/"+host) // cached now
	}
	expectRedirectOn(t, env, def, "/promo", "https://example.com/default")

	if r := Send(t, env, http.MethodPatch, "/v1/shortlink/promo?domain=exa.mp", AdminKey, map[string]any{"disabled": true}); r.Status != http.StatusOK {
		t.Fatalf("take down promo on exa.mp: %d %s", r.Status, r.Body)
	}
	testkit.ExpectError(t, GetOn(t, env, "exa.mp", "/promo"), http.StatusGone, "gone", "")
	expectRedirectOn(t, env, "go.example.org", "/promo", "https://example.com/go.example.org")
	expectRedirectOn(t, env, def, "/promo", "https://example.com/default")

	if r := Send(t, env, http.MethodDelete, "/v1/shortlink/promo?domain=go.example.org", AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete promo on go.example.org: %d %s", r.Status, r.Body)
	}
	testkit.ExpectError(t, GetOn(t, env, "go.example.org", "/promo"), http.StatusGone, "gone", "")
	expectRedirectOn(t, env, def, "/promo", "https://example.com/default")
}

func domainsRefusedAsTargetsAndKeptWhileInUse(t *testing.T, env Env) {
	MustCreate(t, env, map[string]any{"url": "https://loop.example/x", "alias": "to-loop"})
	r := Send(t, env, http.MethodPost, "/v1/domains", AdminKey, map[string]any{"host": "loop.example"})
	testkit.ExpectError(t, r, http.StatusConflict, "domain_targeted", "host")
	if r := Send(t, env, http.MethodDelete, "/v1/shortlink/to-loop", AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete to-loop: %d %s", r.Status, r.Body)
	}
	RegisterDomain(t, env, "loop.example")
	testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://LOOP.example./y"}), http.StatusBadRequest, "own_host", "url")
	ruled := map[string]any{"url": "https://example.com/z", "rules": []map[string]any{{"when": map[string]any{"os": []string{"ios"}}, "url": "https://Loop.Example/app"}}}
	testkit.ExpectError(t, Create(t, env, ruled), http.StatusBadRequest, "own_host", "rules[0].url")

	if r := Send(t, env, http.MethodPost, "/v1/shortlink", AdminKey, map[string]any{"url": "https://example.com/on", "alias": "kept", "domain": "loop.example"}); r.Status != http.StatusCreated {
		t.Fatalf("create kept on loop.example: %d %s", r.Status, r.Body)
	}
	testkit.ExpectError(t, Send(t, env, http.MethodDelete, "/v1/domains/loop.example", AdminKey, nil), http.StatusConflict, "domain_in_use", "")
	if r := Send(t, env, http.MethodDelete, "/v1/shortlink/kept?domain=loop.example", AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete kept: %d %s", r.Status, r.Body)
	}
	if r := Send(t, env, http.MethodDelete, "/v1/domains/loop.example", AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("remove loop.example: %d %s", r.Status, r.Body)
	}
	// Back to the default domain only: every Host resolves to it again.
	MustCreate(t, env, map[string]any{"url": "https://example.com/back", "alias": "back"})
	expectRedirectOn(t, env, "loop.example", "/back", "https://example.com/back")
}
