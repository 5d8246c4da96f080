package geo

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
)

// IPv6Country is ipv6Country, for the tests.
func IPv6Country(addr netip.Addr) string { return ipv6Country(addr) }

// IPv6Probes returns, for n ranges of the table picked at random, the
// range's first address and the one before it, and n random addresses
// of 2000::/3.
func IPv6Probes(n int) []netip.Addr {
	ipv6Country(netip.IPv6Loopback())
	t := &ipv6
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]netip.Addr, 0, 3*n)
	addr := func(hi, lo uint64) netip.Addr {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], hi)
		binary.BigEndian.PutUint64(b[8:], lo)
		return netip.AddrFrom16(b)
	}
	for range n {
		i := r.IntN(t.Len())
		hi, lo := t.his[i], t.lo(i)
		out = append(out, addr(hi, lo))
		if lo == 0 {
			out = append(out, addr(hi-1, ^uint64(0)))
		} else {
			out = append(out, addr(hi, lo-1))
		}
		out = append(out, addr(0x2000<<48|r.Uint64()>>3, r.Uint64()))
	}
	return out
}

// BuildIPv6Table builds a table of its own and returns how many ranges
// it holds.
func BuildIPv6Table() int {
	t := buildIPv6Table(ip6gz, ip6txt)
	return t.Len()
}

// IPv4Country is ipv4Country, for the tests.
func IPv4Country(addr netip.Addr) string { return ipv4Country(addr) }

// IPv4Probes returns every range's first address and the one before it,
// and n random addresses.
func IPv4Probes(n int) []netip.Addr {
	ipv4Country(netip.IPv4Unspecified())
	out := make([]netip.Addr, 0, 2*len(ipv4.starts)+n)
	addr := func(a uint32) netip.Addr {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], a)
		return netip.AddrFrom4(b)
	}
	for _, s := range ipv4.starts {
		out = append(out, addr(s), addr(s-1))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range n {
		out = append(out, addr(r.Uint32()))
	}
	return out
}
