package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

const openAPIKey = "openapi-test-key-0123456789"

// loadOpenAPI loads and validates the document the binary embeds.
func loadOpenAPI(t *testing.T) (*openapi3.T, routers.Router, []byte) {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi.yaml declares OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router, raw
}

// openAPIServers are the ways the API is assembled for the exchanges: up,
// with the store down, with API keys, and with a rate limit of one create.
func openAPIServers(t *testing.T) map[string]httpsuite.Env {
	t.Helper()
	start := func(down bool, configure func(cfg *config.Config)) httpsuite.Env {
		store := memory.NewLinkStore()
		store.SetDown(down)
		return httpsuite.StartInProcess(t, httpsuite.Parts{
			Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
			Limiter:   memory.NewRateLimiter(),
			Ready:     []app.DependencyCheck{{Name: "store", Ping: store.Ping}},
			Configure: configure,
		})
	}
	return map[string]httpsuite.Env{
		"up":      start(false, nil),
		"down":    start(true, nil),
		"keys":    start(false, func(cfg *config.Config) { cfg.APIKeys = []string{openAPIKey} }),
		"limited": start(false, func(cfg *config.Config) { cfg.CreateRateLimit = 1 }),
	}
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
}

func openAPIExchanges() []exchange {
	future := time.Now().Add(48 * time.Hour).In(time.FixedZone("", 3600)).Format(time.RFC3339)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	const js = "application/json"
	create := func(name, server, body string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodPost, path: "/v1/shortlink", contentType: js, body: body, status: status, conforms: conforms}
	}
	get := func(name, server, path string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodGet, path: path, status: status, conforms: conforms}
	}
	return []exchange{
		get("health", "up", "/v1/health", 200, true),
		get("ready", "up", "/v1/ready", 200, true),
		get("not ready", "down", "/v1/ready", 503, true),
		get("metrics", "up", "/metrics", 200, true),
		get("openapi document", "up", "/v1/openapi.yaml", 200, true),

		create("generated code", "up", `{"url":"https://example.com/a?b=c"}`, 201, true),
		create("alias and expiry with offset", "up", `{"url":"https://example.com/doc","alias":"doc-link","expires_at":"`+future+`"}`, 201, true),
		create("empty alias, unknown field", "up", `{"url":"HTTPS://example.com/","alias":"","extra":1}`, 201, true),
		create("charset parameter", "up", `{"url":"https://example.com"}`, 201, true),
		create("alias taken", "up", `{"url":"https://example.com/other","alias":"doc-link"}`, 409, true),
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
		{name: "text/plain", server: "up", method: http.MethodPost, path: "/v1/shortlink", contentType: "text/plain", body: `{"url":"https://example.com"}`, status: 415},
		{name: "no content type", server: "up", method: http.MethodPost, path: "/v1/shortlink", body: `{"url":"https://example.com"}`, status: 415},
		create("store down", "down", `{"url":"https://example.com"}`, 503, true),
		create("no API key", "keys", `{"url":"https://example.com"}`, 401, true),
		{name: "X-API-Key", server: "keys", method: http.MethodPost, path: "/v1/shortlink", contentType: js, header: map[string]string{"X-API-Key": openAPIKey}, body: `{"url":"https://example.com"}`, status: 201, conforms: true},
		{name: "bearer key", server: "keys", method: http.MethodPost, path: "/v1/shortlink", contentType: js, header: map[string]string{"Authorization": "Bearer " + openAPIKey}, body: `{"url":"https://example.com"}`, status: 201, conforms: true},
		create("within the rate limit", "limited", `{"url":"https://example.com"}`, 201, true),
		create("over the rate limit", "limited", `{"url":"https://example.com"}`, 429, true),

		get("redirect", "up", "/doc-link", 302, true),
		get("resolve", "up", "/v1/shortlink/doc-link", 302, true),
		get("redirect unknown", "up", "/NoSuch1", 404, true),
		get("resolve unknown", "up", "/v1/shortlink/NoSuch1", 404, true),
		get("redirect invalid code", "up", "/bad_code", 400, false),
		get("resolve invalid code", "up", "/v1/shortlink/-abc", 400, false),
		get("redirect code too long", "up", "/"+strings.Repeat("a", 33), 400, false),
		get("redirect store down", "down", "/Uncached", 503, true),
		get("resolve store down", "down", "/v1/shortlink/Uncached", 503, true),

		get("web page", "up", "/", 200, true),
		get("web script", "up", "/_/app.js", 200, true),
		get("web style", "up", "/_/app.css", 200, true),
		get("web icon", "up", "/_/icon.svg", 200, true),
		get("web asset unknown", "up", "/_/nothing.js", 404, false),
	}
}

// TestOpenAPIDocumentMatchesTheAPI replays requests of every route and
// status against the real HTTP adapter and validates each request and each
// response against openapi.yaml.
func TestOpenAPIDocumentMatchesTheAPI(t *testing.T) {
	t.Parallel()
	doc, router, raw := loadOpenAPI(t)
	servers := openAPIServers(t)
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if in.RequestValidationInput.Request.Header.Get(in.SecurityScheme.Name) == "" &&
				!strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
				return errors.New("no credentials")
			}
			return nil
		},
	}
	exercised := map[string]bool{}

	for _, ex := range openAPIExchanges() { // in order: later exchanges rely on earlier creates
		env := servers[ex.server]
		newRequest := func() *http.Request {
			req, err := http.NewRequest(ex.method, env.BaseURL+ex.path, strings.NewReader(ex.body))
			if err != nil {
				t.Fatal(err)
			}
			if ex.contentType != "" {
				req.Header.Set("Content-Type", ex.contentType)
			}
			for k, v := range ex.header {
				req.Header.Set(k, v)
			}
			return req
		}
		resp, err := client.Do(newRequest())
		if err != nil {
			t.Fatalf("%s: %v", ex.name, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != ex.status {
			t.Errorf("%s: %s %s = %d, want %d: %s", ex.name, ex.method, ex.path, resp.StatusCode, ex.status, body)
			continue
		}

		req := newRequest()
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s: the document has no operation for %s %s: %v", ex.name, ex.method, ex.path, err)
			continue
		}
		exercised[fmt.Sprintf("%s %s %d", ex.method, route.Path, ex.status)] = true
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(context.Background(), in); (err == nil) != ex.conforms {
			t.Errorf("%s: the document admits the request: %v, want %v (%v)", ex.name, err == nil, ex.conforms, err)
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s: %d response does not match the document: %v\n%s", ex.name, resp.StatusCode, err, body)
		}
		if ex.path == "/v1/openapi.yaml" && !bytes.Equal(body, raw) {
			t.Errorf("GET /v1/openapi.yaml does not serve openapi.yaml")
		}
	}

	// Every documented status is produced above, but 500, which needs a
	// fault the in-memory ports cannot make.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				key := fmt.Sprintf("%s %s %s", method, path, status)
				if status != "500" && !exercised[key] {
					t.Errorf("documented but never exercised: %s", key)
				}
			}
		}
	}
}

// routeParam is a gin path parameter (":code"), written "{code}" in the document.
var routeParam = regexp.MustCompile(`:(\w+)`)

// TestOpenAPIDocumentsEveryRoute compares the router's routes with the
// document's operations, both ways.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	doc, _, _ := loadOpenAPI(t)
	reg := prometheus.NewRegistry()
	engine, err := httpapi.NewRouter(httpapi.NewHandler(httpapi.Deps{Log: slog.Default()}, httpapi.Options{PublicBaseURL: "https://sho.rt"}), reg)
	if err != nil {
		t.Fatal(err)
	}
	var routed, documented []string
	for _, r := range engine.Routes() {
		routed = append(routed, r.Method+" "+routeParam.ReplaceAllString(r.Path, "{$1}"))
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(routed)
	slices.Sort(documented)
	if !slices.Equal(routed, documented) {
		t.Fatalf("routes and documented operations differ:\nrouter:   %v\ndocument: %v", routed, documented)
	}
}
