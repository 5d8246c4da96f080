package httpsuite

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// checkPublic fails the test unless every public route answers for l as
// it must for a link in s (once Settle has passed since a change): both
// redirect routes, GET and HEAD (302 with Location, 410 gone, 404
// not_found), info without credentials, the QR code and the preview page
// (HTML, the target shown only while the link is live).
func checkPublic(t testing.TB, env Env, l Link, s linkState) {
	t.Helper()
	want := publicStatus(s)
	awaitRedirect(t, env, l.Code, want) // a change just answered may take Settle to reach the cache
	for _, path := range []string{"/" + l.Code, "/v1/shortlink/" + l.Code} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := Send(t, env, method, path, "", nil)
			switch {
			case r.Status != want:
				t.Fatalf("%s %s of a link %s = %s, want %d", method, path, s, r, want)
			case want == http.StatusFound && r.Location() != l.Target:
				t.Fatalf("%s %s redirects to %q, want %q", method, path, r.Location(), l.Target)
			case want == http.StatusFound && len(r.Body) != 0:
				t.Fatalf("%s %s: a redirect with a body: %q", method, path, r.Body)
			case method == http.MethodHead && len(r.Body) != 0:
				t.Fatalf("HEAD %s answered a body", path)
			case method == http.MethodGet && want != http.StatusFound:
				testkit.ExpectError(t, r, want, publicReason(want), "")
			}
		}
	}

	infoWant := map[int]int{http.StatusFound: http.StatusOK}[want]
	if infoWant == 0 {
		infoWant = want
	}
	info := Send(t, env, http.MethodGet, "/v1/shortlink/"+l.Code+"/info", "", nil)
	if infoWant == http.StatusOK {
		checkInfo(t, env, "public info of a live link", l, info, "active")
	} else {
		testkit.ExpectError(t, info, infoWant, publicReason(infoWant), "")
	}

	for _, method := range []string{http.MethodGet, http.MethodHead} {
		qr := Send(t, env, method, "/v1/shortlink/"+l.Code+"/qr", "", nil)
		switch {
		case qr.Status != infoWant:
			t.Fatalf("%s qr of a link %s = %s, want %d", method, s, qr, infoWant)
		case infoWant == http.StatusOK && (qr.Header.Get("Content-Type") != "image/png" || qr.Header.Get("ETag") == ""):
			t.Fatalf("%s qr of a live link: Content-Type %q, ETag %q", method, qr.Header.Get("Content-Type"), qr.Header.Get("ETag"))
		case method == http.MethodGet && infoWant == http.StatusOK && !strings.HasPrefix(string(qr.Body), "\x89PNG"):
			t.Fatalf("qr of a live link is not a PNG")
		case method == http.MethodGet && infoWant != http.StatusOK:
			testkit.ExpectError(t, qr, infoWant, publicReason(infoWant), "")
		}
		checkPreview(t, env, method, l, infoWant)
	}
}

// checkPreview fails the test unless the preview page /{code}+ answers
// status with a strict HTML page: the short URL and the full target as
// escaped text while the link is live, and never the target otherwise.
func checkPreview(t testing.TB, env Env, method string, l Link, status int) {
	t.Helper()
	r := Send(t, env, method, "/"+l.Code+"+", "", nil)
	body := string(r.Body)
	h := r.Header
	switch {
	case r.Status != status:
		t.Fatalf("%s preview of %s = %d, want %d: %s", method, l.Code, r.Status, status, body)
	case h.Get("Content-Type") != "text/html; charset=utf-8":
		t.Fatalf("preview Content-Type = %q, want HTML", h.Get("Content-Type"))
	case !strings.HasPrefix(h.Get("Content-Security-Policy"), "default-src 'none';") ||
		strings.Contains(h.Get("Content-Security-Policy"), "script-src") || strings.Contains(h.Get("Content-Security-Policy"), "unsafe"):
		t.Fatalf("preview Content-Security-Policy %q is not strict (default-src 'none', no script, nothing unsafe)", h.Get("Content-Security-Policy"))
	case h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store":
		t.Fatalf("preview lacks nosniff, no-referrer or no-store: %v", h)
	case method == http.MethodHead && len(body) != 0:
		t.Fatalf("HEAD preview answered a body")
	case method == http.MethodHead:
	case !strings.HasPrefix(body, "<!doctype html>") || strings.Contains(strings.ToLower(body), "<script"):
		t.Fatalf("preview is not a script-free HTML page: %s", body)
	case status == http.StatusOK && (!strings.Contains(body, html.EscapeString(l.Target)) || !strings.Contains(body, html.EscapeString(l.ShortURL))):
		t.Fatalf("preview of a live link does not show %q and %q as text: %s", l.Target, l.ShortURL, body)
	case status != http.StatusOK && strings.Contains(body, strings.TrimPrefix(l.Target, "https://")):
		t.Fatalf("preview answering %d shows the target: %s", status, body)
	}
}

// runPublic checks the public routes of links in every state, unknown
// codes, wrong methods on known routes, and the preview page's escaping.
func runPublic(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	for _, s := range []linkState{stateActive, stateDisabledOwner, stateDisabledAdmin, stateDeleted} {
		t.Run("public answers for a link "+string(s), func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			l := CreateLink(t, env, "https://example.com/public/"+strings.ReplaceAll(string(s), " ", "-")+"?q=1&r=2")
			putIn(t, env, l, s)
			checkPublic(t, env, l, s)
		})
	}

	t.Run("public answers for an unknown code", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		checkPublic(t, env, Link{Code: "NoSuch1", Target: "https://example.com/never"}, stateExpired) // 404 everywhere
		r := Send(t, env, http.MethodGet, "/NoSuch1+", "", nil)
		if !strings.Contains(string(r.Body), "This short link does not exist") {
			t.Fatalf("404 preview page does not say so: %s", r.Body)
		}
	})

	t.Run("preview shows a hostile target as text", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, `https://example.com/p?q='><script>alert(1)</script>&x="y"`)
		checkPreview(t, env, http.MethodGet, l, http.StatusOK) // shown escaped, and no <script anywhere
	})

	t.Run("a known route with another method is 405 with Allow", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/methods")
		for _, tc := range []struct{ method, path, allow string }{
			{http.MethodPost, "/v1/health", "GET, HEAD"},
			{http.MethodDelete, "/v1/ready", "GET, HEAD"},
			{http.MethodPost, "/v1/openapi.yaml", "GET, HEAD"},
			{http.MethodGet, "/v1/shortlink", "POST"},
			{http.MethodPut, "/v1/shortlink", "POST"},
			{http.MethodPut, "/v1/shortlink/" + l.Code, "GET, HEAD, PATCH, DELETE"},
			{http.MethodPost, "/v1/shortlink/" + l.Code, "GET, HEAD, PATCH, DELETE"},
			{http.MethodPatch, "/v1/shortlink/" + l.Code + "/info", "GET, HEAD"},
			{http.MethodDelete, "/v1/shortlink/" + l.Code + "/qr", "GET, HEAD"},
			{http.MethodPost, "/" + l.Code, "GET, HEAD"},
			{http.MethodDelete, "/" + l.Code + "+", "GET, HEAD"},
		} {
			r := Send(t, env, tc.method, tc.path, AdminKey, nil)
			var envelope struct { // read here: the suite's client leaves /v1/health's body alone
				Status int
				Data   struct{ Reason string }
			}
			if err := json.Unmarshal(r.Body, &envelope); err != nil || r.Status != http.StatusMethodNotAllowed ||
				envelope.Status != http.StatusMethodNotAllowed || envelope.Data.Reason != "method_not_allowed" || !sameMethods(r.Header.Get("Allow"), tc.allow) {
				t.Errorf("%s %s = %s, Allow %q; want 405 method_not_allowed with Allow %q", tc.method, tc.path, r, r.Header.Get("Allow"), tc.allow)
			}
		}
		checkState(t, env, "after the wrong methods", l, stateActive, l.ExpiresAt)
	})
}

// publicReason is the reason of a public route's error answer of status.
func publicReason(status int) string {
	return map[int]string{http.StatusNotFound: "not_found", http.StatusGone: "gone"}[status]
}

// sameMethods compares two Allow values as sets.
func sameMethods(a, b string) bool {
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, method := range strings.Split(s, ",") {
			m[strings.TrimSpace(method)] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	if len(sa) != len(sb) {
		return false
	}
	for k := range sa {
		if !sb[k] {
			return false
		}
	}
	return true
}

// runExpiredPublic checks the public answers for an expired link: 404,
// exactly as for an unknown code, on every public route.
func runExpiredPublic(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("public answers for an expired link", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/expiring-public", "expires_at", env.Clock.Now().Add(time.Minute).Format(time.RFC3339Nano))
		checkPublic(t, env, l, stateActive)
		alias := CreateLink(t, env, "https://example.com/expiring-alias", "alias", "expired-alias",
			"expires_at", env.Clock.Now().Add(time.Minute).Format(time.RFC3339Nano))
		env.Clock.Advance(time.Minute)
		checkPublic(t, env, l, stateExpired)
		checkPublic(t, env, alias, stateExpired)
		// The code stays claimed after the link expired.
		testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://evil.example/", "alias": "expired-alias"}), http.StatusConflict, "alias_taken", "alias")
	})
}
