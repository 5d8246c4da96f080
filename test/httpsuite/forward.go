package httpsuite

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// runForwarding checks query forwarding (SPEC §12): off by default; on, a
// redirect appends the short URL's query string after the target's own
// parameters, which it never overrides, before the fragment; over
// MAX_URL_LENGTH (4096) the redirect goes to the plain target; nothing in
// the query reaches a header; PATCH turns it on and off; the owner's info
// shows it, public info does not.
func runForwarding(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("query strings are dropped unless the link forwards them", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		plain := MustCreate(t, env, map[string]any{"url": "https://example.com/plain?id=7"})
		if v, ok := plain.Envelope.Data["forward_query"]; ok {
			t.Errorf("create without forward_query answers forward_query %v, want it absent (off: FORWARD_QUERY_DEFAULT)", v)
		}
		expectLocation(t, env, "/"+plain.Field("code")+"?utm_source=x", "https://example.com/plain?id=7")

		r := MustCreate(t, env, map[string]any{"url": "https://example.com/fwd?id=7#top", "forward_query": true})
		if v := r.Envelope.Data["forward_query"]; v != true {
			t.Errorf("create with forward_query answers forward_query %v, want true", v)
		}
		code := r.Field("code")
		expectLocation(t, env, "/"+code, "https://example.com/fwd?id=7#top")
		expectLocation(t, env, "/"+code+"?utm_source=x&utm_medium=y", "https://example.com/fwd?id=7&utm_source=x&utm_medium=y#top")
		expectLocation(t, env, "/v1/shortlink/"+code+"?utm_source=x", "https://example.com/fwd?id=7&utm_source=x#top")
		expectLocation(t, env, "/"+code+"?id=8&b=2", "https://example.com/fwd?id=7&b=2#top")
		expectLocation(t, env, "/"+code+"?q=%0D%0ASet-Cookie:%20x", "https://example.com/fwd?id=7&q=%0D%0ASet-Cookie:%20x#top")
		long := "/" + code + "?q=" + strings.Repeat("x", 4096)
		expectLocation(t, env, long, "https://example.com/fwd?id=7#top")
		if head := Send(t, env, http.MethodHead, "/"+code+"?a=1", "", nil); head.Header.Get("Location") != "https://example.com/fwd?id=7&a=1#top" {
			t.Errorf("HEAD: Location %q, want the forwarded target", head.Header.Get("Location"))
		}
		if _, shown := Get(t, env.BaseURL+"/v1/shortlink/"+code+"/info").Envelope.Data["forward_query"]; shown {
			t.Errorf("public info shows forward_query")
		}
	})

	t.Run("PATCH turns query forwarding on and off", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/patched")
		path := "/v1/shortlink/" + l.Code
		for _, on := range []bool{true, false, true} {
			r := Send(t, env, http.MethodPatch, path, l.Token, map[string]any{"forward_query": on})
			if r.Status != http.StatusOK || (r.Envelope.Data["forward_query"] == true) != on {
				t.Fatalf("PATCH forward_query %v = %s, want 200 showing it", on, r)
			}
			want := "https://example.com/patched"
			if on {
				want += "?a=1"
			}
			expectLocationWithin(t, env, "/"+l.Code+"?a=1", want, Settle)
			if info := Send(t, env, http.MethodGet, path+"/info", l.Token, nil); (info.Envelope.Data["forward_query"] == true) != on {
				t.Errorf("owner's info after PATCH %v: %s", on, info)
			}
		}
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, l.Token, map[string]any{"forward_query": "yes"}),
			http.StatusBadRequest, "invalid_type", "forward_query")
		testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://example.com/", "forward_query": 1}),
			http.StatusBadRequest, "invalid_type", "forward_query")
	})
}

// expectLocation asks path and expects a 302 to want.
func expectLocation(t testing.TB, env Env, path, want string) {
	t.Helper()
	expectLocationWithin(t, env, path, want, 0)
}

// expectLocationWithin asks path until it answers a 302 to want, for at
// most within (a change reaching every replica).
func expectLocationWithin(t testing.TB, env Env, path, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := Send(t, env, http.MethodGet, path, "", nil)
		if r.Status == http.StatusFound && r.Header.Get("Location") == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s = %s, Location %q; want 302 to %q", shorten(path), r, r.Header.Get("Location"), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func shorten(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%s…(%d bytes)", s[:80], len(s))
	}
	return s
}
