package httpclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// contract is the API's OpenAPI 3.1 document, as the server's tests load it.
type contract struct {
	router routers.Router
}

var registerDecoders sync.Once

func loadContract(t testing.TB) contract {
	t.Helper()
	raw, err := os.ReadFile("../httpapi/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	registerDecoders.Do(func() {
		for _, mediaType := range []string{"image/png", "image/svg+xml"} {
			openapi3filter.RegisterBodyDecoder(mediaType, openapi3filter.FileBodyDecoder)
		}
	})
	return contract{router: router}
}

// validatingTransport sends each request and checks it and its answer
// against the 3.1 document, with the validator the server's tests use: the
// generated client (made from the 3.0 copy) cannot send or expect anything
// the published document does not say.
type validatingTransport struct {
	t        testing.TB
	contract contract
	mu       sync.Mutex
	seen     map[string]bool // "METHOD path status" of each exchange
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	v.check(req, reqBody, resp, respBody)
	return resp, nil
}

func (v *validatingTransport) check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t := v.t
	name := req.Method + " " + req.URL.RequestURI()
	checked := req.Clone(context.Background())
	checked.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := v.contract.router.FindRoute(checked)
	if err != nil {
		t.Errorf("%s: the document has no such operation: %v", name, err)
		return
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
				return errors.New("no credentials")
			}
			return nil
		},
	}
	in := &openapi3filter.RequestValidationInput{Request: checked, PathParams: params, Route: route, Options: opts}
	// A request the client sends on purpose against the rules (a bad
	// alias, say) is refused by the server; the document need only admit
	// what the client sends when the server accepts it.
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && resp.StatusCode < 400 {
		t.Errorf("%s: the request does not match the document: %v", name, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s: the %d answer does not match the document: %v\n%s", name, resp.StatusCode, err, respBody)
	}
	v.mu.Lock()
	v.seen[fmt.Sprintf("%s %s %d", req.Method, route.Path, resp.StatusCode)] = true
	v.mu.Unlock()
}
