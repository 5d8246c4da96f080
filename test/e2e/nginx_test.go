//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestNginxOwnErrors checks the answers the shipped nginx writes itself,
// with no api behind it to write them: each is the api's JSON envelope
// with its reason, never nginx's HTML page.
func TestNginxOwnErrors(t *testing.T) {
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	// One nginx in front of a port nobody listens on (502), one in front
	// of an api that accepts connections and never answers (504).
	dead := startBareNginx(t, root, fmt.Sprintf("127.0.0.1:%d", testkit.FreePort(t)), testkit.NginxOptions{})
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	mute := startBareNginx(t, root, silent.Addr().String(), testkit.NginxOptions{ReadTimeout: "1s"})

	long := strings.Repeat("a", 9<<10) // beyond large_client_header_buffers (8k)
	for _, tc := range []struct {
		name, base, method, path string
		header                   http.Header
		body                     []byte
		status                   int
		reason                   string
	}{
		{"no api to reach", dead, http.MethodGet, "/abc", nil, nil, http.StatusBadGateway, "unavailable"},
		{"no api to reach, a create", dead, http.MethodPost, "/v1/shortlink", nil, []byte(`{"url":"https://example.com"}`), http.StatusBadGateway, "unavailable"},
		{"no api answers in time", mute, http.MethodPost, "/v1/shortlink", nil, []byte(`{"url":"https://example.com"}`), http.StatusGatewayTimeout, "unavailable"},
		{"a body too large", dead, http.MethodPost, "/v1/shortlink", nil, []byte(`{"pad":"` + strings.Repeat("x", 17<<10) + `"}`), http.StatusRequestEntityTooLarge, "body_too_large"},
		{"metrics", dead, http.MethodGet, "/metrics", nil, nil, http.StatusNotFound, "no_route"},
		{"an error page asked for", dead, http.MethodGet, "/_nginx/unavailable", nil, nil, http.StatusNotFound, "no_route"},
		{"a header too large", dead, http.MethodGet, "/abc", http.Header{"X-Long": {long}}, nil, http.StatusBadRequest, "bad_request"},
		{"a URL too long", dead, http.MethodGet, "/" + long, nil, nil, http.StatusRequestURITooLong, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testkit.Send(nil, tc.method, tc.base+tc.path, "application/json", tc.body, tc.header)
			testkit.ExpectError(t, r, tc.status, tc.reason, "")
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("%d from nginx lacks nosniff or no-store: %v", tc.status, r.Header)
			}
		})
	}

	t.Run("a malformed request", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(dead, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		// Two Host headers: nginx refuses the request before any location.
		if _, err := io.WriteString(conn, "GET /abc HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var envelope struct {
			Status int
			Data   struct{ Error, Reason string }
		}
		if err := json.Unmarshal(body, &envelope); err != nil || resp.StatusCode != http.StatusBadRequest ||
			envelope.Status != http.StatusBadRequest || envelope.Data.Reason != "bad_request" || envelope.Data.Error == "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("malformed request = %d %s %s, want 400 bad_request in the JSON envelope", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
}

// startBareNginx runs the project's nginx config in front of upstream
// (host:port, which need not answer) and returns its base URL once it
// answers.
func startBareNginx(t *testing.T, moduleRoot, upstream string, o testkit.NginxOptions) string {
	t.Helper()
	bin, err := testkit.NginxBinary()
	if err != nil {
		t.Fatalf("e2e tests run the project's nginx config: %v (make e2etest installs it on Debian/Ubuntu)", err)
	}
	dir := t.TempDir()
	base := fmt.Sprintf("http://127.0.0.1:%d", testkit.FreePort(t))
	args, err := testkit.NginxConf(moduleRoot, dir, upstream, strings.TrimPrefix(base, "http://"), o)
	if err != nil {
		t.Fatal(err)
	}
	p := testenv.StartProcess(t, "nginx", bin, nil, args...)
	p.WaitHTTP(base+"/metrics", http.StatusNotFound, 10*time.Second) // nginx answers it itself
	return base
}
