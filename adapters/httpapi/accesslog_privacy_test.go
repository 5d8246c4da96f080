package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
)

// TestAccessLogKeepsThePrivacyPromise: a request line carries the route
// pattern, never the path, query, referrer or user agent, and the client's
// address only with LOG_CLIENT_IP.
func TestAccessLogKeepsThePrivacyPromise(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		logClientIP bool
		fields      []string
	}{
		{false, []string{"duration_ms", "level", "method", "msg", "request_id", "route", "status", "time"}},
		{true, []string{"client_ip", "duration_ms", "level", "method", "msg", "request_id", "route", "status", "time"}},
	} {
		var out bytes.Buffer
		access := httpapi.NewAccessLog(&out)
		if err := access.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		engine, err := httpapi.NewRouter(httpapi.NewHandler(httpapi.Deps{Log: slog.New(slog.DiscardHandler)},
			httpapi.Options{PublicBaseURL: "https://sho.rt", LogRequests: true, LogClientIP: tc.logClientIP}), prometheus.NewRegistry(), access)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/v1/health?token=secret-query", nil)
		req.RemoteAddr = "203.0.113.7:4242"
		req.Header.Set("Referer", "https://private.example/path?secret=1")
		req.Header.Set("User-Agent", "Mozilla/5.0 (Secret Agent)")
		engine.ServeHTTP(httptest.NewRecorder(), req)
		if err := access.Close(context.Background()); err != nil { // writes the buffered line
			t.Fatal(err)
		}

		var line map[string]any
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatalf("access log line %q: %v", out.String(), err)
		}
		var fields []string
		for k := range line {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		if !slices.Equal(fields, tc.fields) {
			t.Errorf("LOG_CLIENT_IP=%v: fields %v, want %v", tc.logClientIP, fields, tc.fields)
		}
		for _, secret := range []string{"secret", "private.example", "Mozilla"} {
			if strings.Contains(out.String(), secret) {
				t.Errorf("the access log holds %q: %s", secret, out.String())
			}
		}
		if ip, _ := line["client_ip"].(string); tc.logClientIP && ip != "203.0.113.7" {
			t.Errorf("client_ip = %q, want 203.0.113.7", ip)
		}
		if line["route"] != "/v1/health" || line["msg"] != "request" {
			t.Errorf("line = %v", line)
		}
	}
}
