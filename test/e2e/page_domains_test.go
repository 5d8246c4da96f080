//go:build e2e

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// testPageDomainPicker: with one short domain the page shows no picker;
// with two more registered it offers all three, the default first and
// selected; a link created on the second is on that host (its short URL,
// and its redirect through nginx by Host), and axe-core finds no
// violation with the picker shown. The domains are removed at the end:
// the stack's later subtests see one domain again.
func testPageDomainPicker(t *testing.T, s *stack, b *browser, tg *target) {
	env := s.front()
	p := b.newPage(t)
	p.open(s.proxyURL + "/")
	p.waitJS("the domains to load", `document.getElementById("domain").options.length > 0`)
	if p.visible("domain-field") {
		t.Fatalf("with only the default domain the page shows a domain picker")
	}

	extra := []string{"exa.e2e.test", "go.e2e.test"}
	for _, host := range extra {
		httpsuite.RegisterDomain(t, env, host)
	}
	var created []string // "<code>?domain=<host>" of the links on the extra domains
	t.Cleanup(func() {
		for _, c := range created {
			httpsuite.Send(t, env, http.MethodDelete, "/v1/shortlink/"+c, httpsuite.AdminKey, nil)
		}
		for _, host := range extra {
			if r := httpsuite.Send(t, env, http.MethodDelete, "/v1/domains/"+host, httpsuite.AdminKey, nil); r.Status != http.StatusNoContent {
				t.Errorf("remove %s after the test: %s", host, r)
			}
		}
	})

	p = b.newPage(t)
	p.do("let axe-core run", bypassCSP())
	p.open(s.proxyURL + "/")
	p.waitJS("the domain picker", `!document.getElementById("domain-field").hidden`)
	options := js[[]string](p, `[...document.getElementById("domain").options].map((o) => o.textContent + "=" + o.value)`)
	def := strings.TrimPrefix(s.proxyURL, "http://")
	def = def[:strings.LastIndexByte(def, ':')] // the default domain's host: PUBLIC_BASE_URL's, without the port
	want := []string{def + "=", "exa.e2e.test=exa.e2e.test", "go.e2e.test=go.e2e.test"}
	if !equal(options, want) || p.value("domain") != "" {
		t.Fatalf("the picker offers %q with %q selected, want %q with the default domain selected", options, p.value("domain"), want)
	}
	p.expectAccessible("the form with the domain picker")
	p.screenshot("domain-picker")

	// The second domain: picked as a person would, by the keyboard on the select.
	p.do("focus the picker", chromedp.Focus(chromedp.ID("domain"), chromedp.NodeVisible))
	p.press(kb.ArrowDown) // exa.e2e.test
	p.press(kb.ArrowDown) // go.e2e.test
	if got := p.value("domain"); got != "go.e2e.test" {
		t.Fatalf("after two arrow keys on the picker it holds %q, want go.e2e.test", got)
	}
	code := alias("picked")
	shortURL, _ := createOnPage(t, p, tg.URL+"/landing?from=picker", code)
	if want := "http://go.e2e.test/" + code; shortURL != want {
		t.Fatalf("the page shows short URL %q for a link on go.e2e.test, want %q", shortURL, want)
	}
	created = append(created, code+"?domain=go.e2e.test")
	p.expectAccessible("the result of a create on a second domain")
	p.screenshot("created-on-a-domain")

	// Through nginx: go.e2e.test's Host follows it; the default one does not know it.
	r := testkit.Send(nil, http.MethodGet, s.proxyURL+"/"+code, "", nil, http.Header{"Host": {"go.e2e.test"}})
	if r.Err != nil || r.Status != http.StatusFound || r.Location() != tg.URL+"/landing?from=picker" {
		t.Fatalf("GET /%s with Host go.e2e.test through nginx: %v, want a 302 to the landing page", code, r)
	}
	if r := testkit.Send(nil, http.MethodGet, s.proxyURL+"/"+code, "", nil, http.Header{"Accept": {"application/json"}}); r.Status != http.StatusNotFound {
		t.Fatalf("GET /%s on the default domain: %v, want 404 (the link is on go.e2e.test)", code, r)
	}
	info := httpsuite.Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info?domain=go.e2e.test", "", nil)
	if info.Status != http.StatusOK || info.Field("domain") != "go.e2e.test" {
		t.Fatalf("info of %s on go.e2e.test: %s", code, info)
	}
	p.expectCleanConsole()
}
