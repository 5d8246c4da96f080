//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin, whatever the machine has

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// testPagesForPeople: a person who follows a short URL that leads nowhere
// sees a page that says why, with the status an API client gets; the 404
// page leads to the page at /; NOT_FOUND_URL sends them elsewhere instead.
func testPagesForPeople(t *testing.T, s *stack, b *browser, tg *target) {
	env := s.front()
	disabled := httpsuite.CreateLink(t, env, tg.URL+"/landing?disabled-page")
	httpsuite.Send(t, env, http.MethodPatch, "/v1/shortlink/"+disabled.Code, disabled.Token, map[string]any{"disabled": true})
	deleted := httpsuite.CreateLink(t, env, tg.URL+"/landing?deleted-page")
	httpsuite.Send(t, env, http.MethodDelete, "/v1/shortlink/"+deleted.Code, deleted.Token, nil)
	unknown := "/NoSuch" + testkit.RandomHex(2)

	p := b.newPage(t)
	for _, c := range []struct {
		name, path string
		status     int
		heading    string
	}{
		{"unknown", unknown, http.StatusNotFound, "This short link does not exist"},
		{"disabled", "/" + disabled.Code, http.StatusGone, "This short link no longer works"},
		{"deleted", "/" + deleted.Code, http.StatusGone, "This short link no longer works"},
		{"invalid", "/not_a_code", http.StatusBadRequest, "This is not a short link"},
		{"preview of an unknown code", unknown + "+", http.StatusNotFound, "This short link does not exist"},
		{"preview of a disabled link", "/" + disabled.Code + "+", http.StatusGone, "This short link no longer works"},
	} {
		expectShortURL(t, s.proxyURL+strings.TrimSuffix(c.path, "+"), c.status) // what an API client gets
		resp := run(p, "open "+c.path, chromedp.NavigateResponse(s.proxyURL+c.path))
		if resp.Status != int64(c.status) || !strings.HasPrefix(resp.MimeType, "text/html") {
			t.Fatalf("%s: the browser got %d %s, want %d and a page", c.name, resp.Status, resp.MimeType, c.status)
		}
		if got := js[string](p, `document.querySelector("h1").textContent`); got != c.heading {
			t.Errorf("%s: the page's heading is %q, want %q", c.name, got, c.heading)
		}
		if text := js[string](p, `document.body.innerText`); strings.Contains(text, `"status"`) || strings.Contains(text, "landing?") {
			t.Errorf("%s: the page shows JSON or the target: %q", c.name, text)
		}
		p.expectNoOverflow(c.name)
		if c.name == "unknown" || c.name == "disabled" {
			p.screenshot(strings.ReplaceAll(c.name, " ", "-") + "-page")
		}
	}

	// The 404 page's button leads to the page, to make a link.
	run(p, "open "+unknown, chromedp.NavigateResponse(s.proxyURL+unknown))
	p.do("follow the 404 page's link", chromedp.Click(chromedp.CSS(`a.button`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("create-form")))
	p.waitJS("the page's script to start", `document.documentElement.dataset.ready === "true"`)
	if loc := run(p, "read the location", chromedp.Location()); loc != s.proxyURL+"/" {
		t.Fatalf("the 404 page's link led to %q, want the page at /", loc)
	}
	p.expectCleanConsole()

	// NOT_FOUND_URL: browsers go there instead; API clients still get 404.
	api := testenv.StartAPI(t, s.bin, s.env("NOT_FOUND_URL", tg.URL+"/lost"))
	q := b.newPage(t)
	q.do("open an unknown code", chromedp.Navigate(api.BaseURL()+unknown))
	if loc := run(q, "read the location", chromedp.Location()); loc != tg.URL+"/lost" {
		t.Fatalf("with NOT_FOUND_URL an unknown code led the browser to %q, want %q", loc, tg.URL+"/lost")
	}
	testkit.ExpectError(t, testkit.Send(nil, http.MethodGet, api.BaseURL()+unknown, "", nil, nil), http.StatusNotFound, "not_found", "")
}

// testPageNarrow: from 360 px wide up, no view of the page scrolls
// sideways: the form, a created link (a long target, a 32-character
// alias), the link's view and its visits by day and by hour.
func testPageNarrow(t *testing.T, s *stack, b *browser, tg *target) {
	for _, width := range []int64{360, 390} {
		t.Run(fmt.Sprintf("%d px", width), func(t *testing.T) {
			p := b.newPage(t)
			p.do("narrow the window", chromedp.EmulateViewport(width, 800))
			p.open(s.proxyURL + "/")
			p.expectNoOverflow("the form")
			long := tg.URL + "/landing?narrow=" + strings.Repeat("abcdefghij", 30)
			createOnPage(t, p, long, strings.Repeat("n", 24)+testkit.RandomHex(4)) // 32 characters, no hyphen to break at
			p.expectNoOverflow("the created link")
			p.screenshot(fmt.Sprintf("created-%d", width))
			p.click("manage-new")
			p.waitJS("the visits", `document.getElementById("stats-summary").textContent !== ""`)
			p.expectNoOverflow("the link and its visits by day")
			p.screenshot(fmt.Sprintf("manage-%d", width))
			js[chromedp.Void](p, `(() => { const s = document.getElementById("period"); s.value = "24h"; s.dispatchEvent(new Event("change")); })()`)
			p.waitJS("the hourly view", `document.querySelectorAll("#stats-rows tr").length === 24`)
			p.expectNoOverflow("the visits by hour")
			p.screenshot(fmt.Sprintf("stats-%d", width))
			p.expectCleanConsole()
		})
	}
}

// testPageDark: with prefers-color-scheme: dark the page and the pages
// for people turn dark (screenshots of both schemes).
func testPageDark(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	background := func() string {
		return js[string](p, `getComputedStyle(document.documentElement).backgroundColor + " / " + getComputedStyle(document.querySelector("main > *, main")).backgroundColor`)
	}
	p.do("prefer light", preferScheme("light"))
	p.open(s.proxyURL + "/")
	shortURL, _ := createOnPage(t, p, tg.URL+"/landing?dark", alias("dark"))
	p.click("manage-new")
	p.waitJS("the visits", `document.getElementById("stats-summary").textContent !== ""`)
	light := background()
	p.screenshot("light")
	p.do("prefer dark", preferScheme("dark"))
	dark := background()
	p.screenshot("dark")
	if dark == light {
		t.Fatalf("the page's background is %s in both schemes", light)
	}

	for _, scheme := range []string{"light", "dark"} {
		p.do("prefer "+scheme, preferScheme(scheme))
		run(p, "open an unknown code", chromedp.NavigateResponse(s.proxyURL+"/NoSuch"+testkit.RandomHex(2)))
		if scheme == "light" {
			light = background()
		} else {
			dark = background()
		}
		p.screenshot(scheme + "-404")
	}
	if dark == light {
		t.Fatalf("the 404 page's background is %s in both schemes", light)
	}
	p.do("prefer dark", preferScheme("dark"))
	run(p, "open the preview", chromedp.NavigateResponse(shortURL+"+"))
	p.screenshot("dark-preview")
	p.expectCleanConsole()
}

// preferScheme emulates prefers-color-scheme: light or dark.
func preferScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// testPageLocalTimes: in Berlin, the page says times in Berlin's time with
// the zone's name, sends them in UTC, completes an address without https://
// and shows it, empties the form after a create, and says until when a
// link may last in the same words.
func testPageLocalTimes(t *testing.T, s *stack, b *browser, tg *target) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	p := b.newPage(t)
	p.do("live in Berlin", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Berlin"})
		return err
	}))
	p.open(s.proxyURL + "/")
	if hint := p.text("expires-hint"); !regexp.MustCompile(`^In your time zone, Europe/Berlin, CES?T\.`).MatchString(hint) {
		t.Fatalf("the expiry's hint says %q, want the zone named", hint)
	}

	day := time.Now().In(berlin).AddDate(0, 0, 30)
	expires := time.Date(day.Year(), day.Month(), day.Day(), 10, 30, 0, 0, berlin)
	target := "example.com/completed-" + testkit.RandomHex(4)
	p.fill("url", target)
	p.fill("expires", expires.Format("2006-01-02T15:04"))
	p.click("create-submit")
	p.waitJS("the new short link", `!document.getElementById("result").hidden`)
	if got := p.text("result-url"); got != "https://"+target || !p.visible("result-completed") {
		t.Fatalf("the result says the link goes to %q (completion noted: %v), want https://%s, noted", got, p.visible("result-completed"), target)
	}
	expectLocalTime(t, "the result's expiry", p.text("result-expires"), expires)
	code := strings.TrimPrefix(p.value("short-url"), s.proxyURL+"/")
	info := httpsuite.Send(t, s.front(), http.MethodGet, "/v1/shortlink/"+code+"/info", "", nil)
	if got := info.Field("expires_at"); got != expires.UTC().Format(time.RFC3339Nano) {
		t.Fatalf("the page sent an expiry the API stores as %q, want %s (10:30 in Berlin)", got, expires.UTC().Format(time.RFC3339))
	}
	for _, id := range []string{"url", "alias", "expires"} {
		if v := p.value(id); v != "" {
			t.Fatalf("after a create #%s still holds %q", id, v)
		}
	}
	p.screenshot("completed-and-cleared")

	// Shorten again: the form is empty, so the page asks for an address
	// instead of making the same link twice (409).
	p.click("create-submit")
	p.waitJS("the url error", `!document.getElementById("url-error").hidden`)
	if got := p.text("url-error"); got != "Enter the address to shorten." {
		t.Fatalf("pressing Shorten again says %q", got)
	}

	// Too far ahead, on create: until when, in Berlin's time.
	p.fill("url", tg.URL+"/landing?far")
	p.fill("expires", time.Now().In(berlin).AddDate(0, 0, 400).Format("2006-01-02T15:04"))
	p.click("create-submit")
	p.waitJS("the expiry error", `!document.getElementById("expires-error").hidden`)
	if got := p.text("expires-error"); !regexp.MustCompile(`^A link can last at most 365 days: until \d{1,2} \w{3,4} \d{4}, \d\d:\d\d CES?T at the latest — choose an earlier date\.$`).MatchString(got) {
		t.Fatalf("too far ahead, the page says %q", got)
	}

	// The link's view: its expiry in Berlin's time, and too far from its creation.
	p.click("manage-new")
	p.waitJS("the link view", `!document.getElementById("link-view").hidden`)
	if label := p.text("info-expires-label"); label != "Expires" {
		t.Fatalf("a live link's expiry is labelled %q", label)
	}
	expectLocalTime(t, "the link view's expiry", p.text("info-expires"), expires)
	created, err := time.Parse(time.RFC3339Nano, info.Field("created_at"))
	if err != nil {
		t.Fatal(err)
	}
	p.fill("extend-to", time.Now().In(berlin).AddDate(0, 0, 400).Format("2006-01-02T15:04"))
	p.click("extend")
	p.waitJS("the expiry error", `!document.getElementById("extend-to-error").hidden`)
	got := p.text("extend-to-error")
	ok := false
	for _, limit := range localTimeWords(created.Add(365 * 24 * time.Hour).In(berlin)) {
		ok = ok || got == "This link can last until "+limit+" at the latest (365 days after it was made) — choose an earlier date."
	}
	if !ok {
		t.Fatalf("extending too far, the page says %q, want the limit (created + 365 days) in Berlin's time", got)
	}
	p.screenshot("local-times")
	p.expectCleanConsole()
}

// localTimeWords are the ways the page may write t: "15 Jan 2027, 10:30
// CET" (September is "Sep" or "Sept", as the browser's ICU has it).
func localTimeWords(t time.Time) []string {
	s := t.Format("2 Jan 2006, 15:04 MST")
	return []string{s, strings.Replace(s, " Sep ", " Sept ", 1)}
}

func expectLocalTime(t *testing.T, what, got string, want time.Time) {
	t.Helper()
	for _, w := range localTimeWords(want) {
		if got == w {
			return
		}
	}
	t.Fatalf("%s reads %q, want %q", what, got, localTimeWords(want)[0])
}

// expectNoOverflow fails the test if the page is wider than the window:
// it would scroll sideways.
func (p *page) expectNoOverflow(view string) {
	p.t.Helper()
	w := js[[]int](p, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if w[0] > w[1] {
		p.screenshot("overflow")
		p.t.Errorf("%s is %d px wide in a window of %d px: it scrolls sideways", view, w[0], w[1])
	}
}
