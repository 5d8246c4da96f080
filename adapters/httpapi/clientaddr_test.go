package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestClientAddrAgreesWithGin: the allocation-free client address is the
// one gin's ClientIP (rate limits, logs) finds, with and without trusted
// proxies.
func TestClientAddrAgreesWithGin(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	h := &Handler{opts: Options{TrustedProxies: proxies}}
	engine := gin.New()
	if err := engine.SetTrustedProxies([]string{"10.0.0.0/8", "::1/128"}); err != nil {
		t.Fatal(err)
	}
	engine.RemoteIPHeaders = []string{"X-Forwarded-For"}
	for _, tc := range []struct{ name, remote, forwarded, want string }{
		{"direct client", "198.51.100.7:5000", "", "198.51.100.7"},
		{"untrusted peer's header ignored", "198.51.100.7:5000", "203.0.113.9", "198.51.100.7"},
		{"trusted proxy", "10.0.0.2:5000", "203.0.113.9", "203.0.113.9"},
		{"trusted proxy chain", "10.0.0.2:5000", "203.0.113.9, 10.1.1.1", "203.0.113.9"},
		{"forged leftmost entry", "10.0.0.2:5000", "1.2.3.4, 203.0.113.9", "203.0.113.9"},
		{"all trusted: leftmost", "10.0.0.2:5000", "10.3.3.3, 10.1.1.1", "10.3.3.3"},
		{"garbage entry: the peer", "10.0.0.2:5000", "nonsense", "10.0.0.2"},
		{"IPv6 proxy", "[::1]:5000", "2001:db8::5", "2001:db8::5"},
		{"IPv4-mapped peer", "[::ffff:198.51.100.7]:5000", "", "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/abc", nil)
			r.RemoteAddr = tc.remote
			if tc.forwarded != "" {
				r.Header.Set("X-Forwarded-For", tc.forwarded)
			}
			got := h.clientAddr(r)
			if got.String() != tc.want {
				t.Errorf("clientAddr = %s, want %s", got, tc.want)
			}
			c := gin.CreateTestContextOnly(httptest.NewRecorder(), engine)
			c.Request = r
			if ginIP, err := netip.ParseAddr(c.ClientIP()); err != nil || ginIP.Unmap() != got {
				t.Errorf("gin's ClientIP is %s, clientAddr %s", c.ClientIP(), got)
			}
		})
	}
}

func TestClientAddrAllocatesNothing(t *testing.T) {
	h := &Handler{opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	r := httptest.NewRequest(http.MethodGet, "/abc", nil)
	r.RemoteAddr = "10.0.0.2:5000"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 10.1.1.1")
	if n := testing.AllocsPerRun(100, func() { h.clientAddr(r) }); n != 0 {
		t.Errorf("clientAddr allocates %.0f times", n)
	}
}
