package httpsuite

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/test/testkit"
)

// Password is what the suite protects links with.
const Password = "correct horse battery"

// runPasswords checks password-protected links (SPEC §12): the target
// appears nowhere before the right password (the redirect, HEAD, the
// preview, public info, the QR code), browsers get a form, API clients 401
// password_required; the form's POST and the unlock route lead on; PATCH
// sets and removes a password. The API must have the feature enabled
// (embedded mode, or the contract step run).
func runPasswords(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("a protected link shows its target to no one before the password", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		const target = "https://example.com/secret-target"
		r := MustCreate(t, env, map[string]any{"url": target, "password": Password})
		if r.Envelope.Data["protected"] != true {
			t.Errorf("create answers protected %v, want true: %s", r.Envelope.Data["protected"], r)
		}
		code := r.Field("code")
		noTarget := func(what string, r Response) {
			t.Helper()
			if strings.Contains(string(r.Body), "secret-target") || r.Header.Get("Location") != "" {
				t.Errorf("%s shows the target: %s, Location %q", what, r.Body, r.Header.Get("Location"))
			}
		}
		for _, path := range []string{"/" + code, "/v1/shortlink/" + code} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				r := Send(t, env, method, path, "", nil)
				noTarget(method+" "+path, r)
				if r.Status != http.StatusUnauthorized {
					t.Errorf("%s %s = %s, want 401", method, path, r)
				}
				if method == http.MethodGet {
					testkit.ExpectError(t, r, http.StatusUnauthorized, "password_required", "")
				}
			}
		}
		for _, path := range []string{"/" + code, "/" + code + "+", "/" + code + "?utm_source=x"} {
			page := sendAccept(t, env, http.MethodGet, path, BrowserAccept)
			noTarget("a browser's GET "+path, page)
			if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `name="password"`) ||
				!strings.Contains(page.Header.Get("Content-Security-Policy"), "form-action 'self'") {
				t.Errorf("a browser's GET %s = %s (CSP %q), want 200 with the password form", path, page, page.Header.Get("Content-Security-Policy"))
			}
			head := sendAccept(t, env, http.MethodHead, path, BrowserAccept)
			noTarget("a browser's HEAD "+path, head)
		}
		info := Get(t, env.BaseURL+"/v1/shortlink/"+code+"/info")
		noTarget("public info", info)
		if info.Status != http.StatusOK || info.Envelope.Data["protected"] != true {
			t.Errorf("public info = %s, want 200, protected, no url", info)
		}
		noTarget("the QR code", Get(t, env.BaseURL+"/v1/shortlink/"+code+"/qr?format=svg"))
		if owner := Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", r.Field("manage_token"), nil); owner.Field("url") != target {
			t.Errorf("the owner's info = %s, want the target", owner)
		}
	})

	t.Run("the right password leads on, by the API and by the form", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		const target = "https://example.com/unlocked?id=7"
		code := MustCreate(t, env, map[string]any{"url": target, "password": Password, "forward_query": true}).Field("code")
		unlock := "/v1/shortlink/" + code + "/unlock"
		testkit.ExpectError(t, Send(t, env, http.MethodPost, unlock, "", map[string]any{"password": "not the password"}), http.StatusForbidden, "wrong_password", "")
		if r := Send(t, env, http.MethodPost, unlock, "", map[string]any{"password": Password}); r.Status != http.StatusOK || r.Field("url") != target {
			t.Errorf("unlock with the password = %s, want 200 with the target", r)
		}
		testkit.ExpectError(t, Send(t, env, http.MethodPost, unlock, "", map[string]any{}), http.StatusBadRequest, "missing_field", "password")

		form := func(password string) Response {
			return testkit.Send(nil, http.MethodPost, env.BaseURL+"/"+code+"?utm_source=x", "application/x-www-form-urlencoded",
				[]byte(url.Values{"password": {password}}.Encode()), http.Header{"Accept": {BrowserAccept}})
		}
		if r := form(Password); r.Status != http.StatusSeeOther || r.Header.Get("Location") != target+"&utm_source=x" {
			t.Errorf("the form with the password = %s, Location %q; want 303 to the target with the query forwarded", r, r.Header.Get("Location"))
		}
		r := form("not the password")
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), `name="password"`) || strings.Contains(string(r.Body), "unlocked") {
			t.Errorf("the form with a wrong password = %s, want 403 with the form again and no target", r)
		}
		// Attempts are limited per link: where the API has a rate limiter,
		// the next wrong ones are refused before any hash, with Retry-After.
		var last Response
		for range 5 {
			last = Send(t, env, http.MethodPost, unlock, "", map[string]any{"password": "not the password"})
		}
		if last.Status == http.StatusTooManyRequests {
			testkit.ExpectError(t, last, http.StatusTooManyRequests, "rate_limited", "")
			if last.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
		} else if last.Status != http.StatusForbidden {
			t.Errorf("the 7th attempt = %s, want 429 (or 403 without a rate limiter)", last)
		}
		if r := Send(t, env, http.MethodPost, "/"+code+"+", "", nil); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("POST of the preview = %s, want 405", r)
		}
	})

	t.Run("PATCH sets and removes a password", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/patched-password")
		path := "/v1/shortlink/" + l.Code
		if r := Send(t, env, http.MethodPost, "/"+l.Code, "", nil); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("POST of an unprotected short URL = %s, want 405 as ever", r)
		}
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, l.Token, map[string]any{"password": "short"}), http.StatusBadRequest, "invalid_password", "password")
		testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://example.com/", "password": strings.Repeat("x", 129)}), http.StatusBadRequest, "invalid_password", "password")
		if r := Send(t, env, http.MethodPatch, path, l.Token, map[string]any{"password": Password}); r.Status != http.StatusOK || r.Envelope.Data["protected"] != true {
			t.Fatalf("PATCH password = %s, want 200 protected", r)
		}
		awaitRedirect(t, env, l.Code, http.StatusUnauthorized)
		if r := awaitRedirect(t, env, l.Code, http.StatusUnauthorized); r.Status != http.StatusUnauthorized {
			t.Fatalf("after PATCH password: %s, want 401", r)
		}
		if r := Send(t, env, http.MethodPatch, path, l.Token, map[string]any{"password": ""}); r.Status != http.StatusOK || r.Envelope.Data["protected"] != nil {
			t.Fatalf(`PATCH password "" = %s, want 200 not protected`, r)
		}
		if r := awaitRedirect(t, env, l.Code, http.StatusFound); r.Header.Get("Location") != l.Target {
			t.Fatalf("after removing the password: %s, want 302 to the target", r)
		}
	})
}
