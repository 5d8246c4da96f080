package httpapi

import (
	"net"
	"net/netip"
	"strconv"
)

// openURL is the URL a person on this machine opens to reach a server
// listening on addr: localhost when it listens on every address, else the
// address itself.
func openURL(addr net.Addr) string {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ap.Addr().IsUnspecified() {
		return "http://localhost:" + strconv.Itoa(int(ap.Port())) + "/"
	}
	return "http://" + netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String() + "/"
}
