package domain

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// URLPolicy decides which target URLs a link may point at. Hosts are
// compared as a browser resolves them (see parseHost), so an entry or a URL
// may be written in any spelling a browser accepts.
type URLPolicy struct {
	// MaxLength is the longest accepted URL in bytes, as given and as stored.
	MaxLength int
	// PublicHost is the service's own host:port (PublicHostOf its public base
	// URL); links to it could redirect in a loop. Without a port, every port
	// of the host counts.
	PublicHost string
	// DeniedHosts are hosts whose URLs, and whose subdomains' URLs, are
	// refused. An IP address entry denies that address only.
	DeniedHosts []string
}

// Parse checks a target URL and returns the form to store: the URL as given
// with its host replaced by the ASCII host a browser would connect to
// (punycode, dotted-decimal IPv4, compressed IPv6), its scheme in lower case
// and its port written canonically (none when it is the scheme's default).
// The URL must be absolute http(s) with a host, free of whitespace and
// control characters (it ends up in a Location header), not the service
// itself and not on a denied host; the checks judge the stored host, which
// for "http://a@b/" is b.
//
// So that a preview shows truthfully where a link goes, the stored URL may
// not hold invisible code points (IsInvisible), raw or percent-encoded,
// outside emoji sequences, nor user info ("user@" or "user:pass@" before
// the host), which exists to make "https://www.paypal.com@evil.example/"
// read as PayPal. Ignorable code points in the host are not refused: a
// browser drops them (IDNA mapping), and so does the stored host.
func (p URLPolicy) Parse(raw string) (string, error) {
	switch {
	case raw == "":
		return "", invalid("url", ReasonMissingField, "url is required")
	case len(raw) > p.MaxLength:
		return "", p.tooLong()
	case !utf8.ValidString(raw):
		return "", invalid("url", ReasonInvalidURL, "url must be valid UTF-8")
	case strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", invalid("url", ReasonInvalidURL, "url must not contain whitespace or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", invalid("url", ReasonInvalidURL, "url must be an absolute http or https URL with a host")
	}
	target, port, reason := hostPortOf(u)
	switch {
	case reason != "":
		return "", invalid("url", ReasonInvalidURL, "url "+reason)
	case p.isService(target, port):
		return "", invalid("url", ReasonOwnHost, "url must not point at this service")
	case p.isDenied(target):
		return "", invalid("url", ReasonDeniedHost, "url points at a host that is not allowed")
	case u.User != nil:
		return "", invalid("url", ReasonUserinfo,
			"url must not carry a user name or password before its host (user@host): it disguises where the link goes")
	}
	stored := withHost(raw, u, target, port)
	if r, found := firstInvisible(stored); found {
		return "", invalid("url", ReasonInvisibleChars, fmt.Sprintf(
			"url must not contain invisible or text-direction characters (it holds U+%04X, raw or percent-encoded)", r))
	}
	if len(stored) > p.MaxLength {
		return "", p.tooLong()
	}
	return stored, nil
}

// Validate reports a PublicHost or DeniedHosts entry that is not a host:
// Parse cannot compare URLs against it.
func (p URLPolicy) Validate() error {
	var errs []error
	if _, _, ok := parseHostPort(p.PublicHost); p.PublicHost != "" && !ok {
		errs = append(errs, fmt.Errorf("public host %q is not a host[:port]", p.PublicHost))
	}
	for _, entry := range p.DeniedHosts {
		if _, reason := parseConfigHost(entry); reason != "" {
			errs = append(errs, fmt.Errorf("denied host %q %s", entry, reason))
		}
	}
	return errors.Join(errs...)
}

// PublicHostOf returns the normalised host:port of a public base URL, for
// URLPolicy; the port is explicit even when it is the scheme's default.
func PublicHostOf(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("public base URL %q must be an absolute http(s) URL", baseURL)
	}
	h, port, reason := hostPortOf(u)
	if reason != "" {
		return "", fmt.Errorf("public base URL %q %s", baseURL, reason)
	}
	return strings.TrimSuffix(h.serial, ".") + ":" + strconv.Itoa(port), nil
}

func (p URLPolicy) tooLong() error {
	return invalid("url", ReasonURLTooLong, fmt.Sprintf("url must be at most %d bytes", p.MaxLength))
}

// isService reports whether a browser sent to h on port reaches this
// service. The default ports 80 and 443 count as one, because a front door
// that upgrades http to https would loop just the same.
func (p URLPolicy) isService(h host, port int) bool {
	if p.PublicHost == "" {
		return false
	}
	own, ownPort, ok := parseHostPort(p.PublicHost)
	if !ok || !h.sameMachine(own) {
		return false
	}
	return ownPort == noPort || port == ownPort || isDefaultPort(port) && isDefaultPort(ownPort)
}

func (p URLPolicy) isDenied(h host) bool {
	for _, entry := range p.DeniedHosts {
		if denied, reason := parseConfigHost(entry); reason == "" && h.within(denied) {
			return true
		}
	}
	return false
}

// withHost rebuilds raw around h and port, keeping the user info, path,
// query and fragment byte for byte. url.Parse took the authority from
// between the scheme's "://" and the first '/', '?' or '#', and the host
// from after its last '@'; so does withHost.
func withHost(raw string, u *url.URL, h host, port int) string {
	rest := raw[len(u.Scheme)+len("://"):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	userinfo := rest[:strings.LastIndexByte(rest[:end], '@')+1]
	portSuffix := ""
	if port != defaultPort(u.Scheme) {
		portSuffix = ":" + strconv.Itoa(port)
	}
	return u.Scheme + "://" + userinfo + h.serial + portSuffix + rest[end:]
}
