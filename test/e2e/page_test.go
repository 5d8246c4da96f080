//go:build e2e

package e2e

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestBrowser drives the page at / in Debian's chromium, through nginx in
// front of the real binaries, as a person would: create a link, follow it,
// get errors wrong, use the keyboard only, manage the link, scan its QR
// code and read its visits. Every subtest saves screenshots (see
// artifactsDir) and fails on any script error or CSP violation.
//
// "QR code" needs GET /v1/shortlink/{code}/qr (link management) and
// "visits chart" needs GET /v1/shortlink/{code}/stats (visit analytics);
// each fails until its route is there.
func TestBrowser(t *testing.T) {
	s := startStack(t)
	target := startTarget(t)
	b := startBrowser(t)
	t.Run("create a link and follow it", func(t *testing.T) { testPageCreateAndFollow(t, s, b, target) })
	t.Run("errors show next to their field", func(t *testing.T) { testPageFieldErrors(t, s, b, target) })
	t.Run("keyboard only", func(t *testing.T) { testPageKeyboard(t, s, b, target) })
	t.Run("disable, enable and extend", func(t *testing.T) { testPageManage(t, s, b, target) })
	t.Run("delete", func(t *testing.T) { testPageDelete(t, s, b, target) })
	t.Run("asks for an API key when API_KEYS is set", func(t *testing.T) { testPageAPIKey(t, s, b, target) })
	t.Run("QR code", func(t *testing.T) { testPageQRCode(t, s, b, target) })
	t.Run("visits chart", func(t *testing.T) { testPageVisits(t, s, b, target) })
	t.Run("pages for people", func(t *testing.T) { testPagesForPeople(t, s, b, target) })
	t.Run("password form", func(t *testing.T) { testPasswordForm(t, s, b, target) })
	t.Run("narrow screens", func(t *testing.T) { testPageNarrow(t, s, b, target) })
	t.Run("dark mode", func(t *testing.T) { testPageDark(t, s, b, target) })
	t.Run("local times, https:// added, the form emptied", func(t *testing.T) { testPageLocalTimes(t, s, b, target) })
	t.Run("sign in with a key: my links", func(t *testing.T) { testPageLinks(t, s, b, target) })
	t.Run("more options: forward the query, a password", func(t *testing.T) { testPageMoreOptions(t, s, b, target) })
	t.Run("more options: redirect rules, read on the preview", func(t *testing.T) { testPageRules(t, s, b, target) })
	// Last: while it runs, the stack has three short domains.
	t.Run("a domain picker when there are several domains", func(t *testing.T) { testPageDomainPicker(t, s, b, target) })
}

// target is a local site the short links point at; it counts its visits.
type target struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int // by path and query
}

// startTarget serves /landing (any query) and /from-here?to=<url>, a page
// with a link to url, for visits with a referrer.
func startTarget(t *testing.T) *target {
	t.Helper()
	tg := &target{hits: map[string]int{}}
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.mu.Lock()
		tg.hits[r.URL.RequestURI()]++
		tg.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/from-here":
			fmt.Fprintf(w, `<!doctype html><title>referrer</title><a id="go" href="%s">follow the short link</a>`, html.EscapeString(r.URL.Query().Get("to")))
		default:
			fmt.Fprintf(w, `<!doctype html><title>target</title><h1>You arrived at %s</h1>`, html.EscapeString(r.URL.RequestURI()))
		}
	}))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) hitsOf(uri string) int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.hits[uri]
}

// createOnPage fills the create form on p (open at the page) and submits
// it; it returns the short URL and the manage token the page shows.
func createOnPage(t *testing.T, p *page, url, alias string) (shortURL, token string) {
	t.Helper()
	p.fill("url", url)
	p.fill("alias", alias)
	p.click("create-submit")
	p.waitJS("the new short link", `!document.getElementById("result").hidden`)
	return p.value("short-url"), p.value("token-out")
}

// alias is a fresh alias for one test.
func alias(prefix string) string { return prefix + "-" + testkit.RandomHex(4) }

func testPageCreateAndFollow(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	p.screenshot("home")

	landing := tg.URL + "/landing?from=page"
	shortURL, token := createOnPage(t, p, landing, "")
	code := strings.TrimPrefix(shortURL, s.proxyURL+"/")
	if len(code) != 7 || !strings.HasPrefix(shortURL, s.proxyURL+"/") {
		t.Fatalf("the page shows short URL %q, want PUBLIC_BASE_URL/<7-character code>", shortURL)
	}
	if len(token) < 22 {
		t.Fatalf("the page shows manage token %q, want a secret of at least 128 bits", token)
	}
	if warning := p.text("token-warning"); !strings.Contains(warning, "shown only this once") {
		t.Fatalf("token warning = %q, want it to say the token is shown only once", warning)
	}
	if f := p.focused(); f != "result-heading" {
		t.Fatalf("after creating, the focus is on %q, want the result's heading", f)
	}
	if got := p.text("result-url"); got != landing || p.visible("result-completed") || p.value("url") != "" {
		t.Fatalf("the result says it goes to %q (https:// added: %v) and the form holds %q; want %q, nothing added, an empty form",
			got, p.visible("result-completed"), p.value("url"), landing)
	}
	p.stubClipboard()
	p.click("copy-short-url")
	p.waitJS("the copy", fmt.Sprintf(`window.copied === %s`, jsonString(shortURL)))
	if got := p.text("copy-status"); got != "Copied the short URL." {
		t.Fatalf("copy status = %q", got)
	}
	p.screenshot("created")

	// Open it in a new tab, as the person who got the link would.
	q := b.newPage(t)
	q.do("open the short URL", chromedp.Navigate(shortURL))
	if loc := run(q, "read the location", chromedp.Location()); loc != landing {
		t.Fatalf("the short URL led the browser to %q, want %q", loc, landing)
	}
	if tg.hitsOf("/landing?from=page") != 1 {
		t.Fatalf("the target server saw %d visits of /landing?from=page, want 1", tg.hitsOf("/landing?from=page"))
	}
	q.screenshot("landed")
	p.expectCleanConsole()
}

func testPageFieldErrors(t *testing.T, s *stack, b *browser, tg *target) {
	env := s.front()
	taken := alias("taken")
	httpsuite.MustCreate(t, env, map[string]any{"url": tg.URL + "/landing", "alias": taken})
	yesterday := time.Now().Add(-24 * time.Hour)
	farAhead := time.Now().Add(400 * 24 * time.Hour)

	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	for _, c := range []struct {
		name, url, alias, expires string
		field                     string // the input the error belongs to
		apiBody                   map[string]any
		reason                    string // the API's reason for apiBody
		want                      string // what the page says, in words (matchWords)
	}{
		{name: "url", url: "ftp://example.com/file", field: "url",
			apiBody: map[string]any{"url": "ftp://example.com/file"},
			reason:  "invalid_url", want: "Enter a full web address, starting with http:// or https://."},
		{name: "no url", field: "url",
			apiBody: map[string]any{"url": ""},
			reason:  "missing_field", want: "Enter the address to shorten."},
		{name: "own host", url: s.proxyURL + "/abc", field: "url",
			apiBody: map[string]any{"url": s.proxyURL + "/abc"},
			reason:  "own_host", want: "That is already a link of this service: shorten the address it leads to instead."},
		{name: "alias", url: tg.URL + "/landing", alias: "no_underscores", field: "alias",
			apiBody: map[string]any{"url": tg.URL + "/landing", "alias": "no_underscores"},
			reason:  "invalid_alias", want: "An alias may have only letters, digits and hyphens (not first or last), at most 32 of them."},
		{name: "reserved alias", url: tg.URL + "/landing", alias: "metrics", field: "alias",
			apiBody: map[string]any{"url": tg.URL + "/landing", "alias": "metrics"},
			reason:  "reserved_alias", want: "That alias is a word the service keeps for itself — try another."},
		{name: "expiry", url: tg.URL + "/landing", expires: yesterday.Format("2006-01-02T15:04"), field: "expires",
			apiBody: map[string]any{"url": tg.URL + "/landing", "expires_at": yesterday.UTC().Format(time.RFC3339)},
			reason:  "expires_at_in_past", want: "That time has passed — choose a later one."},
		{name: "expiry too far", url: tg.URL + "/landing", expires: farAhead.Format("2006-01-02T15:04"), field: "expires",
			apiBody: map[string]any{"url": tg.URL + "/landing", "expires_at": farAhead.UTC().Format(time.RFC3339)},
			reason:  "expires_at_too_far", want: "A link can last at most 365 days: until * at the latest — choose an earlier date."},
		{name: "taken alias", url: tg.URL + "/landing", alias: taken, field: "alias",
			apiBody: map[string]any{"url": tg.URL + "/landing", "alias": taken},
			reason:  "alias_taken", want: "That alias is taken — try another."},
	} {
		// The page places and words the error by the reason the API gives
		// for the same input, not by its message.
		r := httpsuite.Create(t, env, c.apiBody)
		if r.Status < 400 || r.Reason() != c.reason {
			t.Fatalf("%s: the API answered %v with %s, want reason %s", c.name, c.apiBody, r, c.reason)
		}
		p.fill("url", c.url)
		p.fill("alias", c.alias)
		p.fill("expires", c.expires)
		p.click("create-submit")
		p.waitJS(c.name+" error", fmt.Sprintf(`!document.getElementById(%q).hidden`, c.field+"-error"))
		if got := p.text(c.field + "-error"); !matchWords(got, c.want) {
			t.Errorf("%s: the error next to #%s is %q, want %q", c.name, c.field, got, c.want)
		}
		if js[string](p, fmt.Sprintf(`document.getElementById(%q).getAttribute("aria-invalid")`, c.field)) != "true" {
			t.Errorf("%s: #%s is not marked aria-invalid", c.name, c.field)
		}
		described := js[string](p, fmt.Sprintf(`document.getElementById(%q).getAttribute("aria-describedby")`, c.field))
		if !strings.Contains(described, c.field+"-error") {
			t.Errorf("%s: #%s is not described by its error (aria-describedby %q)", c.name, c.field, described)
		}
		if f := p.focused(); f != c.field {
			t.Errorf("%s: the focus is on %q, want the field in error, %s", c.name, f, c.field)
		}
		others := js[[]string](p, fmt.Sprintf(`[...document.querySelectorAll("#create-form .error, #create-form .form-error")].filter((e) => !e.hidden && e.id !== %q).map((e) => e.id)`, c.field+"-error"))
		if len(others) > 0 {
			t.Errorf("%s: other errors are shown too: %v", c.name, others)
		}
		if c.name == "url" || c.name == "taken alias" {
			p.screenshot(strings.ReplaceAll(c.name, " ", "-") + "-error")
		}
	}
	if p.visible("result") {
		t.Fatal("a refused create shows a result")
	}
	p.expectCleanConsole()
}

func testPageKeyboard(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	if bad := p.unlabelled(); len(bad) > 0 {
		t.Fatalf("controls without a name: %v", bad)
	}
	if n := js[int](p, `document.querySelectorAll('[tabindex]:not([tabindex="-1"])').length`); n > 0 {
		t.Fatalf("%d elements set a positive tabindex: the tab order must be the document's", n)
	}
	// Tab visits every control, in the order of the page, and nothing else.
	want := p.focusableInDOMOrder()
	if !startsWith(want, "url", "alias", "expires", "summary:More options", "create-submit", "link", "token", "manage-submit",
		"signin-key", "signin-submit") {
		t.Fatalf("the controls of the page, in order, are %v", want)
	}
	p.focusTop()
	if got := p.tabOrder(want[len(want)-1]); !equal(got, want) {
		t.Fatalf("Tab visits %v, want every control in page order: %v", got, want)
	}

	// Create with the keyboard alone: type, Tab, Enter.
	p.focusTop()
	p.press("\t")
	if f := p.focused(); f != "url" {
		t.Fatalf("the first Tab focuses %q, want the URL field", f)
	}
	p.press(tg.URL + "/landing?by=keyboard")
	p.press("\t")
	p.press(alias("keys"))
	p.press("\r")
	p.waitJS("the new short link", `!document.getElementById("result").hidden`)
	if f := p.focused(); f != "result-heading" {
		t.Fatalf("after creating, the focus is on %q, want the result's heading", f)
	}
	if bad := p.unlabelled(); len(bad) > 0 {
		t.Fatalf("controls without a name in the result: %v", bad)
	}
	if got := p.tabOrder("manage-new"); !startsWith(got, "short-url", "copy-short-url", "token-out", "copy-token", "manage-new") {
		t.Fatalf("from the result, Tab visits %v", got)
	}
	p.screenshot("keyboard-created")

	// Enter on "See its visits and manage it" opens the link's view.
	p.press("\r")
	p.waitJS("the link view", `!document.getElementById("link-view").hidden`)
	if f := p.focused(); f != "link-heading" {
		t.Fatalf("after opening the link, the focus is on %q, want its heading", f)
	}
	if got := p.tabOrder("refresh"); !startsWith(got, "toggle-disabled", "extend-to", "extend", "delete", "period", "refresh") {
		t.Fatalf("in the link view, Tab visits %v", got)
	}
	if bad := p.unlabelled(); len(bad) > 0 {
		t.Fatalf("controls without a name in the link view: %v", bad)
	}

	// Disable with the keyboard, then ask to delete and cancel.
	js[chromedp.Void](p, `document.getElementById("link-heading").focus()`)
	p.press("\t")
	p.press("\r")
	p.waitJS("the link to be disabled", `document.getElementById("info-state").dataset.state === "disabled"`)
	if f := p.focused(); f != "toggle-disabled" {
		t.Fatalf("after disabling, the focus is on %q, want the toggle still", f)
	}
	if got := p.tabOrder("delete"); !equal(got, []string{"extend-to", "extend", "delete"}) {
		t.Fatalf("from the toggle, Tab visits %v", got)
	}
	p.press("\r")
	if f := p.focused(); f != "delete-no" {
		t.Fatalf("asking to delete puts the focus on %q, want the Cancel button", f)
	}
	p.screenshot("keyboard-confirm-delete")
	p.press("\r")
	if f := p.focused(); f != "delete" || p.visible("delete-confirm") {
		t.Fatalf("Cancel leaves the focus on %q (confirmation shown: %v), want the delete button again", f, p.visible("delete-confirm"))
	}
	if state := js[string](p, `document.getElementById("info-state").dataset.state`); state != "disabled" {
		t.Fatalf("after Cancel the link is %q, want it still disabled (not deleted)", state)
	}
	p.expectCleanConsole()
}

func testPageManage(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	shortURL, token := createOnPage(t, p, tg.URL+"/landing?managed", alias("manage"))
	p.click("manage-new")
	p.waitJS("the link view", `!document.getElementById("link-view").hidden`)
	state := func() string { return js[string](p, `document.getElementById("info-state").dataset.state`) }
	if got := state(); got != "active" {
		t.Fatalf("a new link's state on the page is %q", got)
	}
	if got := p.text("info-url"); got != tg.URL+"/landing?managed" {
		t.Fatalf("the page says the link goes to %q", got)
	}
	p.screenshot("link-view")
	expectShortURL(t, shortURL, http.StatusFound)

	p.click("toggle-disabled")
	p.waitJS("the link to be disabled", `document.getElementById("info-state").dataset.state === "disabled"`)
	if got := p.text("toggle-disabled"); got != "Enable" {
		t.Fatalf("the toggle of a disabled link says %q, want Enable", got)
	}
	expectShortURL(t, shortURL, http.StatusGone)
	q := b.newPage(t)
	if resp := run(q, "open the disabled link", chromedp.NavigateResponse(shortURL)); resp.Status != http.StatusGone {
		t.Fatalf("the browser got %d for a disabled link, want 410", resp.Status)
	}
	p.screenshot("disabled")

	p.click("toggle-disabled")
	p.waitJS("the link to be enabled", `document.getElementById("info-state").dataset.state === "active"`)
	expectShortURL(t, shortURL, http.StatusFound)

	later := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute)
	p.fill("extend-to", later.Format("2006-01-02T15:04"))
	p.click("extend")
	p.waitJS("the new expiry", fmt.Sprintf(`Date.parse(document.getElementById("info-expires").dateTime) === %d`, later.UnixMilli()))
	if got := p.text("action-status"); !strings.Contains(got, "now expires") {
		t.Fatalf("after extending, the status says %q", got)
	}

	// Too far: the API's expires_at_too_far, in words, next to the date.
	p.fill("extend-to", time.Now().Add(400*24*time.Hour).Format("2006-01-02T15:04"))
	p.click("extend")
	p.waitJS("the expiry error", `!document.getElementById("extend-to-error").hidden`)
	if got := p.text("extend-to-error"); !matchWords(got, "This link can last until * at the latest (365 days after it was made) — choose an earlier date.") {
		t.Fatalf("extending too far, the page says %q next to the date", got)
	}
	if f := p.focused(); f != "extend-to" {
		t.Fatalf("extending too far leaves the focus on %q, want the date", f)
	}

	p.expectTokenOnlyInHeaders(token)
	p.expectCleanConsole()
}

func testPageDelete(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	shortURL, token := createOnPage(t, p, tg.URL+"/landing?deleted", alias("delete"))
	p.click("manage-new")
	p.waitJS("the link view", `!document.getElementById("link-view").hidden`)
	p.click("delete")
	p.waitJS("the confirmation", `!document.getElementById("delete-confirm").hidden`)
	p.screenshot("confirm-delete")
	p.click("delete-yes")
	p.waitJS("the link to be deleted", `document.getElementById("info-state").dataset.state === "deleted"`)
	if p.visible("actions") || p.text("info-url") != "(erased)" {
		t.Fatalf("a deleted link still shows actions (%v) or its target (%q)", p.visible("actions"), p.text("info-url"))
	}
	if label, when := p.text("info-expires-label"), p.text("info-expires"); label != "Deleted at" || !regexp.MustCompile(`^\d{1,2} \w{3,4} \d{4}, \d\d:\d\d \S+$`).MatchString(when) {
		t.Fatalf("a deleted link's view says %q %q, want \"Deleted at\" and when, with the zone", label, when)
	}
	p.screenshot("deleted")
	p.expectTokenOnlyInHeaders(token)

	// An owner arriving later pastes the short URL and a token.
	r := b.newPage(t)
	r.open(s.proxyURL + "/")
	r.fill("link", shortURL)
	r.fill("token", "not-the-token-"+testkit.RandomHex(8))
	r.click("manage-submit")
	r.waitJS("the token error", `!document.getElementById("token-error").hidden`)
	if got := r.text("token-error"); got != "This is not the manage token of this link." {
		t.Fatalf("with a wrong token the page says %q next to the token", got)
	}
	r.fill("link", s.proxyURL+"/NoSuch"+testkit.RandomHex(2))
	r.fill("token", token)
	r.click("manage-submit")
	r.waitJS("the link error", `!document.getElementById("link-error").hidden`)
	if got := r.text("link-error"); got != "No link has this short URL. Check that it is complete." {
		t.Fatalf("for an unknown code the page says %q next to the link", got)
	}
	r.fill("link", shortURL+"+") // the preview URL names the link too
	r.click("manage-submit")
	r.waitJS("the link view", `!document.getElementById("link-view").hidden`)
	if got := js[string](r, `document.getElementById("info-state").dataset.state`); got != "deleted" {
		t.Fatalf("pasting the link and its token shows state %q, want deleted", got)
	}
	p.expectCleanConsole()
	r.expectCleanConsole()
	// Last, as it is the API's part (deleted → 410 Gone).
	expectShortURL(t, shortURL, http.StatusGone)
}

// expectShortURL checks what the short URL answers a plain client, within
// a second (a change reaches every instance within one invalidation delay),
// and lets the test go on if not.
func expectShortURL(t *testing.T, shortURL string, status int) {
	t.Helper()
	var r testkit.Response
	for deadline := time.Now().Add(time.Second); ; time.Sleep(50 * time.Millisecond) {
		if r = testkit.Send(nil, http.MethodGet, shortURL, "", nil, nil); r.Status == status || time.Now().After(deadline) {
			break
		}
	}
	if r.Status != status {
		t.Errorf("GET %s = %s, want %d", shortURL, r, status)
	}
}

func testPageAPIKey(t *testing.T, s *stack, b *browser, tg *target) {
	key := "browser-key-" + testkit.RandomHex(8)
	api := testenv.StartAPI(t, s.bin, s.env("API_KEYS", key))
	p := b.newPage(t)
	p.open(api.BaseURL() + "/")
	if !p.visible("api-key") {
		t.Fatal("with API_KEYS set, the page does not ask for a key")
	}
	p.fill("url", tg.URL+"/landing?keyed")
	p.click("create-submit")
	p.waitJS("the key error", `!document.getElementById("api-key-error").hidden`)
	if got := p.text("api-key-error"); got != "Enter a valid API key: this service needs one to create links." {
		t.Fatalf("without a key the page says %q next to the key", got)
	}
	if f := p.focused(); f != "api-key" {
		t.Fatalf("without a key the focus is on %q, want the key field", f)
	}
	p.screenshot("key-required")

	// A page that did not know keys were needed learns it from the 401.
	q := b.newPage(t)
	q.open(api.BaseURL() + "/")
	js[chromedp.Void](q, `document.getElementById("key-field").hidden = true`)
	q.fill("url", tg.URL+"/landing?keyed")
	q.click("create-submit")
	q.waitJS("the key field", `!document.getElementById("key-field").hidden && !document.getElementById("api-key-error").hidden`)
	q.fill("api-key", key)
	q.click("create-submit")
	q.waitJS("the new short link", `!document.getElementById("result").hidden`)

	sent := false
	for _, r := range q.sentRequests() {
		if strings.HasSuffix(r.URL, "/v1/shortlink") && r.Method == http.MethodPost && fmt.Sprint(r.Headers["Authorization"]) == "Bearer "+key {
			sent = true
		}
		if strings.Contains(r.URL, key) {
			t.Errorf("the API key is in a URL: %s", r.URL)
		}
	}
	if !sent {
		t.Fatal("no create carried the key as Authorization: Bearer")
	}
	p.expectCleanConsole()
	q.expectCleanConsole()
}

// testPageQRCode needs GET /v1/shortlink/{code}/qr from the link
// management work: the page shows the route's SVG, and zbarimg must read
// the short URL back from what the browser drew.
func testPageQRCode(t *testing.T, s *stack, b *browser, tg *target) {
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("reading the QR code needs zbarimg: run `make testpackages` (test/services.sh install) or `apt-get install zbar-tools`")
	}
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	shortURL, _ := createOnPage(t, p, tg.URL+"/landing?qr", alias("qr"))
	qr := s.proxyURL + "/v1/shortlink/" + strings.TrimPrefix(shortURL, s.proxyURL+"/") + "/qr?format=svg&size=320"
	if r := testkit.Send(nil, http.MethodGet, qr, "", nil, nil); r.Status != http.StatusOK {
		t.Fatalf("GET %s = %s: the page shows this route's SVG", qr, r)
	}
	p.waitJS("the QR code", `(() => { const i = document.getElementById("qr");
		return !!i && i.complete && i.naturalWidth > 0 && !document.getElementById("qr-figure").hidden; })()`)
	if alt := js[string](p, `document.getElementById("qr").alt`); alt != "QR code that opens "+shortURL {
		t.Fatalf("the QR code's alt text is %q", alt)
	}
	png := run(p, "screenshot the QR code", chromedp.Screenshot(chromedp.ID("qr")))
	file := filepath.Join(b.artifacts, "qr-code.png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbarimg, "--raw", "-q", file).Output()
	if got := strings.TrimSpace(string(out)); err != nil || got != shortURL {
		t.Fatalf("zbarimg read %q from the page's QR code (%v), want %q", got, err, shortURL)
	}
	p.screenshot("qr-code")
	p.expectCleanConsole()
}

// testPageVisits needs GET /v1/shortlink/{code}/stats from the visits
// work: after visits by people (the browser, directly and from a page that
// links to it) and by bots (HEAD requests), the owner pastes the short URL
// and the token, and reads the counts from the chart's text.
func testPageVisits(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	shortURL, token := createOnPage(t, p, tg.URL+"/landing?visits", alias("visits"))

	visitor := b.newPage(t)
	for range 3 {
		visitor.do("visit the short link", chromedp.Navigate(shortURL))
	}
	visitor.do("open a page that links to the short link", chromedp.Navigate(tg.URL+"/from-here?to="+shortURL))
	visitor.click("go")
	for deadline := time.Now().Add(stepTimeout); tg.hitsOf("/landing?visits") < 4; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("following the link from the referring page did not reach the target")
		}
	}
	for range 2 {
		if r := testkit.Send(nil, http.MethodHead, shortURL, "", nil, nil); r.Status != http.StatusFound {
			t.Fatalf("HEAD %s = %s", shortURL, r)
		}
	}
	if got := tg.hitsOf("/landing?visits"); got != 4 {
		t.Fatalf("the target saw %d visits, want 4", got)
	}

	owner := b.newPage(t)
	owner.open(s.proxyURL + "/")
	owner.fill("link", shortURL)
	owner.fill("token", token)
	owner.click("manage-submit")
	owner.waitJS("the link view", `!document.getElementById("link-view").hidden`)

	// Visits are written in batches (VISIT_FLUSH_INTERVAL, 1 s): refresh
	// until they are all there. With VISIT_DIMENSIONS the summary goes on
	// with the daily unique visitors, merged every VISIT_UNIQUES_INTERVAL
	// (30 s), so not yet here; they are checked exactly by
	// TestVisitorDimensionsThroughNginx.
	const want = "6 visits in the last 7 days: 4 humans, 2 bots."
	var summary string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		owner.waitJS("the visits", `!document.getElementById("refresh").hasAttribute("aria-disabled") &&
			(document.getElementById("stats-summary").textContent !== "" || !document.getElementById("stats-error").hidden)`)
		if msg := owner.text("stats-error"); msg != "" {
			owner.screenshot("visits-error")
			t.Fatalf("the page cannot show the visits: %q (it reads GET /v1/shortlink/{code}/stats)", msg)
		}
		if summary = owner.text("stats-summary"); strings.HasPrefix(summary, want) || time.Now().After(deadline) {
			break
		}
		owner.click("refresh")
	}
	if !strings.HasPrefix(summary, want) {
		t.Fatalf("the stats summary says %q, want %q", summary, want)
	}
	humans, bots := tableSums(t, owner)
	if humans != 4 || bots != 2 {
		t.Fatalf("the visits table adds up to %d humans and %d bots, want 4 and 2", humans, bots)
	}
	if title := js[string](owner, `document.querySelector("#chart-svg > title").textContent`); !strings.Contains(title, "6 in all, 4 humans, 2 bots") {
		t.Fatalf("the chart's title is %q", title)
	}
	if labels := js[[]string](owner, `[...document.querySelectorAll("#chart-svg text.value")].map((e) => e.textContent)`); !equal(labels, []string{"6"}) {
		t.Fatalf("the chart's bars are labelled %v, want one bar of 6 (today)", labels)
	}
	referrers := js[[]string](owner, `[...document.querySelectorAll("#referrers li")].map((e) => e.textContent.replace(/\s+/g, " ").trim())`)
	if len(referrers) != 2 || referrers[0] != "direct (no referrer)5 visits" || !strings.HasPrefix(referrers[1], "127.0.0.1") || !strings.HasSuffix(referrers[1], "1 visit") {
		t.Fatalf("the referrers list reads %q, want direct (5) then 127.0.0.1 (1)", referrers)
	}
	owner.screenshot("visits-7-days")

	js[chromedp.Void](owner, `(() => { const s = document.getElementById("period"); s.value = "24h"; s.dispatchEvent(new Event("change")); })()`)
	owner.waitJS("the hourly view", `document.getElementById("stats-summary").textContent.includes("24 hours")`)
	if got := owner.text("stats-summary"); got != "6 visits in the last 24 hours: 4 humans, 2 bots." {
		t.Fatalf("the hourly summary says %q", got)
	}
	if rows := js[int](owner, `document.querySelectorAll("#stats-rows tr").length`); rows != 24 {
		t.Fatalf("the hourly table has %d rows, want 24", rows)
	}
	owner.screenshot("visits-24-hours")
	owner.expectTokenOnlyInHeaders(token)
	owner.expectCleanConsole()
}

// tableSums adds up the humans and bots columns of the visits table that
// screen readers read.
func tableSums(t *testing.T, p *page) (humans, bots int) {
	t.Helper()
	rows := js[[][]string](p, `[...document.querySelectorAll("#stats-rows tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`)
	for _, row := range rows {
		if len(row) != 4 {
			t.Fatalf("visits table row %v, want period, humans, bots, total", row)
		}
		h, err1 := strconv.Atoi(row[1])
		bt, err2 := strconv.Atoi(row[2])
		total, err3 := strconv.Atoi(row[3])
		if err1 != nil || err2 != nil || err3 != nil || h+bt != total {
			t.Fatalf("visits table row %v does not add up", row)
		}
		humans += h
		bots += bt
	}
	return humans, bots
}

// matchWords reports whether got is want, where a * in want stands for
// any text (a time the page computes as it answers).
func matchWords(got, want string) bool {
	parts := strings.Split(want, "*")
	pattern := make([]string, len(parts))
	for i, part := range parts {
		pattern[i] = regexp.QuoteMeta(part)
	}
	return regexp.MustCompile("^" + strings.Join(pattern, ".+") + "$").MatchString(got)
}

func startsWith(got []string, want ...string) bool {
	return len(got) >= len(want) && equal(got[:len(want)], want)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
