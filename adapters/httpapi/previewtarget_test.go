package httpapi

import (
	"bytes"
	stdhtml "html"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shortlink/shortlink/domain"
)

func TestPreviewTargetSetsTheHostApart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw  string
		want previewTarget
	}{
		{"https://www.paypal.com.evil.example/invoice.pdf?x=1#y", previewTarget{
			Scheme: "https", HostPrefix: "www.paypal.com.", Registrable: "evil.example", Rest: "/invoice.pdf?x=1#y",
		}},
		{"http://shop.example.co.uk:8080", previewTarget{Scheme: "http", HostPrefix: "shop.", Registrable: "example.co.uk", Port: ":8080"}},
		{"https://xn--bcher-kva.example/ü", previewTarget{Scheme: "https", Registrable: "xn--bcher-kva.example", Unicode: "bücher.example", Rest: "/ü"}},
		{"http://192.0.2.1/x", previewTarget{Scheme: "http", Registrable: "192.0.2.1", Rest: "/x"}},
		{"http://[2001:db8::1]:81/", previewTarget{Scheme: "http", Registrable: "[2001:db8::1]", Port: ":81", Rest: "/"}},
		{"https://localhost./a", previewTarget{Scheme: "https", Registrable: "localhost.", Rest: "/a"}},
		// Links from before user info and invisible code points were refused.
		{"https://www.paypal.com@evil.example/invoice\u202efdp.exe", previewTarget{
			Scheme: "https", Registrable: "evil.example", UserInfo: "www.paypal.com", Rest: "/invoice⟨U+202E⟩fdp.exe",
		}},
	} {
		got := newPreviewTarget(tc.raw)
		tc.want.Full = strings.ReplaceAll(tc.raw, "\u202e", "⟨U+202E⟩")
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("newPreviewTarget(%q) (-want +got):\n%s", tc.raw, diff)
		}
	}
}

// TestPreviewShowsTheHostOnItsOwn renders the page of the attack's link
// (stored before such targets were refused): the host element holds the
// real host and nothing else; the user name and the reversed text are
// shown as what they are, apart from it.
func TestPreviewShowsTheHostOnItsOwn(t *testing.T) {
	t.Parallel()
	raw := "https://www.paypal.com@evil.example/invoice\u202efdp.exe"
	var body bytes.Buffer
	page := previewPage{Title: "Preview", Target: newPreviewTarget(raw), ShortURL: "https://sho.rt/abc", Style: pageStyle}
	page.Link = testLink(t, raw)
	if err := previewTemplate.Execute(&body, page); err != nil {
		t.Fatal(err)
	}
	html := body.String()
	host := between(html, `<p class="host" id="host">`, `</p>`)
	if host != `<span class="around"></span><strong>evil.example</strong><span class="around"></span>` {
		t.Errorf("host element = %s, want evil.example alone", host)
	}
	if rest := stdhtml.UnescapeString(between(html, `<code class="rest" id="rest">`, `</code>`)); rest != "/invoice⟨U+202E⟩fdp.exe" {
		t.Errorf("the page on the site = %q, want the override written out", rest)
	}
	if !strings.Contains(html, "<code>www.paypal.com</code>: a user name, not where the link goes") {
		t.Errorf("the user name is not called out:\n%s", html)
	}
	if strings.Contains(html, "\u202e") {
		t.Errorf("the page holds a raw U+202E:\n%s", html)
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return "(missing " + start + ")"
	}
	s = s[i+len(start):]
	return s[:strings.Index(s, end)]
}

func testLink(t *testing.T, raw string) *domain.ShortLink {
	t.Helper()
	now := time.Now()
	link := domain.RestoreShortLink(domain.LinkRecord{Code: "abc", URL: raw, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Version: 1})
	return &link
}
