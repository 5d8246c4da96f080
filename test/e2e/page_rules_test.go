//go:build e2e

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// testPageRules: a person makes a link with redirect rules on the page
// (iPhones to one address, French speakers to another, the address
// completed as the long URL is), a bad rule's error shows beside the
// rules, and the link's preview, opened in the browser, names every rule
// in words with its host.
func testPageRules(t *testing.T, s *stack, b *browser, tg *target) {
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	p.do("open more options", chromedp.Click(chromedp.CSS(`#more-options summary`), chromedp.NodeVisible))
	p.fill("url", tg.URL+"/landing?rules=1")
	p.click("add-rule")
	p.click("add-rule")
	js[chromedp.Void](p, `(() => {
		const rows = document.querySelectorAll("#rule-list .rule");
		rows[0].querySelector(".rule-url").value = "apps.apple.com/app/id1";
		const kind = rows[1].querySelector(".rule-kind");
		kind.value = "language";
		kind.dispatchEvent(new Event("change", { bubbles: true }));
		rows[1].querySelector(".rule-value").value = "French";
		rows[1].querySelector(".rule-url").value = "https://example.com/fr";
	})()`)
	if !js[bool](p, `!document.querySelectorAll("#rule-list .rule")[1].querySelector(".rule-value").hidden`) {
		t.Fatal("a language rule shows no box for the language")
	}
	p.click("create-submit")
	p.waitJS("the rules error", `!document.getElementById("rules-error").hidden`)
	if got := p.text("rules-error"); !strings.Contains(got, "language code such as fr") {
		t.Errorf("a rule for the language French says %q", got)
	}
	js[chromedp.Void](p, `document.querySelectorAll("#rule-list .rule")[1].querySelector(".rule-value").value = "fr"`)
	p.screenshot("rules-editor")
	p.click("create-submit")
	p.waitJS("the new short link", `!document.getElementById("result").hidden`)
	if n := js[int](p, `document.querySelectorAll("#rule-list .rule").length`); n != 0 {
		t.Errorf("%d rules are left in the form after the create", n)
	}
	code := strings.TrimPrefix(p.value("short-url"), s.proxyURL+"/")

	iPhone := testkit.Send(nil, http.MethodGet, s.proxyURL+"/"+code, "", nil, http.Header{"User-Agent": {httpsuite.UAiPhone}})
	if got := iPhone.Header.Get("Location"); got != "https://apps.apple.com/app/id1" {
		t.Errorf("an iPhone goes to %q, want the App Store (the address completed)", got)
	}

	q := b.newPage(t)
	resp := run(q, "open the preview", chromedp.NavigateResponse(s.proxyURL+"/"+code+"+"))
	if resp.Status != http.StatusOK {
		t.Fatalf("the preview answered %d", resp.Status)
	}
	text := js[string](q, `document.getElementById("rules").innerText`)
	for _, want := range []string{"Visitors on iOS (iPhone, iPad) → apps.apple.com", "Visitors whose browser prefers the language fr → example.com", "https://example.com/fr"} {
		if !strings.Contains(text, want) {
			t.Errorf("the preview's rules say %q, without %q", text, want)
		}
	}
	q.expectNoOverflow("the preview with rules")
	q.screenshot("preview-rules")
	q.expectCleanConsole()
	p.expectCleanConsole()
}
