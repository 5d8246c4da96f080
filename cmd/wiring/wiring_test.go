package wiring_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestModulesContributeChecksAndMetrics builds the api of each mode and
// reads what its modules contributed: /v1/ready checks the dependencies of
// the mode's stores (all down here: nothing listens on their ports), and
// /metrics has every mode's metrics plus those of the mode's adapters.
func TestModulesContributeChecksAndMetrics(t *testing.T) {
	t.Parallel()
	common := []string{"go_goroutines", "process_open_fds", "shortlink_cache_hits_total", "shortlink_cache_local_hits_total",
		"shortlink_cache_errors_total", "shortlink_visits_recorded_total", "shortlink_visit_pending_keys"}
	for _, tc := range []struct {
		store      string
		down       []string
		metrics    []string
		notMetrics []string
	}{
		{
			store: "postgres", down: []string{"postgres", "redis-cache", "redis-codes"},
			metrics: []string{"go_sql_open_connections", "shortlink_pool_size", "shortlink_pool_fallbacks_total"},
		},
		{
			store: "embedded", down: nil,
			notMetrics: []string{"go_sql_open_connections", "shortlink_pool_size", "shortlink_pool_fallbacks_total"},
		},
	} {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			ports, err := testkit.FreePorts(3)
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{
				"STORE": tc.store, "DATA_DIR": t.TempDir(), "API_ADDR": "127.0.0.1:0", "LOG_REQUESTS": "false", "SHUTDOWN_DRAIN": "0s",
				"DATABASE_URL":    fmt.Sprintf("postgres://postgres@127.0.0.1:%d/x?sslmode=disable&connect_timeout=1", ports[0]),
				"REDIS_CACHE_URL": fmt.Sprintf("redis://127.0.0.1:%d/0", ports[1]),
				"REDIS_CODES_URL": fmt.Sprintf("redis://127.0.0.1:%d/0", ports[2]),
			}
			cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			var (
				ready *app.Readiness
				reg   *prometheus.Registry
			)
			api := fxtest.New(t, fx.NopLogger, wiring.API(cfg),
				fx.Decorate(func(*slog.Logger) *slog.Logger { return slog.New(slog.DiscardHandler) }),
				fx.Populate(&ready, &reg))
			api.RequireStart()
			defer api.RequireStop()

			if down := ready.Down(context.Background()); !slices.Equal(down, tc.down) {
				t.Errorf("/v1/ready names %v down, want %v", down, tc.down)
			}
			families, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range families {
				names = append(names, f.GetName())
			}
			for _, name := range append(common, tc.metrics...) {
				if !slices.Contains(names, name) {
					t.Errorf("/metrics has no %s: %v", name, names)
				}
			}
			for _, name := range tc.notMetrics {
				if slices.Contains(names, name) {
					t.Errorf("/metrics has %s, which this mode does not keep", name)
				}
			}
		})
	}
}
