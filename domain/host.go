package domain

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// browserIDNA is UTS #46 "domain to ASCII" with the options the WHATWG URL
// standard gives it: ideographic full stops become dots, fullwidth forms and
// upper case map to ASCII lower case, ignorable code points (soft hyphen,
// zero-width space, …) vanish, and hosts such as r4---sn-x.googlevideo.com
// or foo_bar.example.com stay valid.
var browserIDNA = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.StrictDomainName(false), // UseSTD3ASCIIRules=false
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.BidiRule(),
	idna.VerifyDNSLength(false),
)

// host is a URL host as a browser connects to it.
type host struct {
	// serial is the ASCII form a URL carries: a punycode domain (a trailing
	// dot kept), a dotted-decimal IPv4 or a bracketed, compressed IPv6 address.
	serial string
	// name is the domain without its trailing dot; "" for an IP address.
	name string
	// ip is the address, IPv4-mapped IPv6 as the IPv4 it maps; zero for a domain.
	ip netip.Addr
}

const badHostName = "has an invalid host name"

// parseHost runs the WHATWG URL host parser on a percent-decoded host:
// a bracketed IPv6 literal, a numeric IPv4 form or a domain name. It returns
// why the host is refused, or "" when it is a host. It is stricter than the
// standard in two ways that no real host name needs: a domain maps to
// [a-z0-9._-] only (WHATWG also lets "{", "*", "~", … through, which
// net/url refuses to read back), and its only empty label may be a trailing
// one ("a..b" resolves nowhere, and x/net/idna turns an "xn--" label into
// an empty one instead of failing).
func parseHost(s string) (host, string) {
	if inner, ok := strings.CutPrefix(s, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		addr, err := netip.ParseAddr(inner)
		if !ok || err != nil || !addr.Is6() || addr.Zone() != "" {
			return host{}, "has an invalid IPv6 address"
		}
		return host{serial: "[" + ipv6String(addr) + "]", ip: addr.Unmap()}, ""
	}
	// A percent-decoded host may be invalid UTF-8, which x/net/idna would
	// silently turn into U+FFFD.
	if !utf8.ValidString(s) {
		return host{}, badHostName
	}
	ascii, err := toASCII(s)
	name := strings.TrimSuffix(ascii, ".")
	if err != nil || name == "" || strings.HasPrefix(name, ".") || strings.Contains(name, "..") || !isLowerHostName(ascii) {
		return host{}, badHostName
	}
	if endsInNumber(ascii) {
		addr, ok := parseIPv4(ascii)
		if !ok {
			return host{}, "has an invalid IPv4 address"
		}
		return host{serial: addr.String(), ip: addr}, ""
	}
	return host{serial: ascii, name: name}, ""
}

// toASCII is browserIDNA.ToASCII, short-cut for the common name of ASCII
// letters, digits, '.', '-' and '_' without an "xn--" label, which UTS #46
// only lower-cases.
func toASCII(s string) (string, error) {
	for i := 0; i < len(s); i++ {
		lower := s[i] | 0x20 // 'A'-'Z' become 'a'-'z'; no other byte lands there
		atLabelStart := i == 0 || s[i-1] == '.'
		if (lower < 'a' || 'z' < lower) && !isHostNameSymbol(s[i]) || atLabelStart && hasACEPrefix(s[i:]) {
			return browserIDNA.ToASCII(s)
		}
	}
	return strings.ToLower(s), nil
}

func hasACEPrefix(label string) bool { return len(label) >= 4 && strings.EqualFold(label[:4], "xn--") }

// isLowerHostName reports whether s holds only [a-z0-9._-].
func isLowerHostName(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < 'a' || 'z' < s[i]) && !isHostNameSymbol(s[i]) {
			return false
		}
	}
	return true
}

func isHostNameSymbol(c byte) bool { return '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' }

// ipv6String is the WHATWG IPv6 serialisation: RFC 5952 compression, and
// hexadecimal pieces for IPv4-mapped addresses too (::ffff:a9fe:a9fe).
func ipv6String(addr netip.Addr) string {
	if !addr.Is4In6() {
		return addr.String()
	}
	v4 := addr.As4()
	return "::ffff:" + hexPiece(v4[0], v4[1]) + ":" + hexPiece(v4[2], v4[3])
}

func hexPiece(hi, lo byte) string { return strconv.FormatUint(uint64(hi)<<8|uint64(lo), 16) }

// within reports whether h is d or, for domain names, a subdomain of d.
// An IP address matches only the same address.
func (h host) within(d host) bool {
	if d.ip.IsValid() {
		return h.ip == d.ip
	}
	return h.name != "" && (h.name == d.name || strings.HasSuffix(h.name, "."+d.name))
}

// sameMachine reports whether a browser sent to h reaches the machine
// named by o. Besides equal hosts, every loopback name and address is one
// machine: localhost, *.localhost, 127.0.0.0/8, ::1 and the unspecified
// 0.0.0.0 and :: (which connect locally), since a browser on the service's
// own machine reaches it through any of them.
func (h host) sameMachine(o host) bool {
	return h.name == o.name && h.ip == o.ip || h.isLoopback() && o.isLoopback()
}

func (h host) isLoopback() bool {
	if h.ip.IsValid() {
		return h.ip.IsLoopback() || h.ip.IsUnspecified()
	}
	return h.name == "localhost" || strings.HasSuffix(h.name, ".localhost")
}
