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
// his holds each range's first address's high 64 bits, codes its
// country's index in names; the 13 % of ranges that start inside a /64
// have their low 64 bits in a side table (sideAt, the ranges' indexes,
// and sideLo), all others start at the /64's first address. The ranges
// inside ::ffff:0:0/96 (IPv4-mapped addresses, which Country unmaps
// before it looks) are left out, 296 000 of the 710 000: 4.4 MB instead
// of 12.8 (7.4 with every range's 16 bytes and two letters).
type ipv6Table struct {
	his    []uint64
	codes  []byte
	sideAt []uint32
	sideLo []uint64
	names  []string // by code: the countries' two letters
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
	// i is the number of ranges whose high half is at or before addr's.
	i, j := 0, len(t.his)
	for i < j {
		h := int(uint(i+j) >> 1)
		if t.his[h] > hi {
			j = h
		} else {
			i = h + 1
		}
	}
	// The last of them that starts at or before addr: of those in addr's
	// /64, sorted by their low half, the last whose low half is at most lo.
	i--
	for i >= 0 && t.his[i] == hi && t.lo(i) > lo {
		i--
	}
	if i < 0 {
		return domain.CountryUnknown
	}
	return t.names[t.codes[i]]
}

// lo is range i's low 64 bits.
func (t *ipv6Table) lo(i int) uint64 {
	k, j := 0, len(t.sideAt)
	for k < j {
		h := int(uint(k+j) >> 1)
		if t.sideAt[h] < uint32(i) {
			k = h + 1
		} else {
			j = h
		}
	}
	if k < len(t.sideAt) && t.sideAt[k] == uint32(i) {
		return t.sideLo[k]
	}
	return 0
}

// Len is how many ranges the table holds.
func (t *ipv6Table) Len() int { return len(t.his) }

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
	// Sized for the worst case (every range kept, every one inside a
	// /64): pages of the mapping never written are never in memory.
	mem := offheap(n*8 + n*8 + n*4 + n)
	his := unsafe.Slice((*uint64)(unsafe.Pointer(&mem[0])), n)
	sideLo := unsafe.Slice((*uint64)(unsafe.Pointer(&mem[8*n])), n)
	sideAt := unsafe.Slice((*uint32)(unsafe.Pointer(&mem[16*n])), n)
	codes := mem[20*n:]
	var (
		buf    [16]byte
		out    int
		sides  int
		names  []string
		byName = map[string]byte{}
		bad    bool
		mapped []byte // the country of the last range left out, for the addresses after the block
	)
	emit := func(hi, lo uint64, code []byte) {
		c, ok := byName[string(code)]
		if !ok {
			if len(names) == 256 {
				bad = true
				return
			}
			c = byte(len(names))
			names = append(names, domain.CountryCode(string(code)))
			byName[string(code)] = c
		}
		his[out], codes[out] = hi, c
		if lo != 0 {
			sideAt[sides], sideLo[sides] = uint32(out), lo
			sides++
		}
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
	if bad { // more than 256 countries: not this data
		return ipv6Table{}
	}
	return ipv6Table{his: his[:out], codes: codes[:out], sideAt: sideAt[:sides], sideLo: sideLo[:sides], names: names}
}
