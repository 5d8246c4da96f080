package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"net/netip"
	"sync"
	"unsafe"

	"github.com/shortlink/shortlink/domain"

	_ "github.com/phuslu/iploc" // the data below
)

// The IPv6 ranges of the embedded IP2Location LITE data, as iploc embeds
// them: ip6gz is the gzip of the ranges' first addresses (two native-endian
// uint64s each, sorted), ip6txt their countries (two letters each). iploc
// unpacks ip6gz into 11 MB of Go heap on its first IPv6 lookup, which
// counts against GOMEMLIMIT and made the collector run several times as
// often; so this package never asks iploc about an IPv6 address and keeps
// its own table instead (ipv6Table), outside the Go heap.
//
//go:linkname ip6gz github.com/phuslu/iploc.ip6bin
var ip6gz []byte

//go:linkname ip6txt github.com/phuslu/iploc.ip6txt
var ip6txt []byte

// ipv6Table is the IPv6 ranges in memory the Go runtime neither scans nor
// counts (an anonymous mapping where the system has one, see offheap):
// keys holds each range's first address as two uint64s (high, low), codes
// its country's two letters. The ranges inside ::ffff:0:0/96 (IPv4-mapped
// addresses, which Country unmaps before it looks) are left out, 296 000
// of the 710 000: 7.4 MB instead of 12.8.
type ipv6Table struct {
	keys  []uint64
	codes []byte
}

var (
	ipv6Once sync.Once
	ipv6     ipv6Table
)

// ipv6Country is the country of a (not IPv4-mapped) IPv6 address; the
// table is built on the first call.
func ipv6Country(addr netip.Addr) string {
	ipv6Once.Do(func() { ipv6 = buildIPv6Table(ip6gz, ip6txt) })
	return ipv6.country(addr)
}

func (t *ipv6Table) country(addr netip.Addr) string {
	b := addr.As16()
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	// i is the number of ranges that start at or before addr.
	i, j := 0, len(t.keys)/2
	for i < j {
		h := int(uint(i+j) >> 1)
		if k := t.keys[2*h]; k > hi || (k == hi && t.keys[2*h+1] > lo) {
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

// mappedHi is the high half of ::ffff:0:0/96 and the low halves that
// bound it.
const (
	mappedLo    = 0xffff << 32
	afterMapped = 1 << 48 // ::1:0:0:0, the first address past ::ffff:ffff:ffff
)

// buildIPv6Table reads the gzipped ranges once, streaming, into memory
// off the Go heap. Broken data gives an empty table (every IPv6 address
// unknown), which TestIPv6TableMatchesIploc would catch first.
func buildIPv6Table(gz, txt []byte) ipv6Table {
	n := len(txt) / 2
	if n == 0 {
		return ipv6Table{}
	}
	var src io.Reader = bytes.NewReader(gz)
	if len(gz) != 16*n { // not already unpacked by an iploc.IPCountry of an IPv6 address
		zr, err := gzip.NewReader(src)
		if err != nil {
			return ipv6Table{}
		}
		src = zr
	}
	r := bufio.NewReaderSize(src, 64<<10)
	mem := offheap(n * 18)
	keys := unsafe.Slice((*uint64)(unsafe.Pointer(&mem[0])), 2*n)
	codes := mem[16*n:]
	var (
		buf    [16]byte
		out    int
		mapped []byte // the country of the last range left out, for the addresses after the block
	)
	emit := func(hi, lo uint64, code []byte) {
		keys[2*out], keys[2*out+1] = hi, lo
		copy(codes[2*out:], code)
		out++
	}
	for i := range n {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return ipv6Table{}
		}
		hi, lo := binary.NativeEndian.Uint64(buf[:8]), binary.NativeEndian.Uint64(buf[8:])
		code := txt[2*i : 2*i+2]
		if hi == 0 && lo >= mappedLo && lo < afterMapped {
			mapped = code
			continue
		}
		if mapped != nil {
			if hi != 0 || lo != afterMapped {
				emit(0, afterMapped, mapped)
			}
			mapped = nil
		}
		emit(hi, lo, code)
	}
	if mapped != nil {
		emit(0, afterMapped, mapped)
	}
	return ipv6Table{keys: keys[:2*out], codes: codes[:2*out]}
}
