package httpapi

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the client's address as gin's ClientIP finds it (the
// peer's, unless the peer is a trusted proxy: then the X-Forwarded-For
// entry nearest the client that no trusted proxy added), without the
// allocations of ClientIP: the redirect path counts visits by it. The zero
// Addr when the peer's address does not parse.
func (h *Handler) clientAddr(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := peer.Addr().Unmap()
	if !h.trustedProxy(addr) {
		return addr
	}
	forwarded := r.Header["X-Forwarded-For"]
	if len(forwarded) == 0 {
		return addr
	}
	items := forwarded[0]
	for items != "" { // from the right, as gin walks them
		item := items
		if i := strings.LastIndexByte(items, ','); i >= 0 {
			item, items = items[i+1:], items[:i]
		} else {
			items = ""
		}
		ip, err := netip.ParseAddr(strings.TrimSpace(item))
		if err != nil {
			return addr
		}
		ip = ip.Unmap()
		if items == "" || !h.trustedProxy(ip) {
			return ip
		}
	}
	return addr
}

func (h *Handler) trustedProxy(addr netip.Addr) bool {
	for _, p := range h.opts.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
