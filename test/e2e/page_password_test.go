//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shortlink/shortlink/test/httpsuite"
)

// testPasswordForm: a person who follows a password-protected short URL
// sees a form (and not the target), in the page's style and without any
// script; a wrong password shows the form again saying so; the right one
// leads to the target, with the short URL's query string when the link
// forwards it. The browser's console stays clean: no CSP violation, as
// there would be were form-action only 'self' (the 303 to the target
// counts as the form's submission too).
func testPasswordForm(t *testing.T, s *stack, b *browser, tg *target) {
	env := s.front()
	code := httpsuite.MustCreate(t, env, map[string]any{
		"url": tg.URL + "/landing?secret-page=1", "password": httpsuite.Password, "forward_query": true,
	}).Field("code")

	p := b.newPage(t)
	resp := run(p, "open the protected link", chromedp.NavigateResponse(s.proxyURL+"/"+code+"?utm_source=poster"))
	if resp.Status != http.StatusOK || !strings.HasPrefix(resp.MimeType, "text/html") {
		t.Fatalf("the browser got %d %s, want 200 and the password form", resp.Status, resp.MimeType)
	}
	if text := js[string](p, `document.documentElement.outerHTML`); strings.Contains(text, "secret-page") || strings.Contains(text, "<script") {
		t.Fatalf("the password form shows the target or carries a script: %q", text)
	}
	p.expectNoOverflow("the password form")
	p.screenshot("password-form")
	p.do("prefer dark", preferScheme("dark"))
	p.screenshot("password-form-dark")
	p.do("prefer light", preferScheme("light"))

	p.do("submit a wrong password", chromedp.SendKeys(chromedp.ID("password"), "not the password"),
		chromedp.Click(chromedp.ID("unlock"), chromedp.NodeVisible), chromedp.WaitVisible(chromedp.CSS(`[role=alert]`)))
	if text := js[string](p, `document.body.innerText`); !strings.Contains(text, "not the password of this link") || strings.Contains(text, "secret-page") {
		t.Errorf("after a wrong password the page says %q", text)
	}
	p.screenshot("password-wrong")

	p.do("submit the password", chromedp.SendKeys(chromedp.ID("password"), httpsuite.Password),
		chromedp.Click(chromedp.ID("unlock"), chromedp.NodeVisible))
	// The tab navigates (303, then the target): read its location until
	// it is there, a read during the navigation failing.
	want, loc := tg.URL+"/landing?secret-page=1&utm_source=poster", ""
	for deadline := time.Now().Add(stepTimeout); loc != want && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(p.ctx, time.Second)
		loc, _ = chromedp.Run(ctx, chromedp.Location())
		cancel()
	}
	if loc != want {
		t.Fatalf("the right password led to %q, want %q", loc, want)
	}
	if text := js[string](p, `document.body.innerText`); !strings.Contains(text, "You arrived at /landing") {
		t.Errorf("the target page says %q", text)
	}
	p.expectCleanConsole()
}
