package domain

import (
	"net/netip"
	"strings"
)

// endsInNumber reports whether the WHATWG URL host parser reads an ASCII
// domain as an IPv4 address: its last label, after one trailing dot, is all
// decimal digits or an IPv4 number in any radix ("0x7f", "0177", "0x").
func endsInNumber(domain string) bool {
	last := strings.TrimSuffix(domain, ".")
	last = last[strings.LastIndexByte(last, '.')+1:]
	if last == "" {
		return false
	}
	_, ok := parseIPv4Number(last)
	return ok || isDecimal(last)
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseIPv4 is the WHATWG URL "IPv4 parser": one to four dot-separated
// numbers in decimal, octal (leading 0) or hex (0x), the last filling the
// remaining bytes, so 127.1, 2130706433, 0x7f000001 and 0177.0.0.1 are all
// 127.0.0.1. A trailing dot is allowed.
func parseIPv4(domain string) (netip.Addr, bool) {
	rest := strings.TrimSuffix(domain, ".")
	var numbers [4]uint64
	n := 0
	for more := true; more; n++ {
		if n == len(numbers) {
			return netip.Addr{}, false
		}
		var part string
		part, rest, more = strings.Cut(rest, ".")
		number, ok := parseIPv4Number(part)
		if !ok {
			return netip.Addr{}, false
		}
		numbers[n] = number
	}
	addr := numbers[n-1]
	if addr >= 1<<(8*(5-n)) {
		return netip.Addr{}, false
	}
	for i, number := range numbers[:n-1] {
		if number > 255 {
			return netip.Addr{}, false
		}
		addr += number << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(addr >> 24), byte(addr >> 16), byte(addr >> 8), byte(addr)}), true
}

// parseIPv4Number is the WHATWG URL "IPv4 number parser". Values past 2^33
// saturate: they are out of range for every position anyway.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) >= 2 && s[0] == '0':
		base, s = 8, s[1:]
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			return 0, false
		}
		if n < 1<<33 {
			n = n*base + d
		}
	}
	return n, true
}

func digitValue(c byte) uint64 {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0')
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 255
}
