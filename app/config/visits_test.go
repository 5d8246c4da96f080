package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app/config"
)

func TestVisitSettings(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	if cfg.VisitFlushInterval != time.Second || cfg.VisitPendingKeys != 100_000 || cfg.LogClientIP {
		t.Fatalf("visit defaults = %s, %d, LOG_CLIENT_IP %v; want 1s, 100000, false", cfg.VisitFlushInterval, cfg.VisitPendingKeys, cfg.LogClientIP)
	}
	cfg, err := config.Load(lookup(map[string]string{"VISIT_PENDING_KEYS": "0", "VISIT_FLUSH_INTERVAL": "250ms", "LOG_CLIENT_IP": "true"}))
	if err != nil || cfg.VisitPendingKeys != 0 || cfg.VisitFlushInterval != 250*time.Millisecond || !cfg.LogClientIP {
		t.Fatalf("Load = %+v, %v", cfg, err)
	}
	for _, tc := range []struct{ name, value string }{
		{"VISIT_FLUSH_INTERVAL", "0s"},
		{"VISIT_FLUSH_INTERVAL", "2m"},
		{"VISIT_FLUSH_INTERVAL", "soon"},
		{"VISIT_PENDING_KEYS", "-1"},
		{"LOG_CLIENT_IP", "maybe"},
	} {
		if _, err := config.Load(lookup(map[string]string{tc.name: tc.value})); err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s=%s: error = %v, want one naming %s", tc.name, tc.value, err, tc.name)
		}
	}
}
