//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestNginxLogKeepsThePrivacyPromise runs nginx with the shipped site
// config in front of a stand-in api and checks its access log: the fields
// docs/operations.md lists, and no query string, referrer, user agent or client
// address.
func TestNginxLogKeepsThePrivacyPromise(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upstream := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/health" {
			return
		}
		w.Header().Set("X-Request-Id", "req-42")
		w.Header().Set("Location", "https://example.com/target")
		w.WriteHeader(http.StatusFound)
	}), ReadHeaderTimeout: time.Second}
	go func() { _ = upstream.Serve(ln) }()
	t.Cleanup(func() { upstream.Close() })

	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	base, nginx := testenv.StartNginx(t, root, ln.Addr().String(), testkit.FreePort(t), testkit.NginxOptions{})

	r := testkit.Send(loadClient, http.MethodGet, base+"/AbCd123?utm_source=secret-query", "", nil, http.Header{
		"Referer":    {"https://private.example/page?secret=1"},
		"User-Agent": {"Mozilla/5.0 (Secret Agent)"},
	})
	if r.Status != http.StatusFound {
		t.Fatalf("redirect through nginx: %s", r)
	}
	var line map[string]any
	testkit.Eventually(t, 5*time.Second, "nginx logs the redirect", func() error {
		for l := range strings.Lines(nginx.Output()) {
			if strings.Contains(l, `"/AbCd123"`) {
				return json.Unmarshal([]byte(l), &line)
			}
		}
		return fmt.Errorf("no line for /AbCd123 in %q", nginx.Output())
	})
	var fields []string
	for k := range line {
		fields = append(fields, k)
	}
	slices.Sort(fields)
	if want := []string{"bytes_sent", "method", "request_id", "request_time", "status", "time", "upstream_time", "uri"}; !slices.Equal(fields, want) {
		t.Errorf("nginx log fields %v, want %v", fields, want)
	}
	if line["uri"] != "/AbCd123" || line["status"] != float64(302) || line["request_id"] != "req-42" || line["method"] != "GET" {
		t.Errorf("nginx log line = %v", line)
	}
	for _, secret := range []string{"secret", "private.example", "Mozilla", "127.0.0.1"} {
		if strings.Contains(nginx.Output(), secret) {
			t.Errorf("the nginx log holds %q:\n%s", secret, nginx.Output())
		}
	}
}
