package httpapi

import (
	"net"
	"testing"
)

func TestOpenURL(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"[::]:8000":            "http://localhost:8000/",
		"0.0.0.0:8000":         "http://localhost:8000/",
		"127.0.0.1:18123":      "http://127.0.0.1:18123/",
		"[::1]:8000":           "http://[::1]:8000/",
		"[::ffff:10.0.0.1]:80": "http://10.0.0.1:80/",
		"192.0.2.7:8000":       "http://192.0.2.7:8000/",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := openURL(tcp); got != want {
			t.Errorf("openURL(%s) = %q, want %q", addr, got, want)
		}
	}
}
