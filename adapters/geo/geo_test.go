package geo_test

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/shortlink/shortlink/adapters/geo"
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
