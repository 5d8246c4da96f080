package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/app/config"
)

// TestEmbeddedModeTrustsLess: with nothing in front of it, embedded mode
// trusts no proxy and serves /metrics on no public listener unless told
// to; server mode keeps its defaults (nginx on the same host, /metrics on
// the api's port, which the front door refuses). METRICS_ADDR moves
// /metrics off the api's listener in both modes, and an explicit
// TRUSTED_PROXIES is kept in both, an empty one meaning none.
func TestEmbeddedModeTrustsLess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		env          map[string]string
		proxies      []string
		metricsOnAPI bool
	}{
		{"server defaults", nil, []string{"127.0.0.1/32", "::1/128"}, true},
		{"server with METRICS_ADDR", map[string]string{"METRICS_ADDR": "127.0.0.1:9100"}, []string{"127.0.0.1/32", "::1/128"}, false},
		{"embedded defaults", map[string]string{"STORE": "embedded"}, nil, false},
		{"embedded with METRICS_ADDR", map[string]string{"STORE": "embedded", "METRICS_ADDR": ":9100"}, nil, false},
		{"embedded with proxies", map[string]string{"STORE": "embedded", "TRUSTED_PROXIES": "10.0.0.1"}, []string{"10.0.0.1/32"}, false},
		{"embedded, proxies set empty", map[string]string{"STORE": "embedded", "TRUSTED_PROXIES": ""}, nil, false},
		{"server, proxies set empty", map[string]string{"TRUSTED_PROXIES": " "}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(lookup(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			prefixes, _ := cfg.TrustedProxyPrefixes()
			var got []string
			for _, p := range prefixes {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.proxies) {
				t.Errorf("trusted proxies = %v, want %v", got, tc.proxies)
			}
			if cfg.MetricsOnAPIListener() != tc.metricsOnAPI {
				t.Errorf("/metrics on the api's listener = %v, want %v", cfg.MetricsOnAPIListener(), tc.metricsOnAPI)
			}
		})
	}
	cfg, err := config.Load(config.WithEmbeddedStore(lookup(nil))) // api -embedded
	if err != nil || len(cfg.TrustedProxies) != 0 || cfg.MetricsOnAPIListener() {
		t.Fatalf("api -embedded: proxies %v, metrics on the api %v, %v", cfg.TrustedProxies, cfg.MetricsOnAPIListener(), err)
	}
}

func TestMetricsAddrMustBeAListenerOfItsOwn(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"9100", "localhost", ":8000", "host:"} {
		if _, err := config.Load(lookup(map[string]string{"METRICS_ADDR": raw})); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
			t.Errorf("METRICS_ADDR=%s: error %v, want one naming the variable", raw, err)
		}
	}
}
