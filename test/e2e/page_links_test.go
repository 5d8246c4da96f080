//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// axePath is axe-core's browser build, which `make e2etest` installs from
// npm into bin/npm (as `make tools` does Spectral); AXE_CORE_JS names
// another copy.
func axePath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		path = filepath.Join("..", "..", "bin", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the accessibility check needs axe-core: run `make axe` (npm install into bin/npm) or set AXE_CORE_JS: %v", err)
	}
	return path
}

// expectAccessible runs axe-core on the page as it is now and fails the
// test on any violation (of every rule axe-core runs by default: WCAG 2.x
// A and AA and its best practices), naming the rule and the elements.
// The page's CSP leaves no room for axe's own script, so the tab is told to
// bypass it for the check; expectCleanConsole still judges the page's own.
func (p *page) expectAccessible(view string) {
	p.t.Helper()
	if js[bool](p, `typeof window.axe === "undefined"`) {
		src, err := os.ReadFile(axePath(p.t))
		if err != nil {
			p.t.Fatal(err)
		}
		js[chromedp.Void](p, string(src)+"\n;undefined")
	}
	// Colours change with a transition (a scheme switched just now): judge the ones it ends with.
	p.waitJS("the transitions to end", `document.getAnimations().every((a) => a.playState !== "running")`)
	got := run(p, "run axe-core on "+view, chromedp.Evaluate[string](`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
		JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + (n.failureSummary || "").split("\n").slice(1, 2).join("")) }))))`,
		chromedp.EvalAwaitPromise))
	var violations []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(got), &violations); err != nil {
		p.t.Fatalf("axe-core on %s: %v: %s", view, err, got)
	}
	for _, v := range violations {
		p.t.Errorf("axe-core on %s: %s (%s): %s: %s", view, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
	}
	if len(violations) > 0 {
		p.screenshot("axe-" + strings.ReplaceAll(view, " ", "-"))
	}
}

// bypassCSP lets axe-core's script run in the tab (set before loading).
func bypassCSP() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true})
		return err
	})
}

// testPageLinks: sign in with a workspace key (kept in sessionStorage,
// never in localStorage or a URL), make tagged links with a title, find
// them by tag, export them, import a CSV file (checked first), page with
// "load more", open one in the manage view with the key, and forget the key; axe-core finds no violation in any view, light
// or dark, and nothing scrolls sideways at 360 px.
func testPageLinks(t *testing.T, s *stack, b *browser, tg *target) {
	env := s.front()
	ws := httpsuite.CreateWorkspace(t, env, "Browser "+testkit.RandomHex(3))
	many := "many-" + testkit.RandomHex(3)
	for i := range 22 {
		r := httpsuite.Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{
			"url": fmt.Sprintf("%s/landing?many=%d", tg.URL, i), "tags": []string{many},
		})
		if r.Status != http.StatusCreated {
			t.Fatalf("create a tagged link: %s", r)
		}
	}

	p := b.newPage(t)
	p.do("let axe-core run", bypassCSP())
	p.open(s.proxyURL + "/")
	p.expectAccessible("the form")
	p.do("open more options", chromedp.Click(chromedp.CSS(`#more-options summary`), chromedp.NodeVisible))
	p.expectAccessible("the form's more options")

	// A wrong key: said next to the field, nothing kept.
	p.fill("signin-key", "slk_nope_nope_nope")
	p.click("signin-submit")
	p.waitJS("the key error", `!document.getElementById("signin-key-error").hidden`)
	if got := p.text("signin-key-error"); !strings.HasPrefix(got, "This key is not valid") {
		t.Fatalf("a wrong key says %q", got)
	}
	if js[string](p, `sessionStorage.getItem("shortlink.workspaceKey") || ""`) != "" {
		t.Fatal("a wrong key was kept")
	}

	p.fill("signin-key", ws.OwnerKey)
	p.click("signin-submit")
	p.waitJS("the links view", `!document.getElementById("links-view").hidden && document.querySelectorAll("#links li").length > 0`)
	if got := js[string](p, `sessionStorage.getItem("shortlink.workspaceKey")`); got != ws.OwnerKey {
		t.Fatalf("sessionStorage holds %q, want the key", got)
	}
	if n := js[int](p, `localStorage.length`); n != 0 {
		t.Fatalf("localStorage holds %d items, want none", n)
	}
	if !p.visible("title") || !p.visible("tags") || p.visible("api-key") {
		t.Fatal("signed in, the create form does not offer a title and tags")
	}

	// Make two links on the page, with a title and tags.
	mine := "mine-" + testkit.RandomHex(3)
	var codes []string
	for i := range 2 {
		p.fill("url", fmt.Sprintf("%s/landing?mine=%d", tg.URL, i))
		p.fill("title", fmt.Sprintf("Campaign %d", i))
		p.fill("tags", mine+", Poster")
		p.click("create-submit")
		p.waitJS("the new short link", `!document.getElementById("result").hidden && document.getElementById("short-url").value !== ""`)
		code := strings.TrimPrefix(p.value("short-url"), s.proxyURL+"/")
		codes = append(codes, code)
		info := httpsuite.Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", ws.OwnerKey, nil)
		if got := info.Field("title"); got != fmt.Sprintf("Campaign %d", i) {
			t.Fatalf("the page's link has title %q; %s", got, info)
		}
		js[chromedp.Void](p, `document.getElementById("short-url").value = ""`)
	}
	p.waitJS("the list to show the new links", fmt.Sprintf(`!!document.querySelector('#links li[data-code=%q]')`, codes[1]))

	// Filter by tag: the two links, newest first.
	p.fill("filter-tag", mine)
	p.click("filter-submit")
	p.waitJS("the tag's links", `document.querySelectorAll("#links li").length === 2`)
	got := js[[]string](p, `[...document.querySelectorAll("#links li")].map((li) => li.dataset.code)`)
	if got[0] != codes[1] || got[1] != codes[0] {
		t.Fatalf("filtered by %s the list shows %v, want %v newest first", mine, got, []string{codes[1], codes[0]})
	}
	if p.visible("load-more") {
		t.Fatal("two links, yet the page offers to load more")
	}
	if text := p.text("links"); !strings.Contains(text, "Campaign 1") || !strings.Contains(text, "poster") {
		t.Fatalf("the rows do not show the title and tags: %q", text)
	}
	p.expectAccessible("the links view")

	// Export what the filter matches: the page fetches it with the key and
	// hands it to the browser as a file (caught here before it is saved).
	js[chromedp.Void](p, `(() => {
		const create = URL.createObjectURL, click = HTMLAnchorElement.prototype.click;
		URL.createObjectURL = (blob) => { blob.text().then((t) => { window.exported = t; }); return create(blob); };
		HTMLAnchorElement.prototype.click = function () {
			window.exportedAs = this.download;
			URL.createObjectURL = create;
			HTMLAnchorElement.prototype.click = click;
		};
	})()`)
	p.click("export-csv")
	p.waitJS("the export", `typeof window.exported === "string" && typeof window.exportedAs === "string"`)
	lines := strings.Split(strings.TrimSpace(js[string](p, `window.exported`)), "\n")
	if name := js[string](p, `window.exportedAs`); !strings.HasPrefix(name, "shortlinks-") || !strings.HasSuffix(name, ".csv") {
		t.Fatalf("the export is saved as %q", name)
	}
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "code,short_url,url,title,tags,") ||
		!strings.HasPrefix(lines[1], codes[1]+",") || !strings.HasPrefix(lines[2], codes[0]+",") {
		t.Fatalf("the CSV export of the tag's links is %q, want the header and %v", lines, []string{codes[1], codes[0]})
	}
	if got := p.text("links-status"); !strings.HasPrefix(got, "Exported as shortlinks-") {
		t.Fatalf("after the export the status says %q", got)
	}

	// Import a CSV file: a check first (one row would be refused, for its
	// taken code, by its line), then the import, which shows the new link
	// in the list; pressed again, it replays its answer and imports nothing
	// twice (an Idempotency-Key per chosen file).
	imp := "imp-" + testkit.RandomHex(3)
	csvPath := filepath.Join(t.TempDir(), "links.csv")
	csvText := "code,url,title,tags\n" +
		imp + "," + tg.URL + "/landing?imported=1,Imported,\"" + imp + "\"\n" +
		codes[0] + "," + tg.URL + "/landing?imported=2,Taken," + imp + "\n"
	if err := os.WriteFile(csvPath, []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	p.fill("filter-tag", imp)
	p.click("filter-submit")
	p.waitJS("the empty list of the import's tag", `document.getElementById("links-status").textContent === "No links match."`)
	p.click("import-check")
	p.waitJS("no file chosen", `!document.getElementById("import-file-error").hidden`)
	if got := p.text("import-file-error"); got != "Choose a CSV file first." || p.focused() != "import-file" {
		t.Fatalf("a check without a file says %q, the focus on %q", got, p.focused())
	}
	// A file without a long URL column: the service's refusal, in words.
	badPath := filepath.Join(t.TempDir(), "not-links.csv")
	if err := os.WriteFile(badPath, []byte("name,colour\nsky,blue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.do("choose a file without URLs", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{badPath}))
	p.waitJS("the file chosen", `document.getElementById("import-file-error").hidden`)
	p.click("import-check")
	p.waitJS("the refused file", `!document.getElementById("import-error").hidden`)
	if got := p.text("import-error"); !strings.Contains(got, "no long URL column") {
		t.Fatalf("a file without URLs says %q", got)
	}
	p.do("choose the CSV file", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{csvPath}))
	p.waitJS("the file chosen", `document.getElementById("import-error").hidden`)
	p.click("import-check")
	p.waitJS("the check's answer", `document.getElementById("import-status").textContent !== ""`)
	if got := p.text("import-status"); got != "1 row would be imported, 1 refused (nothing imported yet)." {
		t.Fatalf("the check says %q", got)
	}
	refused := js[[]string](p, `[...document.querySelectorAll("#import-refused li")].map((li) => li.textContent)`)
	if len(refused) != 1 || !strings.HasPrefix(refused[0], "line 3: alias_taken (alias) — ") {
		t.Fatalf("the check lists the refused rows %q, want line 3's alias_taken", refused)
	}
	if r := httpsuite.Send(t, env, http.MethodGet, "/v1/shortlink/"+imp+"/info", ws.OwnerKey, nil); r.Status != http.StatusNotFound {
		t.Fatalf("the check created %s: %s", imp, r)
	}
	p.expectAccessible("the links view with an import's check")
	p.click("import-submit")
	p.waitJS("the import's answer", `/^\d+ imported, /.test(document.getElementById("import-status").textContent)`)
	if got := p.text("import-status"); got != "1 imported, 1 refused." {
		t.Fatalf("the import says %q", got)
	}
	if got := js[[]string](p, `[...document.querySelectorAll("#import-refused li")].map((li) => li.textContent)`); len(got) != 1 || !strings.HasPrefix(got[0], "line 3: alias_taken") {
		t.Fatalf("the import lists the refused rows %q", got)
	}
	p.waitJS("the imported link in the list", fmt.Sprintf(`!!document.querySelector('#links li[data-code=%q]')`, imp))
	if got := js[int](p, `document.querySelectorAll("#links li").length`); got != 1 {
		t.Fatalf("the import's tag lists %d links, want 1", got)
	}
	if info := httpsuite.Send(t, env, http.MethodGet, "/v1/shortlink/"+imp+"/info", ws.OwnerKey, nil); info.Field("title") != "Imported" {
		t.Fatalf("the imported link: %s", info)
	}
	p.click("import-submit")
	p.waitJS("the import's replayed answer", `document.getElementById("import-status").textContent.includes("imported before")`)
	if got := p.text("import-status"); got != "1 imported, 1 refused (imported before: this is the same answer)." {
		t.Fatalf("the import pressed again says %q", got)
	}
	var keys []string
	for _, r := range p.sentRequests() {
		if strings.Contains(r.URL, "/v1/shortlinks/import") {
			k := ""
			for name, v := range r.Headers {
				if strings.EqualFold(name, "Idempotency-Key") {
					k, _ = v.(string)
				}
			}
			keys = append(keys, k)
		}
	}
	if len(keys) != 4 || keys[1] == "" || keys[2] == "" || keys[1] == keys[2] || keys[2] != keys[3] || keys[0] == keys[1] {
		t.Fatalf("the checks, the import and the import again carried the Idempotency-Keys %q: want one for each file's check, one for both imports", keys)
	}
	p.expectAccessible("the links view after an import")
	p.do("show the import", chromedp.ScrollIntoView(chromedp.ID("import-form")))
	p.screenshot("links-import")

	// Load more: 20, then 22 of the other tag.
	p.fill("filter-tag", many)
	p.click("filter-submit")
	p.waitJS("the first page", `document.querySelectorAll("#links li").length === 20`)
	p.click("load-more")
	p.waitJS("the second page", `document.querySelectorAll("#links li").length === 22 && document.getElementById("load-more").hidden`)
	if n := js[int](p, `new Set([...document.querySelectorAll("#links li")].map((li) => li.dataset.code)).size`); n != 22 {
		t.Fatalf("after load more the list has %d distinct links, want 22", n)
	}
	if got := p.text("links-status"); got != "22 links shown." {
		t.Fatalf("the list's status says %q", got)
	}

	// A search by state that matches nothing.
	js[chromedp.Void](p, `document.getElementById("filter-state").value = "deleted"`)
	p.click("filter-submit")
	p.waitJS("an empty list", `document.querySelectorAll("#links li").length === 0`)
	if got := p.text("links-status"); got != "No links match." {
		t.Fatalf("an empty list says %q", got)
	}
	js[chromedp.Void](p, `document.getElementById("filter-state").value = ""`)

	// Open a link from the list: the manage view, with the key.
	p.fill("filter-tag", mine)
	p.click("filter-submit")
	p.waitJS("the tag's links", `document.querySelectorAll("#links li").length === 2`)
	p.do("open a row", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#links li[data-code=%q] button`, codes[0])), chromedp.NodeVisible))
	p.waitJS("the link view", `!document.getElementById("link-view").hidden && document.getElementById("stats-summary").textContent !== ""`)
	if got := p.text("link-heading"); got != "Link "+codes[0] {
		t.Fatalf("the row opened %q", got)
	}
	if got := p.text("info-title"); got != "Campaign 0" {
		t.Fatalf("the link view shows the title %q", got)
	}
	if f := p.focused(); f != "link-heading" {
		t.Fatalf("after opening a row the focus is on %q", f)
	}
	p.click("toggle-disabled")
	p.waitJS("the link disabled", `document.getElementById("info-state").dataset.state === "disabled"`)
	p.expectAccessible("the manage view")
	p.screenshot("links-and-manage")
	p.do("prefer dark", preferScheme("dark"))
	p.expectAccessible("the manage view, dark")
	p.screenshot("links-and-manage-dark")
	p.do("scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	p.expectAccessible("the links view, dark")
	p.do("prefer light", preferScheme("light"))

	// Still signed in after a reload (the same tab); the key never went in a URL.
	p.open(s.proxyURL + "/")
	p.waitJS("the links view again", `!document.getElementById("links-view").hidden && document.querySelectorAll("#links li").length > 0`)
	for _, r := range p.sentRequests() {
		if strings.Contains(r.URL, ws.OwnerKey) {
			t.Errorf("the key is in a URL: %s", r.URL)
		}
	}
	p.click("forget-key")
	p.waitJS("the sign-in form", `!document.getElementById("signin-form").hidden && document.getElementById("links-view").hidden`)
	if js[string](p, `sessionStorage.getItem("shortlink.workspaceKey") || ""`) != "" {
		t.Fatal("forget this key left the key in sessionStorage")
	}
	if p.visible("title") {
		t.Fatal("signed out, the form still offers a title")
	}
	p.expectCleanConsole()

	// 360 px wide: the links view and the open options do not scroll sideways.
	q := b.newPage(t)
	q.do("narrow the window", chromedp.EmulateViewport(360, 800))
	q.open(s.proxyURL + "/")
	q.do("open more options", chromedp.Click(chromedp.CSS(`#more-options summary`), chromedp.NodeVisible))
	q.expectNoOverflow("the form's more options")
	q.fill("signin-key", ws.OwnerKey)
	q.click("signin-submit")
	q.waitJS("the links view", `document.querySelectorAll("#links li").length > 0`)
	q.expectNoOverflow("the links view")
	q.screenshot("links-360")
	q.do("open a row", chromedp.Click(chromedp.CSS(`#links li button`), chromedp.NodeVisible))
	q.waitJS("the link view", `!document.getElementById("link-view").hidden`)
	q.expectNoOverflow("a link opened from the list")
	q.expectCleanConsole()
}

// testPageMoreOptions: the create form's "more options" make a link that
// forwards the query string and asks for a password; a server that has not
// turned passwords on is answered in words, next to the password.
func testPageMoreOptions(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	if js[bool](p, `document.getElementById("more-options").open`) {
		t.Fatal("more options are open before they are asked for")
	}
	p.do("open more options", chromedp.Click(chromedp.CSS(`#more-options summary`), chromedp.NodeVisible))
	p.fill("url", tg.URL+"/landing?options=1")
	p.do("tick forward", chromedp.Click(chromedp.ID("forward-query"), chromedp.NodeVisible))
	p.fill("password", "short")
	p.click("create-submit")
	p.waitJS("the password error", `!document.getElementById("password-error").hidden`)
	if got := p.text("password-error"); got != "A password has 8 to 128 characters." {
		t.Fatalf("a short password says %q", got)
	}
	p.fill("password", httpsuite.Password)
	p.click("create-submit")
	p.waitJS("the new short link", `!document.getElementById("result").hidden`)
	code := strings.TrimPrefix(p.value("short-url"), s.proxyURL+"/")
	r := httpsuite.Send(t, s.front(), http.MethodGet, "/"+code, "", nil)
	testkit.ExpectError(t, r, http.StatusUnauthorized, "password_required", "")
	if p.value("password") != "" || js[bool](p, `document.getElementById("forward-query").checked`) {
		t.Fatal("the options were not cleared after the create")
	}
	unlocked := httpsuite.Send(t, s.front(), http.MethodPost, "/v1/shortlink/"+code+"/unlock", "", map[string]any{"password": httpsuite.Password})
	if got := unlocked.Field("url"); got != tg.URL+"/landing?options=1" {
		t.Fatalf("unlock answers %q", got)
	}

	// A service before its contract step refuses passwords (409
	// feature_not_enabled); the page says so in words. The answer is
	// played by the tab, as this stack has run the step.
	js[chromedp.Void](p, `window.fetch = async () => new Response(JSON.stringify({ status: 409, data: {
		error: "this feature is not enabled yet", reason: "feature_not_enabled" } }), { status: 409, headers: { "Content-Type": "application/json" } })`)
	js[chromedp.Void](p, `document.getElementById("more-options").open = false`)
	p.fill("url", tg.URL+"/landing?options=2")
	p.fill("password", httpsuite.Password)
	p.click("create-submit")
	p.waitJS("the gate's words", `!document.getElementById("password-error").hidden`)
	if got := p.text("password-error"); !strings.HasPrefix(got, "This service does not take passwords yet") {
		t.Fatalf("feature_not_enabled says %q", got)
	}
	if !p.visible("password") || p.focused() != "password" {
		t.Fatal("the refused password is not shown with the focus")
	}
	p.screenshot("password-not-enabled")
	p.expectCleanConsole()
}
