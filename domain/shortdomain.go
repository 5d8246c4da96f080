package domain

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
)

// DomainHost is a short domain's host as SPEC §8 normalises hosts: ASCII
// (punycode), lower case, without a trailing dot and without a port. Build
// one with ParseDomainHost.
type DomainHost string

// ShortDomain is a host short links are served on (SPEC §14). The host of
// PUBLIC_BASE_URL is the default domain; the others are registered.
type ShortDomain struct {
	Host DomainHost
	// Workspace, when set, is the only workspace whose keys may put links on
	// the domain; "" shares it with every caller.
	Workspace WorkspaceID
	// NotFoundURL, when set, is where browsers asking this domain for an
	// unknown or expired code are sent (302) instead of the 404 page.
	NotFoundURL string
	CreatedAt   time.Time
	// Default marks the domain of PUBLIC_BASE_URL: it is not stored, and
	// cannot be removed.
	Default bool
}

// The reasons of domains, docs/api.md "Domains".
const (
	ReasonInvalidDomain Reason = "invalid_domain"
)

// Sentinel errors of domains.
var (
	// ErrDomainTaken means a domain with the host is registered already.
	ErrDomainTaken = errors.New("domain is already registered")
	// ErrDomainNotFound means no registered domain has the host.
	ErrDomainNotFound = errors.New("domain not found")
	// ErrDefaultDomain refuses to remove the default domain.
	ErrDefaultDomain = errors.New("the default domain (the host of PUBLIC_BASE_URL) cannot be removed")
)

// DomainConflictError refuses a domain change because of live links: the
// links on a domain being removed, or the links whose target is a domain
// being registered (it would make them loop). Codes are some of them.
type DomainConflictError struct {
	// InUse is true for links on the domain, false for links pointing at it.
	InUse bool
	Codes []Code
}

func (e *DomainConflictError) Error() string {
	if e.InUse {
		return "live links are on this domain; delete them first"
	}
	return "live links point at this host: they would redirect in a loop; delete them first"
}

// ParseDomainHost checks a host a client gave for a short domain and
// returns its normalised form: a domain name as a browser resolves it
// (IDNA, lower case, trailing dot dropped). IP addresses, ports, paths and
// user info are refused: a short domain is a name people type.
func ParseDomainHost(raw string) (DomainHost, error) {
	bad := func(msg string) (DomainHost, error) { return "", invalid("host", ReasonInvalidDomain, "host "+msg) }
	if raw == "" {
		return "", invalid("host", ReasonMissingField, "host is required")
	}
	if len(raw) > 253 || strings.ContainsAny(raw, "/:@?#[] \t") {
		return bad("must be a domain name, without scheme, port or path")
	}
	h, reason := parseHost(raw)
	switch {
	case reason != "":
		return bad(reason)
	case h.ip.IsValid():
		return bad("must be a domain name, not an IP address")
	case !strings.Contains(h.name, "."):
		return bad("must be a fully qualified domain name, such as go.example.com")
	}
	return DomainHost(h.name), nil
}

// DefaultDomainHost is the host of a public base URL as a DomainHost:
// normalised like ParseDomainHost, and an IP address kept as its serial.
func DefaultDomainHost(baseURL string) (DomainHost, error) {
	hp, err := PublicHostOf(baseURL)
	if err != nil {
		return "", err
	}
	h, _, _ := net.SplitHostPort(hp)
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return DomainHost(h), nil
}

// NewShortDomain checks and returns a domain to register.
func NewShortDomain(rawHost string, ws WorkspaceID, notFoundURL string, now time.Time) (ShortDomain, error) {
	h, err := ParseDomainHost(rawHost)
	if err != nil {
		return ShortDomain{}, err
	}
	if notFoundURL != "" {
		u, err := url.Parse(notFoundURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(notFoundURL) > 2048 {
			return ShortDomain{}, invalid("not_found_url", ReasonInvalidURL, "not_found_url must be an absolute http(s) URL")
		}
	}
	return ShortDomain{Host: h, Workspace: ws, NotFoundURL: notFoundURL, CreatedAt: normalizeInstant(now)}, nil
}

// UsableBy reports whether a caller of workspace ws (or an administrator)
// may put links on the domain.
func (d ShortDomain) UsableBy(ws WorkspaceID, admin bool) bool {
	return admin || d.Default || d.Workspace == "" || d.Workspace == ws
}

// RequestHost is the DomainHost a request's Host header names: its port
// dropped, ASCII letters lower-cased and a trailing dot removed. It
// allocates only when the header is not already in that form; a header a
// browser could not have sent gives "".
func RequestHost(header string) DomainHost {
	h := header
	if strings.HasPrefix(h, "[") { // an IPv6 literal: keep the brackets, drop a port
		if end := strings.IndexByte(h, ']'); end > 0 {
			return DomainHost(h[:end+1])
		}
		return ""
	}
	if i := strings.IndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return ""
	}
	if isLowerHostName(h) {
		return DomainHost(h)
	}
	parsed, reason := parseHost(h)
	if reason != "" {
		return ""
	}
	return DomainHost(strings.TrimSuffix(parsed.serial, "."))
}

// TargetHost is the host a stored target URL (URLPolicy.Parse) points at,
// as a DomainHost, or "" when it has none.
func TargetHost(target string) DomainHost {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	return RequestHost(u.Host)
}

// LinksPointingAt returns the codes of up to limit of links that are live
// at now and whose target's host is host: a store that scans its links
// answers DomainStore.LinksTo with it.
func LinksPointingAt(links []ShortLink, host DomainHost, now time.Time, limit int) []Code {
	var codes []Code
	for _, l := range links {
		if len(codes) >= limit {
			break
		}
		if l.Status(now) == StatusActive && TargetHost(l.URL()) == host {
			codes = append(codes, l.Code())
		}
	}
	return codes
}

// A link on a registered domain is kept, in stores and caches, under its
// code key: "<host>/<code>". A link on the default domain is kept under its
// bare code, as before domains existed, so the previous release and every
// cache key, outbox row and change of the default domain stay as they were;
// and no code contains '/', so the two kinds of key never meet. Claims,
// quarantine, negative cache entries and tombstones are per key, hence per
// (domain, code).
const codeKeySep = "/"

// CodeOn is the key of code on host; def is the default domain, whose keys
// are bare codes ("" host: the default too).
func CodeOn(host, def DomainHost, code Code) Code {
	if host == "" || host == def {
		return code
	}
	return Code(string(host) + codeKeySep + string(code))
}

// Split returns the registered domain and the bare code of a code key;
// the domain is "" for a key of the default domain.
func (c Code) Split() (DomainHost, Code) {
	i := strings.LastIndex(string(c), codeKeySep)
	if i < 0 {
		return "", c
	}
	return DomainHost(c[:i]), c[i+1:]
}

// ParseCodeKey validates a code key (CodeOn): a bare code as ParseCode
// does, or "<host>/<code>" with a normalised host.
func ParseCodeKey(s string) (Code, error) {
	i := strings.LastIndex(s, codeKeySep)
	if i < 0 {
		return ParseCode(s)
	}
	code, err := ParseCode(s[i+1:])
	if err != nil {
		return "", err
	}
	if h, err := ParseDomainHost(s[:i]); err != nil || string(h) != s[:i] {
		return "", invalid("domain", ReasonInvalidDomain, "domain must be a normalised domain name")
	}
	return Code(s[:i]) + codeKeySep + code, nil
}

// ShortCode is the link's code without its domain: the path of its short URL.
func (l ShortLink) ShortCode() Code { _, c := l.code.Split(); return c }

// Domain is the registered domain the link is on, "" for the default one.
func (l ShortLink) Domain() DomainHost { h, _ := l.code.Split(); return h }

// LinksOnDomain returns the codes of up to limit of links on host (a
// registered domain) that are not deleted and not expired at now: a store
// that scans its links answers DomainStore.LinksOn with it.
func LinksOnDomain(links []ShortLink, host DomainHost, now time.Time, limit int) []Code {
	var codes []Code
	for _, l := range links {
		if len(codes) >= limit {
			break
		}
		if st := l.Status(now); st != StatusDeleted && st != StatusExpired && l.Domain() == host {
			codes = append(codes, l.ShortCode())
		}
	}
	return codes
}
