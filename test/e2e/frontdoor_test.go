//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// testFrontDoor checks what the shipped nginx config promises on top of
// the routes: /metrics is not reachable through it,
// in any spelling, while the api's own port stays scrapeable; and the
// longest URL the api accepts is created and redirected through it.
func testFrontDoor(t *testing.T, s *stack) {
	t.Run("metrics are not served at the front door", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/metrics", "/metrics?format=text", "//metrics", "/%6Detrics", "/v1/../metrics", "/./metrics"} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				r := testkit.Send(nil, method, s.proxyURL+path, "", nil, nil)
				switch {
				case r.Err != nil || r.Status != http.StatusNotFound:
					t.Errorf("%s %s through nginx = %s, want 404", method, path, r)
				case strings.Contains(string(r.Body), "shortlink_http_requests_total"):
					t.Errorf("%s %s through nginx shows the metrics", method, path)
				case method == http.MethodGet && (r.Envelope.Status != http.StatusNotFound || r.Reason() != "no_route" || r.ErrorMessage() != "no such route"):
					t.Errorf("GET %s through nginx: 404 without the api's envelope and reason no_route: %s", path, r.Body)
				case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
					t.Errorf("%s %s through nginx: Content-Type %q, want JSON", method, path, r.Header.Get("Content-Type"))
				}
			}
		}
		if r := testkit.Send(nil, http.MethodGet, s.apiURL+"/metrics", "", nil, nil); r.Status != http.StatusOK ||
			!strings.Contains(string(r.Body), "shortlink_http_requests_total") {
			t.Fatalf("GET /metrics on the api's own port = %s, want the metrics", r)
		}
	})

	t.Run("manage tokens and admin keys are never logged nor in metrics", func(t *testing.T) {
		t.Parallel()
		env := s.front()
		l := httpsuite.CreateLink(t, env, "https://example.com/secret-keeping")
		for _, bearer := range []string{l.Token, httpsuite.AdminKey} {
			httpsuite.Send(t, env, http.MethodGet, "/v1/shortlink/"+l.Code+"/info", bearer, nil)
			httpsuite.Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, bearer, map[string]any{"disabled": true})
		}
		id := "e2e-secret-" + testkit.RandomHex(6)
		// Taken down by the admin key above: only an admin key deletes it.
		r := testkit.Send(nil, http.MethodDelete, env.BaseURL+"/v1/shortlink/"+l.Code, "", nil,
			http.Header{"Authorization": {"Bearer " + httpsuite.AdminKey}, "X-Request-Id": {id}})
		if r.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %s", r)
		}
		waitLogLine(t, s.api, id) // the last request is logged, so all before it are
		metrics := testkit.Send(nil, http.MethodGet, s.apiURL+"/metrics", "", nil, nil)
		for _, secret := range []string{l.Token, httpsuite.AdminKey} {
			if strings.Contains(s.api.Output(), secret) || strings.Contains(string(metrics.Body), secret) {
				t.Fatalf("the api's log or metrics contain a credential (%.6s…)", secret)
			}
		}
		if !strings.Contains(s.api.Output(), `"msg":"admin changed a link"`) {
			t.Fatalf("the admin's change was not logged")
		}
	})

	t.Run("the longest URL is created and redirected through nginx", func(t *testing.T) {
		t.Parallel()
		// An api at the largest MAX_URL_LENGTH, behind its own nginx. A
		// create's body is at most 16 KiB, so the longest URL a create can
		// carry is that less {"url":""}.
		const maxURLLength = 16384
		apiPort, proxyPort := testkit.FreePort(t), testkit.FreePort(t)
		s.startAPIWith(t, apiPort, "MAX_URL_LENGTH", fmt.Sprint(maxURLLength))
		proxy, _ := testenv.StartNginx(t, s.root, fmt.Sprintf("127.0.0.1:%d", apiPort), proxyPort, testkit.NginxOptions{})
		env := httpsuite.Env{BaseURL: proxy, PublicBaseURL: s.proxyURL}

		prefix := "https://example.com/long?q="
		longest := prefix + strings.Repeat("a", httpapi.MaxBodyBytes-len(`{"url":""}`)-len(prefix))
		r := httpsuite.MustCreate(t, env, map[string]any{"url": longest})
		if len(r.Field("url")) != len(longest) {
			t.Fatalf("create stored %d bytes of the %d-byte URL", len(r.Field("url")), len(longest))
		}
		code := r.Field("code")
		testkit.ExpectRedirects(t, proxy, code, longest)
		if head := testkit.Send(nil, http.MethodHead, proxy+"/"+code, "", nil, nil); head.Err != nil || head.Status != http.StatusFound || head.Location() != longest {
			t.Fatalf("HEAD /%s through nginx = %s with a %d-byte Location, want 302 to the %d-byte URL", code, head, len(head.Location()), len(longest))
		}
		if preview := testkit.Send(nil, http.MethodGet, proxy+"/"+code+"+", "", nil, nil); preview.Status != http.StatusOK || !strings.Contains(string(preview.Body), longest) {
			t.Fatalf("preview of the longest URL through nginx = %d", preview.Status)
		}
		// One byte more is refused by the body limit, in the envelope, through nginx too.
		r = httpsuite.Create(t, env, map[string]any{"url": longest + "a"})
		testkit.ExpectError(t, r, http.StatusRequestEntityTooLarge, "body_too_large", "")
	})

	t.Run("a permanent link is created, redirected and managed through nginx", func(t *testing.T) {
		t.Parallel()
		// An api with MAX_TTL=never, behind its own nginx, on the stack's
		// database and Redis (the stack's own api refuses "never").
		apiPort, proxyPort := testkit.FreePort(t), testkit.FreePort(t)
		s.startAPIWith(t, apiPort, "MAX_TTL", "never")
		proxy, _ := testenv.StartNginx(t, s.root, fmt.Sprintf("127.0.0.1:%d", apiPort), proxyPort, testkit.NginxOptions{})
		env := httpsuite.Env{BaseURL: proxy, PublicBaseURL: s.proxyURL}
		const target = "https://example.com/poster"
		r := httpsuite.MustCreate(t, env, map[string]any{"url": target, "expires_at": "never"})
		if raw, ok := r.Envelope.Data["expires_at"]; !ok || raw != nil {
			t.Fatalf("create never through nginx = %s, want expires_at null", r)
		}
		code, token := r.Field("code"), r.Field("manage_token")
		testkit.ExpectRedirects(t, proxy, code, target)
		testkit.ExpectRedirects(t, s.proxyURL, code, target) // the stack's own api reads it too
		end := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
		changed := httpsuite.Send(t, env, http.MethodPatch, "/v1/shortlink/"+code, token, map[string]any{"expires_at": end})
		if changed.Status != http.StatusOK || changed.Field("expires_at") != end {
			t.Fatalf("giving the permanent link an end through nginx = %s", changed)
		}
	})
}

// startAPIWith runs one more api on port with overrides of the stack's
// environment (name, value pairs), and waits until it is ready.
func (s *stack) startAPIWith(t *testing.T, port int, overrides ...string) *testenv.Process {
	t.Helper()
	p := testenv.StartAPI(t, s.bin, s.env(append([]string{"API_ADDR", fmt.Sprintf("127.0.0.1:%d", port)}, overrides...)...))
	p.WaitHTTP(p.BaseURL()+"/v1/ready", http.StatusOK, 20*time.Second)
	return p
}
