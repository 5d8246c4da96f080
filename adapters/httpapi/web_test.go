package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

func startWebAPI(t *testing.T, configure func(cfg *config.Config)) httpsuite.Env {
	t.Helper()
	store := memory.NewLinkStore()
	return httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second), Configure: configure,
	})
}

// parsePage parses the page at / and returns its document.
func parsePage(t *testing.T, env httpsuite.Env) (*html.Node, testkit.Response) {
	t.Helper()
	r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/", "", nil, nil)
	if r.Err != nil || r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %s (%s)", r, r.Header.Get("Content-Type"))
	}
	doc, err := html.Parse(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return doc, r
}

func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// TestWebPageKeepsAStrictCSP: the page loads script and style from its own
// origin only, has no inline script, handler or style to allow, and the
// JSON answers keep their own default-src 'none'.
func TestWebPageKeepsAStrictCSP(t *testing.T) {
	t.Parallel()
	env := startWebAPI(t, nil)
	doc, r := parsePage(t, env)
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
		"connect-src 'self'", "form-action 'none'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the page's CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(csp, "sha256-") || strings.Contains(csp, "nonce-") {
		t.Errorf("the page's CSP %q allows inline code", csp)
	}
	for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	var assets []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
				t.Errorf("<%s %s=…>: inline handlers and styles are not allowed by the CSP", n.Data, a.Key)
			}
		}
		switch n.Data {
		case "style":
			t.Error("<style> element: inline style is not allowed by the CSP")
		case "script":
			src, ok := attr(n, "src")
			if !ok || n.FirstChild != nil {
				t.Errorf("inline <script>: only <script src> is allowed by the CSP")
			}
			assets = append(assets, src)
		case "link":
			href, _ := attr(n, "href")
			assets = append(assets, href)
		}
	})
	if len(assets) != 3 {
		t.Fatalf("the page links %v, want its script, style and icon", assets)
	}
	for _, asset := range assets {
		if !strings.HasPrefix(asset, "/_/") || !strings.Contains(asset, "?v=") {
			t.Errorf("asset %q is not a versioned path under /_/", asset)
			continue
		}
		r := testkit.Send(nil, http.MethodGet, env.BaseURL+asset, "", nil, nil)
		if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || len(r.Body) == 0 {
			t.Errorf("GET %s = %d, Cache-Control %q: want 200, cacheable for good", asset, r.Status, r.Header.Get("Cache-Control"))
		}
	}

	// The JSON answers keep their own, stricter policy.
	if r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/v1/ready", "", nil, nil); r.Header.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" {
		t.Errorf("a JSON answer's CSP is %q", r.Header.Get("Content-Security-Policy"))
	}
}

// TestWebPageLabelsEveryControl: every input and select has a <label for>,
// every button says what it does, and aria-describedby names real ids.
func TestWebPageLabelsEveryControl(t *testing.T) {
	t.Parallel()
	doc, _ := parsePage(t, startWebAPI(t, nil))
	ids, labelled := map[string]bool{}, map[string]bool{}
	var controls []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if id, ok := attr(n, "id"); ok {
			if ids[id] {
				t.Errorf("id %q is used twice", id)
			}
			ids[id] = true
		}
		switch n.Data {
		case "label":
			if f, ok := attr(n, "for"); ok {
				labelled[f] = true
			}
		case "input", "select", "textarea", "button":
			controls = append(controls, n)
		}
	})
	for _, n := range controls {
		id, _ := attr(n, "id")
		if n.Data == "button" {
			if n.FirstChild == nil || strings.TrimSpace(textOf(n)) == "" {
				t.Errorf("button #%s has no text", id)
			}
		} else if !labelled[id] {
			t.Errorf("<%s id=%q> has no <label for>", n.Data, id)
		}
		if ti, ok := attr(n, "tabindex"); ok && ti != "-1" && ti != "0" {
			t.Errorf("#%s has tabindex %s: the tab order must be the document's", id, ti)
		}
		described, _ := attr(n, "aria-describedby")
		for _, ref := range strings.Fields(described) {
			if !ids[ref] {
				t.Errorf("#%s is described by #%s, which does not exist", id, ref)
			}
		}
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

// TestWebPageAsksForAKeyWhenCreatesNeedOne: with API_KEYS set, the page
// renders its key field and says so to its script.
func TestWebPageAsksForAKeyWhenCreatesNeedOne(t *testing.T) {
	t.Parallel()
	for _, keys := range [][]string{nil, {"web-test-key-0123456789"}} {
		doc, _ := parsePage(t, startWebAPI(t, func(cfg *config.Config) { cfg.APIKeys = keys }))
		want := len(keys) > 0
		walk(doc, func(n *html.Node) {
			if n.Type != html.ElementNode {
				return
			}
			if id, _ := attr(n, "id"); id == "key-field" {
				if _, hidden := attr(n, "hidden"); hidden == want {
					t.Errorf("API keys %v: the key field is hidden: %v", keys, hidden)
				}
			}
			if n.Data == "body" {
				if v, _ := attr(n, "data-key-required"); v != map[bool]string{true: "true", false: "false"}[want] {
					t.Errorf("API keys %v: data-key-required = %q", keys, v)
				}
			}
		})
	}
}

// TestWebPageHints names DEFAULT_TTL and MAX_TTL as configured.
func TestWebPageHints(t *testing.T) {
	t.Parallel()
	_, r := parsePage(t, startWebAPI(t, func(cfg *config.Config) {
		cfg.DefaultTTL, cfg.MaxTTL = config.Lifetime(36*time.Hour), config.Lifetime(30*24*time.Hour)
	}))
	if !bytes.Contains(r.Body, []byte("the link lasts 36 hours; at most 30 days from now.")) ||
		!bytes.Contains(r.Body, []byte(`data-max-ttl-seconds="2592000"`)) {
		t.Fatalf("the page does not name the configured lifetimes:\n%s", r.Body)
	}
}

// TestWebPageOffersNever: with MAX_TTL=never the page is told so, and its
// date picker has no bound.
func TestWebPageOffersNever(t *testing.T) {
	t.Parallel()
	_, r := parsePage(t, startWebAPI(t, func(cfg *config.Config) { cfg.MaxTTL = config.Lifetime(domain.Forever) }))
	if !bytes.Contains(r.Body, []byte(`data-max-ttl="never"`)) || !bytes.Contains(r.Body, []byte(`data-max-ttl-seconds="0"`)) ||
		!bytes.Contains(r.Body, []byte("it can also never expire")) {
		t.Fatalf("with MAX_TTL=never the page does not offer never:\n%s", r.Body)
	}
}

// TestWebAssetsAreServedCarefully: revalidation, HEAD, gzip, versions and
// unknown names.
func TestWebAssetsAreServedCarefully(t *testing.T) {
	t.Parallel()
	env := startWebAPI(t, nil)
	for _, c := range []struct {
		path, contentType string
	}{
		{"/", "text/html; charset=utf-8"},
		{"/_/app.js", "text/javascript; charset=utf-8"},
		{"/_/app.css", "text/css; charset=utf-8"},
		{"/_/icon.svg", "image/svg+xml"},
	} {
		plain := testkit.Send(nil, http.MethodGet, env.BaseURL+c.path+"?v=stale", "", nil, http.Header{"Accept-Encoding": {"identity"}})
		if plain.Status != http.StatusOK || plain.Header.Get("Content-Type") != c.contentType ||
			plain.Header.Get("Cache-Control") != "no-cache" || plain.Header.Get("Etag") == "" {
			t.Errorf("GET %s = %d, %v", c.path, plain.Status, plain.Header)
			continue
		}
		if r := testkit.Send(nil, http.MethodGet, env.BaseURL+c.path, "", nil, http.Header{"If-None-Match": {plain.Header.Get("Etag")}}); r.Status != http.StatusNotModified || len(r.Body) != 0 {
			t.Errorf("GET %s with its ETag = %d, want 304", c.path, r.Status)
		}
		if r := testkit.Send(nil, http.MethodHead, env.BaseURL+c.path, "", nil, nil); r.Status != http.StatusOK || len(r.Body) != 0 {
			t.Errorf("HEAD %s = %d with %d bytes", c.path, r.Status, len(r.Body))
		}
		// An Accept-Encoding of our own keeps the transport from unzipping.
		r := testkit.Send(nil, http.MethodGet, env.BaseURL+c.path, "", nil, http.Header{"Accept-Encoding": {"gzip, br"}})
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(unzipped, plain.Body) {
				t.Errorf("GET %s gzipped does not unzip to the asset (%v)", c.path, err)
			}
		} else if c.path != "/_/icon.svg" { // too small to be worth compressing
			t.Errorf("GET %s accepting gzip is not compressed", c.path)
		}
	}
	r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/_/nothing.js", "", nil, nil)
	if r.Status != http.StatusNotFound || r.ErrorMessage() != "no such route" {
		t.Errorf("GET /_/nothing.js = %s, want the JSON 404", r)
	}
	if r := testkit.Send(nil, http.MethodPost, env.BaseURL+"/", "application/json", []byte(`{}`), nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %s, want 405: there is no form-encoded (or any) create at /", r)
	}
}

// TestWebPageKeepsTheKeyInTheTab: the script keeps a signed-in key in
// sessionStorage only, never in localStorage, a cookie or a URL (it goes in
// Authorization alone, which the browser test checks too).
func TestWebPageKeepsTheKeyInTheTab(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("web/static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(script)
	if !strings.Contains(src, "sessionStorage") {
		t.Error("the script does not keep the key in sessionStorage")
	}
	for _, banned := range []string{"localStorage", "document.cookie", "indexedDB"} {
		if strings.Contains(src, banned) {
			t.Errorf("the script uses %s: a key must live in the tab's sessionStorage only", banned)
		}
	}
}
