package geo

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"unsafe"

	"github.com/shortlink/shortlink/domain"
)

// The IPv4 ranges of the embedded data, as iploc embeds them: ip4bin the
// ranges' first addresses (native-endian uint32s, sorted), ip4txt their
// countries (two letters each). iploc searches all 296 000 of them, 18
// steps over 1.2 MB, most of which a busy server has let go from the
// processor's caches; this package looks the address's /16 up in an
// index first (ipv4Index), and searches only that /16's few ranges.
//
//go:linkname ip4bin github.com/phuslu/iploc.ip4bin
var ip4bin []byte

//go:linkname ip4txt github.com/phuslu/iploc.ip4txt
var ip4txt []byte

// ipv4Index holds, for each /16 p, how many ranges start before it:
// ranges[p] … ranges[p+1] are the ones that start inside it. 256 KiB,
// built on the first IPv4 lookup.
type ipv4Index struct {
	starts []uint32 // the ranges' first addresses (ip4bin)
	codes  []byte   // their countries (ip4txt)
	ranges []uint32 // 1<<16 + 1 counts
}

var (
	ipv4Once sync.Once
	ipv4     ipv4Index
)

func ipv4Country(addr netip.Addr) string {
	ipv4Once.Do(func() { ipv4 = buildIPv4Index(ip4bin, ip4txt) })
	return ipv4.country(addr)
}

func buildIPv4Index(bin, txt []byte) ipv4Index {
	n := min(len(bin)/4, len(txt)/2)
	if n == 0 {
		return ipv4Index{}
	}
	starts := unsafe.Slice((*uint32)(unsafe.Pointer(&bin[0])), n)
	ranges := make([]uint32, 1<<16+1)
	i := 0
	for p := range 1 << 16 {
		for i < n && starts[i]>>16 < uint32(p) {
			i++
		}
		ranges[p] = uint32(i)
	}
	ranges[1<<16] = uint32(n)
	return ipv4Index{starts: starts, codes: txt[:2*n], ranges: ranges}
}

func (t *ipv4Index) country(addr netip.Addr) string {
	if len(t.ranges) == 0 {
		return domain.CountryUnknown
	}
	b := addr.As4()
	a := binary.BigEndian.Uint32(b[:])
	p := a >> 16
	// i is the number of ranges that start at or before a: all those
	// before its /16 and some of those inside it.
	i, j := int(t.ranges[p]), int(t.ranges[p+1])
	for i < j {
		h := int(uint(i+j) >> 1)
		if t.starts[h] > a {
			j = h
		} else {
			i = h + 1
		}
	}
	if i == 0 {
		return domain.CountryUnknown
	}
	return domain.CountryCode(unsafe.String(&t.codes[2*(i-1)], 2))
}
