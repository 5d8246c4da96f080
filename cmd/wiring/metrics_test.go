package wiring_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestMetricsListener: in each mode, with and without METRICS_ADDR, the
// api's own listener serves /metrics only in server mode without it (the
// front door refuses it there); otherwise it answers 404 no_route as the
// front door does, and the listener METRICS_ADDR names serves it.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		store        string
		metricsAddr  bool
		metricsOnAPI bool
	}{
		{"postgres", false, true},
		{"postgres", true, false},
		{"embedded", false, false},
		{"embedded", true, false},
	} {
		t.Run(fmt.Sprintf("%s, METRICS_ADDR %v", tc.store, tc.metricsAddr), func(t *testing.T) {
			t.Parallel()
			ports, err := testkit.FreePorts(4)
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{
				"STORE": tc.store, "DATA_DIR": t.TempDir(), "API_ADDR": "127.0.0.1:0", "LOG_REQUESTS": "false", "SHUTDOWN_DRAIN": "0s",
				"DATABASE_URL":    fmt.Sprintf("postgres://postgres@127.0.0.1:%d/x?sslmode=disable&connect_timeout=1", ports[0]),
				"REDIS_CACHE_URL": fmt.Sprintf("redis://127.0.0.1:%d/0", ports[1]),
				"REDIS_CODES_URL": fmt.Sprintf("redis://127.0.0.1:%d/0", ports[2]),
			}
			metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[3])
			if tc.metricsAddr {
				env["METRICS_ADDR"] = fmt.Sprintf("127.0.0.1:%d", ports[3])
			}
			cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			var server *httpapi.Server
			api := fxtest.New(t, fx.NopLogger, wiring.API(cfg),
				fx.Decorate(func(*slog.Logger) *slog.Logger { return slog.New(slog.DiscardHandler) }),
				fx.Populate(&server))
			api.RequireStart()
			defer api.RequireStop()

			onAPI := testkit.Send(nil, http.MethodGet, "http://"+server.Addr().String()+"/metrics", "", nil, nil)
			switch {
			case tc.metricsOnAPI && (onAPI.Status != http.StatusOK || !strings.Contains(string(onAPI.Body), "go_goroutines")):
				t.Errorf("the api's listener: GET /metrics = %s, want the metrics", onAPI)
			case !tc.metricsOnAPI && (onAPI.Status != http.StatusNotFound || onAPI.Reason() != "no_route"):
				t.Errorf("the api's listener: GET /metrics = %s, want 404 no_route", onAPI)
			}
			own := testkit.Send(nil, http.MethodGet, metricsURL, "", nil, nil)
			switch {
			case tc.metricsAddr && (own.Status != http.StatusOK || !strings.Contains(string(own.Body), "shortlink_http_requests_total")):
				t.Errorf("METRICS_ADDR's listener: GET /metrics = %s, want the metrics", own)
			case !tc.metricsAddr && own.Err == nil:
				t.Errorf("something listens on %s although METRICS_ADDR is unset: %s", metricsURL, own)
			}
		})
	}
}
