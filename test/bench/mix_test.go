package bench

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// mixedClients are request headers like those lua/common.lua draws: each
// user agent of lua/useragents.txt (bots without Referer and
// Accept-Language), client addresses of several countries (IPv6 too)
// behind the trusted proxy, languages with q-values, referrers or none.
func mixedClients(tb testing.TB) []map[string]string {
	tb.Helper()
	f, err := os.Open("lua/useragents.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	addresses := []string{"73.42.118.9", "79.211.4.77", "2601:5c4:8301:a0::3e", "126.13.200.41", "49.36.87.150", "177.92.3.18", "2409:40e3:101d:9f2::1"}
	languages := []string{"en-US,en;q=0.9", "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", "ja,en-US;q=0.9,en;q=0.8"}
	referers := []string{"", "https://t.co/", "https://www.google.com/", "", "https://l.instagram.com/"}
	var clients []map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 3)
		if len(fields) != 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		n := len(clients)
		h := map[string]string{"User-Agent": fields[2], "X-Forwarded-For": addresses[n%len(addresses)], "Accept": "*/*"}
		if fields[1] != "bot" {
			h["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
			h["Accept-Encoding"] = "gzip, deflate, br, zstd"
			h["Accept-Language"] = languages[n%len(languages)]
			if r := referers[n%len(referers)]; r != "" {
				h["Referer"] = r
			}
		}
		clients = append(clients, h)
	}
	if err := sc.Err(); err != nil || len(clients) < 60 {
		tb.Fatalf("lua/useragents.txt: %d agents (%v), want at least 60", len(clients), err)
	}
	return clients
}

// mixedRequest is GET path as client sends it through a trusted proxy
// (loopback, as nginx), its address in X-Forwarded-For.
func mixedRequest(path string, client map[string]string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	for name, value := range client {
		req.Header[name] = []string{value}
	}
	return req
}
