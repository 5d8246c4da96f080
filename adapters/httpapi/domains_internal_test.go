package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

// TestRequestHostBelievesXForwardedHostOnlyFromTrustedProxies: the Host a
// short code resolves on is X-Forwarded-Host only when a trusted proxy
// sent it; the port is dropped either way.
func TestRequestHostBelievesXForwardedHostOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	h := &Handler{opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	for _, tc := range []struct {
		name, remote, host, forwarded string
		want                          domain.DomainHost
	}{
		{"Host alone", "198.51.100.7:5000", "Exa.MP:8080", "", "exa.mp"},
		{"untrusted peer's X-Forwarded-Host ignored", "198.51.100.7:5000", "exa.mp", "go.example.org", "exa.mp"},
		{"trusted proxy's X-Forwarded-Host", "10.0.0.2:5000", "internal:8000", "go.example.org:443", "go.example.org"},
		{"the first of a list", "10.0.0.2:5000", "internal", "go.example.org, other.example", "go.example.org"},
		{"trusted proxy without the header", "10.0.0.2:5000", "exa.mp", "", "exa.mp"},
	} {
		r := httptest.NewRequest("GET", "/promo", nil)
		r.RemoteAddr, r.Host = tc.remote, tc.host
		if tc.forwarded != "" {
			r.Header.Set("X-Forwarded-Host", tc.forwarded)
		}
		if got := h.requestHost(r); got != tc.want {
			t.Errorf("%s: requestHost = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestShortURLOfADomainKey: a link on a registered domain has its short URL
// on that host, with PUBLIC_BASE_URL's scheme; the default's is unchanged.
func TestShortURLOfADomainKey(t *testing.T) {
	t.Parallel()
	h := NewHandler(Deps{}, Options{PublicBaseURL: "https://sho.rt/"})
	if got := h.shortURL("promo"); got != "https://sho.rt/promo" {
		t.Errorf("default domain: %q", got)
	}
	if got := h.shortURL(domain.CodeOn("exa.mp", "sho.rt", "promo")); got != "https://exa.mp/promo" {
		t.Errorf("exa.mp: %q", got)
	}
}
