package geo_test

import (
	"net/netip"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/phuslu/iploc"

	"github.com/shortlink/shortlink/adapters/geo"
	"github.com/shortlink/shortlink/domain"
)

func TestCountry(t *testing.T) {
	t.Parallel()
	l, err := geo.New(geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, addr, want string }{
		{"public IPv4", "8.8.8.8", "US"},
		{"public IPv4 in Germany", "193.99.144.80", "DE"},
		{"public IPv4 in Japan", "133.242.0.1", "JP"},
		{"IPv4 mapped in IPv6", "::ffff:193.99.144.80", "DE"},
		{"public IPv6", "2a00:1450:4001:80b::200e", "DE"},
		{"private", "10.1.2.3", "XX"},
		{"loopback", "127.0.0.1", "XX"},
		{"IPv6 loopback", "::1", "XX"},
		{"link-local", "fe80::1", "XX"},
		{"unique local", "fd00::1", "XX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := l.Country(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("Country(%s) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
	if got := l.Country(netip.Addr{}); got != "XX" {
		t.Errorf("Country(no address) = %q, want XX", got)
	}
}

func TestCountryAllocatesNothing(t *testing.T) {
	l, _ := geo.New(geo.Options{})
	addrs := []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("2a00:1450:4001:80b::200e")}
	l.Country(addrs[1]) // the IPv6 table is unpacked on first use
	if n := testing.AllocsPerRun(100, func() { l.Country(addrs[0]); l.Country(addrs[1]) }); n != 0 {
		t.Errorf("a lookup allocates %.0f times", n)
	}
}

func TestMissingDBFileFailsAtStart(t *testing.T) {
	t.Parallel()
	if _, err := geo.New(geo.Options{DBPath: filepath.Join(t.TempDir(), "none.mmdb")}); err == nil {
		t.Fatal("a GEOIP_DB that does not exist was accepted")
	}
}

// TestIPv4IndexMatchesIploc asks the package's IPv4 index and iploc about
// the first address of every range, the one before it, and random
// addresses: the two must agree everywhere.
func TestIPv4IndexMatchesIploc(t *testing.T) {
	agreeWithIploc(t, geo.IPv4Probes(100000), 500000, geo.IPv4Country)
}

// TestIPv6TableMatchesIploc asks the package's own IPv6 table and iploc's
// about the first address of every range, the one before it, and random
// addresses: the two must agree everywhere outside ::ffff:0:0/96.
func TestIPv6TableMatchesIploc(t *testing.T) {
	agreeWithIploc(t, geo.IPv6Probes(20000), 20000, geo.IPv6Country)
}

// agreeWithIploc fails t unless there are at least least probes and
// country answers each as iploc does.
func agreeWithIploc(t *testing.T, probes []netip.Addr, least int, country func(netip.Addr) string) {
	t.Helper()
	if len(probes) < least {
		t.Fatalf("only %d probes", len(probes))
	}
	for _, a := range probes {
		if got, want := country(a), domain.CountryCode(iploc.IPCountry(a)); got != want {
			t.Fatalf("Country(%s) = %q, iploc says %q", a, got, want)
		}
	}
}

// TestIPv6TableIsOffTheHeap builds the IPv6 table and measures the live
// heap before and after: the 7 MB of ranges must not be in it, where the
// collector would count them against GOMEMLIMIT.
func TestIPv6TableIsOffTheHeap(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "freebsd" {
		t.Skip("the table is off the heap only where the system has anonymous mappings")
	}
	live := func() uint64 {
		runtime.GC()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	before := live()
	n := geo.BuildIPv6Table()
	after := live()
	if n < 400000 {
		t.Fatalf("the table holds %d ranges, want the 414 000 outside ::ffff:0:0/96", n)
	}
	if after > before+1<<20 {
		t.Errorf("the live heap grew by %d bytes with the IPv6 table", after-before)
	}
}
