package httpapi

import (
	"net/netip"
)

// ipv6ClientBits is how much of an IPv6 address names one client: a /64 is
// what one subscriber gets, and it holds more addresses than any limit.
const ipv6ClientBits = 64

// clientKey is the canonical name of a client address for rate limits: an
// IPv4 address (IPv4-mapped IPv6 included) in dotted decimal, an IPv6
// address as its /64, however either was spelt.
func clientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip // gin resolved it; keep whatever it is
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	prefix, _ := addr.Prefix(ipv6ClientBits)
	return prefix.String()
}
