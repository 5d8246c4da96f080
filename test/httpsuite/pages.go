package httpsuite

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/test/testkit"
)

// BrowserAccept is what Chromium sends when it opens an address.
const BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"

// apiAccepts are Accept headers of API clients: each must get the JSON
// envelope, byte for byte the one a request with no Accept gets.
var apiAccepts = []string{"", "*/*", "application/json", "application/json, text/html", "text/html;q=0.5, application/json"}

// runPages checks how the short URL's error answers depend on Accept:
// the JSON envelope, exactly as ever, for API clients; a page for people,
// with the same status, for browsers; and /robots.txt and /favicon.ico.
// The API must have ROBOTS and NOT_FOUND_URL unset.
func runPages(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("short URL errors are the JSON envelope for API clients, whatever they accept", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		for path, want := range shortURLErrors(t, env) {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				plain := sendAccept(t, env, method, path, "")
				for _, accept := range apiAccepts {
					r := sendAccept(t, env, method, path, accept)
					if method == http.MethodGet {
						testkit.ExpectError(t, r, want.status, want.reason, want.field)
					}
					if r.Status != want.status || !bytes.Equal(r.Body, plain.Body) || r.Header.Get("Content-Type") != plain.Header.Get("Content-Type") {
						t.Fatalf("%s %s with Accept %q = %s (%s), want the answer without Accept: %s (%s)", method, path, accept,
							r, r.Header.Get("Content-Type"), plain, plain.Header.Get("Content-Type"))
					}
				}
			}
		}
	})

	t.Run("short URL errors are pages for browsers, with the same status", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		for path, want := range shortURLErrors(t, env) {
			for _, p := range []string{path, path + "+"} { // the preview too
				if want.status == http.StatusBadRequest && p != path {
					continue // "/a_b+" is no preview of a code either, but says so for everyone
				}
				r := sendAccept(t, env, http.MethodGet, p, BrowserAccept)
				expectPage(t, "GET "+p, r, want.status, want.words)
				if want.status == http.StatusGone && strings.Contains(string(r.Body), "example.com/pages") {
					t.Fatalf("the 410 page of %s shows the target: %s", p, r.Body)
				}
				if head := sendAccept(t, env, http.MethodHead, p, BrowserAccept); head.Status != want.status || len(head.Body) != 0 ||
					head.Header.Get("Content-Type") != "text/html; charset=utf-8" {
					t.Fatalf("HEAD %s for a browser = %s (%s), want %d, HTML, no body", p, head, head.Header.Get("Content-Type"), want.status)
				}
			}
		}
	})

	t.Run("API routes stay JSON for browsers", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		for path, reason := range map[string]string{
			"/v1/shortlink/NoSuch1": "not_found", "/v1/shortlink/NoSuch1/info": "not_found",
			"/v1/no-such-route": "no_route", "/no/such/route": "no_route",
		} {
			testkit.ExpectError(t, sendAccept(t, env, http.MethodGet, path, BrowserAccept), http.StatusNotFound, reason, "")
		}
	})

	t.Run("robots.txt keeps crawlers out", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := sendAccept(t, env, method, "/robots.txt", "")
			if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("%s /robots.txt = %s (%s)", method, r, r.Header.Get("Content-Type"))
			}
			if method == http.MethodGet && string(r.Body) != "User-agent: *\nDisallow: /\n" {
				t.Fatalf("robots.txt = %q, want every crawler kept out (ROBOTS=disallow)", r.Body)
			}
		}
	})

	t.Run("favicon.ico is an icon", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		r := sendAccept(t, env, http.MethodGet, "/favicon.ico", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/x-icon" || !bytes.HasPrefix(r.Body, []byte{0, 0, 1, 0}) {
			t.Fatalf("GET /favicon.ico = %d (%s), %d bytes starting % x; want an ICO file", r.Status, r.Header.Get("Content-Type"), len(r.Body), r.Body[:min(4, len(r.Body))])
		}
	})
}

// shortURLError is what a short URL answers, and what its page says.
type shortURLError struct {
	status        int
	reason, field string
	words         string // a phrase the page for people must have
}

// shortURLErrors are short URL paths that answer an error, one of each
// kind: unknown, disabled, deleted, invalid.
func shortURLErrors(t *testing.T, env Env) map[string]shortURLError {
	t.Helper()
	disabled := CreateLink(t, env, "https://example.com/pages/disabled")
	putIn(t, env, disabled, stateDisabledOwner)
	deleted := CreateLink(t, env, "https://example.com/pages/deleted")
	putIn(t, env, deleted, stateDeleted)
	for _, code := range []string{disabled.Code, deleted.Code} {
		awaitRedirect(t, env, code, http.StatusGone)
	}
	notFound := shortURLError{http.StatusNotFound, "not_found", "", "This short link does not exist"}
	gone := shortURLError{http.StatusGone, "gone", "", "This short link no longer works"}
	return map[string]shortURLError{
		"/NoSuch1":          notFound,
		"/" + disabled.Code: gone,
		"/" + deleted.Code:  gone,
		"/not_a_code":       {http.StatusBadRequest, "invalid_code", "code", "This is not a short link"},
	}
}

// expectPage fails the test unless r is a page for people: status, HTML
// under a strict policy (no script at all), saying words, and linking to
// the page at / when the link is not there.
func expectPage(t testing.TB, what string, r Response, status int, words string) {
	t.Helper()
	body := string(r.Body)
	csp := r.Header.Get("Content-Security-Policy")
	switch {
	case r.Status != status:
		t.Fatalf("%s for a browser = %s, want %d", what, r, status)
	case r.Header.Get("Content-Type") != "text/html; charset=utf-8":
		t.Fatalf("%s for a browser: Content-Type %q, want HTML: %s", what, r.Header.Get("Content-Type"), body)
	case !strings.HasPrefix(csp, "default-src 'none';") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe"):
		t.Fatalf("%s: Content-Security-Policy %q is not strict", what, csp)
	case r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff":
		t.Fatalf("%s: the page may be cached or sniffed: %v", what, r.Header)
	case !strings.HasPrefix(body, "<!doctype html>") || strings.Contains(strings.ToLower(body), "<script") || strings.Contains(body, `"status"`):
		t.Fatalf("%s: not a script-free HTML page: %s", what, body)
	case !strings.Contains(body, words):
		t.Fatalf("%s: the page does not say %q: %s", what, words, body)
	case status == http.StatusNotFound && !strings.Contains(body, `href="/"`):
		t.Fatalf("%s: the 404 page has no link to the page at /: %s", what, body)
	}
}

// sendAccept sends a request with Accept (none when empty), failing the
// test only on a transport error.
func sendAccept(t testing.TB, env Env, method, path, accept string) Response {
	t.Helper()
	header := http.Header{}
	if accept != "" {
		header.Set("Accept", accept)
	}
	r := testkit.Send(nil, method, env.BaseURL+path, "", nil, header)
	if r.Err != nil {
		t.Fatalf("%s %s: %v", method, path, r.Err)
	}
	return r
}
