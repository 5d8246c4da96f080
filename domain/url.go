package domain

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// URLPolicy decides which target URLs a link may point at.
type URLPolicy struct {
	// MaxLength is the longest accepted URL in bytes.
	MaxLength int
	// PublicHost is the service's own host[:port] (from its public base URL);
	// links to it could redirect in a loop.
	PublicHost string
	// DeniedHosts are hosts whose URLs, and whose subdomains' URLs, are refused.
	DeniedHosts []string
}

// Parse checks a target URL and returns it unchanged when it is acceptable:
// absolute http(s) with a host, no whitespace or control characters (the
// value ends up in a Location header), not the service itself, not denied.
func (p URLPolicy) Parse(raw string) (string, error) {
	switch {
	case raw == "":
		return "", invalid("url", "is required")
	case len(raw) > p.MaxLength:
		return "", invalid("url", fmt.Sprintf("must be at most %d bytes", p.MaxLength))
	case !utf8.ValidString(raw):
		return "", invalid("url", "must be valid UTF-8")
	case strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", invalid("url", "must not contain whitespace or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", invalid("url", "must be an absolute http or https URL with a host")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if p.PublicHost != "" && sameHostPort(host, effectivePort(u), p.PublicHost) {
		return "", invalid("url", "must not point at this service")
	}
	for _, denied := range p.DeniedHosts {
		denied = strings.ToLower(denied)
		if host == denied || strings.HasSuffix(host, "."+denied) {
			return "", invalid("url", "points at a host that is not allowed")
		}
	}
	return raw, nil
}

// PublicHostOf returns the host[:port] of a public base URL, for URLPolicy.
func PublicHostOf(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("public base URL %q must be an absolute http(s) URL", baseURL)
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), effectivePort(u)), nil
}

func sameHostPort(host, port, publicHostPort string) bool {
	return net.JoinHostPort(host, port) == publicHostPort
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}
