package domain_test

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func TestParseDomainHostNormalisesAsTargetHostsAre(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]domain.DomainHost{
		"go.example.com":   "go.example.com",
		"Go.Example.COM.":  "go.example.com",
		"ＧＯ．example.com":   "go.example.com", // fullwidth forms and an ideographic full stop
		"bücher.example":   "xn--bcher-kva.example",
		"exa.mp":           "exa.mp",
		"under_score.test": "under_score.test",
	} {
		got, err := domain.ParseDomainHost(raw)
		if err != nil || got != want {
			t.Errorf("ParseDomainHost(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{"", "go.example.com:443", "https://go.example.com", "go.example.com/x", "127.0.0.1", "[::1]", "a..b", "user@go.example.com"} {
		if got, err := domain.ParseDomainHost(raw); err == nil {
			t.Errorf("ParseDomainHost(%q) = %q, want an error", raw, got)
		}
	}
}

func TestRequestHostDropsThePortAndTheCase(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]domain.DomainHost{
		"exa.mp":            "exa.mp",
		"exa.mp:8080":       "exa.mp",
		"EXA.mp.":           "exa.mp",
		"127.0.0.1:8080":    "127.0.0.1",
		"[::1]:8080":        "[::1]",
		"bücher.example":    "xn--bcher-kva.example",
		"":                  "",
		"bad host!.example": "",
	} {
		if got := domain.RequestHost(header); got != want {
			t.Errorf("RequestHost(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestRequestHostOfANormalHostDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = domain.RequestHost("go.example.com:8080") }); n != 0 {
		t.Errorf("RequestHost allocates %v times, want 0", n)
	}
}

func TestNewShortDomainChecksNotFoundURL(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC)
	d, err := domain.NewShortDomain("Exa.MP", "ws1", "https://example.com/missing", now)
	if err != nil || d.Host != "exa.mp" || d.Workspace != "ws1" || !d.CreatedAt.Equal(now) {
		t.Fatalf("NewShortDomain = %+v, %v", d, err)
	}
	if !d.UsableBy("ws1", false) || d.UsableBy("ws2", false) || !d.UsableBy("ws2", true) {
		t.Errorf("a domain tied to ws1: usable by ws1 and admins only")
	}
	if _, err := domain.NewShortDomain("exa.mp", "", "ftp://example.com/", now); err == nil {
		t.Errorf("an ftp not_found_url was accepted")
	}
}

func TestLinksPointingAtFindsLiveLinksToTheHost(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC)
	mk := func(code, url string) domain.ShortLink {
		l, err := domain.NewShortLink(domain.Code(code), url, now.Add(-time.Hour), now.Add(time.Hour), domain.TokenDigest{})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	deleted, err := mk("gone1", "https://exa.mp/x").Delete(now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	links := []domain.ShortLink{mk("to1", "https://exa.mp/a"), mk("other", "https://sub.exa.mp/a"), mk("to2", "http://exa.mp:8080/"), deleted}
	got := domain.LinksPointingAt(links, "exa.mp", now, 10)
	if len(got) != 2 || got[0] != "to1" || got[1] != "to2" {
		t.Errorf("LinksPointingAt = %v, want [to1 to2]", got)
	}
	if got := domain.LinksPointingAt(links, "exa.mp", now, 1); len(got) != 1 {
		t.Errorf("limit 1 gave %v", got)
	}
}
