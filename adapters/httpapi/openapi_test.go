package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
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

// TestOpenAPIDocumentMatchesTheAPI replays requests of every route and
// status against the real HTTP adapter and validates each request and each
// response against openapi.yaml; each GET once more as a HEAD, which must
// answer the GET's status and headers without a body; and every path with
// a method it does not list, which must be 405 with Allow naming those it
// does.
func TestOpenAPIDocumentMatchesTheAPI(t *testing.T) {
	t.Parallel()
	registerImageDecoders()
	doc, router, raw := loadOpenAPI(t)
	servers := openAPIServers(t)
	links := prepareOpenAPILinks(t, servers["up"])
	v := openAPIValidator{t: t, router: router, exercised: map[string]bool{}}

	for _, ex := range openAPIExchanges(links) { // in order: later exchanges rely on earlier ones
		env := servers[ex.server]
		status, header, body := send(t, env, ex)
		if status != ex.status {
			t.Errorf("%s: %s %s = %d, want %d: %s", ex.name, ex.method, ex.path, status, ex.status, body)
			continue
		}
		v.check(ex, env, status, header, body, false)
		if ex.path == "/v1/openapi.yaml" && !bytes.Equal(body, raw) {
			t.Errorf("GET /v1/openapi.yaml does not serve openapi.yaml")
		}
		// HEAD is answered wherever GET is. (Not where a lookup counts
		// towards MISS_RATE_LIMIT: the HEAD would move the count.)
		if ex.method == http.MethodGet && ex.server != "misses" {
			head := ex
			head.method, head.name = http.MethodHead, "HEAD of "+ex.name
			status, header, body := send(t, env, head)
			if status != ex.status || len(body) != 0 {
				t.Errorf("%s: %d with %d bytes of body, want %d without a body", head.name, status, len(body), ex.status)
				continue
			}
			v.check(ex, env, status, header, nil, true)
		}
	}
	checkMethodNotAllowed(t, doc, servers["up"])

	// Every documented status is produced above, but 500, which needs a
	// fault the in-memory ports cannot make.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				key := fmt.Sprintf("%s %s %s", method, path, status)
				if status != "500" && !v.exercised[key] {
					t.Errorf("documented but never exercised: %s", key)
				}
			}
		}
	}
}

var registerOnce sync.Once

// registerImageDecoders lets the validator read the bodies of the QR route
// and the icon, and the pages, as what their schemas say they are: strings.
func registerImageDecoders() {
	registerOnce.Do(func() {
		for _, mediaType := range []string{"image/png", "image/svg+xml", "image/x-icon", "text/html", "text/csv", "application/x-ndjson"} {
			openapi3filter.RegisterBodyDecoder(mediaType, openapi3filter.FileBodyDecoder)
		}
	})
}

// send makes ex's request and returns the answer; a stalled exchange sends
// half its body and closes its side of the connection.
func send(t *testing.T, env httpsuite.Env, ex exchange) (int, http.Header, []byte) {
	t.Helper()
	if ex.stall {
		return sendStalled(t, env, ex)
	}
	header := http.Header{}
	for k, v := range ex.header {
		header.Set(k, v)
	}
	r := testkit.Send(nil, ex.method, env.BaseURL+ex.path, ex.contentType, []byte(ex.body), header)
	if r.Err != nil {
		t.Fatalf("%s: %v", ex.name, r.Err)
	}
	return r.Status, r.Header, r.Body
}

func sendStalled(t *testing.T, env httpsuite.Env, ex exchange) (int, http.Header, []byte) {
	t.Helper()
	u, err := url.Parse(env.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n", ex.method, ex.path, u.Host, ex.contentType, len(ex.body))
	for k, v := range ex.header {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	req.WriteString("\r\n" + ex.body[:len(ex.body)/2])
	if _, err := io.WriteString(conn, req.String()); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", ex.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", ex.name, err)
	}
	return resp.StatusCode, resp.Header, body
}

// openAPIValidator checks exchanges against the document and remembers
// which documented answers they produced.
type openAPIValidator struct {
	t         *testing.T
	router    routers.Router
	exercised map[string]bool
}

// check validates ex's request, and the answer status, header and body
// (or only its headers, when headOnly: the answer to a HEAD of ex).
func (v openAPIValidator) check(ex exchange, env httpsuite.Env, status int, header http.Header, body []byte, headOnly bool) {
	t := v.t
	t.Helper()
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
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s: the document has no operation for %s %s: %v", ex.name, ex.method, ex.path, err)
		return
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		ExcludeResponseBody:   headOnly,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if in.RequestValidationInput.Request.Header.Get(in.SecurityScheme.Name) == "" &&
				!strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
				return errors.New("no credentials")
			}
			return nil
		},
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); !headOnly && (err == nil) != ex.conforms {
		t.Errorf("%s: the document admits the request: %v, want %v (%v)", ex.name, err == nil, ex.conforms, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s: %d response does not match the document: %v\n%s", ex.name, status, err, body)
	}
	if !headOnly {
		v.exercised[fmt.Sprintf("%s %s %d", ex.method, route.Path, status)] = true
	}
}

// checkMethodNotAllowed asks every documented path with a method it does
// not list: 405, Allow naming the methods the document lists (and HEAD
// wherever GET), and the error envelope.
func checkMethodNotAllowed(t *testing.T, doc *openapi3.T, env httpsuite.Env) {
	t.Helper()
	errorEnvelope := doc.Components.Schemas["ErrorEnvelope"].Value
	for path, item := range doc.Paths.Map() {
		allowed := map[string]bool{}
		for method := range item.Operations() {
			allowed[method] = true
			if method == http.MethodGet {
				allowed[http.MethodHead] = true
			}
		}
		var probe string
		for _, method := range []string{http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch} {
			if !allowed[method] {
				probe = method
				break
			}
		}
		concrete := strings.ReplaceAll(path, "{code}", "doc-link")
		r := testkit.Send(nil, probe, env.BaseURL+concrete, "", nil, nil)
		got := map[string]bool{}
		for method := range strings.SplitSeq(r.Header.Get("Allow"), ",") {
			got[strings.TrimSpace(method)] = true
		}
		var envelope any
		switch {
		case r.Err != nil || r.Status != http.StatusMethodNotAllowed:
			t.Errorf("%s %s = %s, want 405", probe, concrete, r)
		case !maps.Equal(got, allowed):
			t.Errorf("%s %s: Allow %q, want the methods the document lists for %s: %v", probe, concrete, r.Header.Get("Allow"), path, slices.Sorted(maps.Keys(allowed)))
		case json.Unmarshal(r.Body, &envelope) != nil || errorEnvelope.VisitJSON(envelope) != nil || !strings.Contains(string(r.Body), `"status":405`):
			t.Errorf("%s %s: 405 without the error envelope: %s", probe, concrete, r.Body)
		case r.Header.Get("X-Request-Id") == "":
			t.Errorf("%s %s: 405 without X-Request-Id", probe, concrete)
		}
	}
}

// routeParam is a gin path parameter (":code"), written "{code}" in the document.
var routeParam = regexp.MustCompile(`:(\w+)`)

// TestOpenAPIDocumentsEveryRoute compares the router's routes with the
// document's operations, both ways. HEAD is routed wherever GET is and
// documented once for all; the preview page /{code}+ is the route /{code}
// (which tells it by the "+").
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	doc, _, _ := loadOpenAPI(t)
	reg := prometheus.NewRegistry()
	engine, err := httpapi.NewRouter(httpapi.NewHandler(httpapi.Deps{Log: slog.Default()}, httpapi.Options{PublicBaseURL: "https://sho.rt"}), reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for _, r := range engine.Routes() {
		routes[r.Method+" "+routeParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var routed, documented []string
	for route := range routes {
		method, path, _ := strings.Cut(route, " ")
		switch {
		case method == http.MethodHead && !routes["GET "+path]:
			t.Errorf("HEAD %s is routed without a GET", path)
		case method == http.MethodGet && !routes["HEAD "+path]:
			t.Errorf("GET %s is routed without a HEAD", path)
		case method != http.MethodHead:
			routed = append(routed, route)
		}
	}
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if path == "/{code}+" {
				path = "/{code}"
			}
			if op := method + " " + path; !seen[op] {
				seen[op] = true
				documented = append(documented, op)
			}
		}
	}
	if doc.Paths.Value("/{code}+") == nil {
		t.Errorf("the preview page /{code}+ is not documented")
	}
	slices.Sort(routed)
	slices.Sort(documented)
	if !slices.Equal(routed, documented) {
		t.Fatalf("routes and documented operations differ:\nrouter:   %v\ndocument: %v", routed, documented)
	}
}
