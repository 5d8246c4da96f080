//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// humanUserAgent is what the browser tests' chromium says it is: a desktop
// Chrome. Headless chromium's own ("HeadlessChrome") is, rightly, a bot to
// bot detection, and the tests' page visits are meant to count as humans.
const humanUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"

// stepTimeout bounds every browser action.
const stepTimeout = 15 * time.Second

// chromiumPath finds Debian's chromium, or fails the test saying how to
// install it: the browser tests are never skipped.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	for _, path := range []string{"/usr/bin/chromium", "/usr/lib/chromium/chromium"} {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	t.Fatal("the browser tests drive Debian's chromium, which is not installed: run `make testpackages` " +
		"(test/services.sh install, as root) or `apt-get install chromium`")
	return ""
}

// browser is one headless chromium for a test; each page is a tab of it.
type browser struct {
	ctx       context.Context // has run once: the browser is up
	artifacts string
	shots     atomic.Int32 // screenshots taken, to number them
}

// startBrowser starts chromium headless with a fresh profile, stopped when
// the test ends. The network flags keep it from calling home, which this
// machine's closed network would refuse.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 1200),
		chromedp.UserAgent(humanUserAgent),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, artifacts: artifactsDir(t)}
}

// artifactsDir is where a test's screenshots go: $E2E_ARTIFACTS/<test> when
// E2E_ARTIFACTS is set, else $TMPDIR/shortlink-e2e-artifacts/<test>. It is
// emptied at the start of the test and kept afterwards.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("E2E_ARTIFACTS")
	if root == "" {
		root = filepath.Join(os.TempDir(), "shortlink-e2e-artifacts")
	}
	dir := filepath.Join(root, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots go to %s", dir)
	return dir
}

// page is one tab. Its actions fail the test on error; it records what the
// page wrote to the console and every request it sent.
type page struct {
	t   *testing.T
	b   *browser
	ctx context.Context

	mu       sync.Mutex
	console  []chromedp.ConsoleMessage
	requests []*network.Request
}

// newPage opens a tab, closed when the test ends.
func (b *browser) newPage(t *testing.T) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	p := &page{t: t, b: b, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	console := chromedp.Console(ctx)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m)
			p.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.requests = append(p.requests, ev.Request)
			p.mu.Unlock()
		}
	}()
	return p
}

// run runs one browser action against p's tab, within stepTimeout.
func run[T any](p *page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	run(p, what, chromedp.Steps(steps...))
}

// open loads url and waits until the page's script has started.
func (p *page) open(url string) {
	p.t.Helper()
	p.do("open "+url, chromedp.Navigate(url))
	p.waitJS("the page's script to start", `document.documentElement.dataset.ready === "true"`)
}

// js evaluates expr in the page and returns its value.
func js[T any](p *page, expr string) T {
	p.t.Helper()
	return run(p, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// waitJS waits until expr is truthy in the page.
func (p *page) waitJS(what, expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		p.t.Fatalf("browser: waiting for %s (%s): %v", what, expr, err)
	}
}

// text is the visible text of the element with id.
func (p *page) text(id string) string {
	p.t.Helper()
	return js[string](p, fmt.Sprintf(`document.getElementById(%q).textContent.trim()`, id))
}

// value is the value of the input with id.
func (p *page) value(id string) string {
	p.t.Helper()
	return js[string](p, fmt.Sprintf(`document.getElementById(%q).value`, id))
}

// visible reports whether the element with id is rendered.
func (p *page) visible(id string) bool {
	p.t.Helper()
	return js[bool](p, fmt.Sprintf(`(() => { const e = document.getElementById(%q); return !!e && e.getClientRects().length > 0; })()`, id))
}

// fill sets the value of the input with id, as a paste would.
func (p *page) fill(id, value string) {
	p.t.Helper()
	js[chromedp.Void](p, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %s;
		e.dispatchEvent(new Event("input", { bubbles: true })); })()`, id, jsonString(value)))
}

// click clicks the element with id with the mouse.
func (p *page) click(id string) {
	p.t.Helper()
	p.do("click #"+id, chromedp.Click(chromedp.ID(id), chromedp.NodeVisible))
}

// press sends keys to whatever has the focus (kb.Tab, kb.Enter, text).
func (p *page) press(keys string) {
	p.t.Helper()
	p.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// focused names the element that has the focus: its id, else its tag and text.
func (p *page) focused() string {
	p.t.Helper()
	return js[string](p, `(() => { const e = document.activeElement;
		return !e || e === document.body ? "body" : e.id || (e.tagName.toLowerCase() + ":" + e.textContent.trim()); })()`)
}

// screenshot saves the whole page as <n>-<name>.png in the artifacts.
func (p *page) screenshot(name string) {
	p.t.Helper()
	png := run(p, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(p.b.artifacts, fmt.Sprintf("%02d-%s.png", p.b.shots.Add(1), name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

// expectCleanConsole fails the test if the page threw, or if the browser
// blocked anything under the CSP or Trusted Types. Failed requests (a
// missing route answering 404) are the tests' own business.
func (p *page) expectCleanConsole() {
	p.t.Helper()
	time.Sleep(100 * time.Millisecond) // the console stream is asynchronous
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.console {
		lower := strings.ToLower(m.Text)
		if m.IsException() || m.Source == "security" || strings.Contains(lower, "content security policy") ||
			strings.Contains(lower, "trusted type") || m.Type == chromedp.ConsoleError && m.Source == "" {
			p.t.Errorf("browser console (%s %s): %s", m.Type, m.Source, m.Text)
		}
	}
}

// sentRequests are the requests the tab sent so far.
func (p *page) sentRequests() []*network.Request {
	time.Sleep(100 * time.Millisecond) // the event stream is asynchronous
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*network.Request(nil), p.requests...)
}

// expectTokenOnlyInHeaders fails the test if token appears in any URL the
// tab requested, and unless some request carried it as a Bearer credential.
func (p *page) expectTokenOnlyInHeaders(token string) {
	p.t.Helper()
	sentAsBearer := false
	for _, r := range p.sentRequests() {
		if strings.Contains(r.URL, token) || strings.Contains(r.URLFragment, token) {
			p.t.Errorf("the manage token is in a URL: %s %s", r.Method, r.URL)
		}
		for name, v := range r.Headers {
			if strings.EqualFold(name, "Authorization") && fmt.Sprint(v) == "Bearer "+token {
				sentAsBearer = true
			}
		}
	}
	if !sentAsBearer {
		p.t.Errorf("no request carried the manage token as Authorization: Bearer")
	}
}

// tabOrder presses Tab from where the focus is until it reaches last, or
// leaves the page, and names each element that got the focus, once (a
// date-time input takes several Tabs, one per part of the date).
func (p *page) tabOrder(last string) []string {
	p.t.Helper()
	var order []string
	for range 60 {
		p.press(kb.Tab)
		f := p.focused()
		if f == "body" {
			break
		}
		if len(order) == 0 || order[len(order)-1] != f {
			order = append(order, f)
		}
		if f == last {
			break
		}
	}
	return order
}

// focusTop takes the focus away, to the top of the page, as a fresh load leaves it.
func (p *page) focusTop() {
	p.t.Helper()
	js[chromedp.Void](p, `document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0)`)
	p.do("click the top of the page", chromedp.MouseClickXY(2, 2))
}

// focusableInDOMOrder names the visible, enabled elements that can take
// the focus, in document order: what Tab must visit, and in this order.
func (p *page) focusableInDOMOrder() []string {
	p.t.Helper()
	return js[[]string](p, `[...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
		.filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0)
		.map((e) => e.id || (e.tagName.toLowerCase() + ":" + e.textContent.trim()))`)
}

// unlabelled lists the visible form controls with no accessible name (a
// label, aria-label or aria-labelledby; buttons their text), and the
// aria-describedby references to ids that do not exist.
func (p *page) unlabelled() []string {
	p.t.Helper()
	return js[[]string](p, `(() => {
		const bad = [];
		for (const e of document.querySelectorAll('input, select, textarea, button')) {
			if (e.type === 'hidden' || e.getClientRects().length === 0) continue;
			const named = e.tagName === 'BUTTON' ? e.textContent.trim() !== ''
				: [...(e.labels || [])].some((l) => l.textContent.trim() !== '');
			if (!named && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')) bad.push('no label: ' + (e.id || e.outerHTML));
			for (const id of (e.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)) {
				if (!document.getElementById(id)) bad.push(e.id + ' is described by a missing #' + id);
			}
		}
		for (const img of document.querySelectorAll('img')) {
			if (!img.hasAttribute('alt')) bad.push('image without alt: ' + img.src);
		}
		return bad;
	})()`)
}

// stubClipboard makes navigator.clipboard.writeText record what it was
// given in window.copied, as headless chromium has no clipboard to read.
func (p *page) stubClipboard() {
	p.t.Helper()
	js[chromedp.Void](p, `window.copied = null; navigator.clipboard.writeText = async (s) => { window.copied = s; }`)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
