package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/domain"
)

func lookup(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestLoadDefaultsAreValidAndLocal(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIAddr != ":8000" || cfg.DefaultTTL.Duration() != 14*24*time.Hour || cfg.MaxTTL.Duration() != 365*24*time.Hour || cfg.VisitRetention != 13 ||
		cfg.MaxURLLength != 4096 || !strings.Contains(cfg.RedisCodesURL, ":6380") || cfg.ShutdownDrain != 5*time.Second {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
	if got := cfg.URLPolicy().PublicHost; got != "localhost:8080" {
		t.Fatalf("public host = %q", got)
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	t.Parallel()
	_, err := config.Load(lookup(map[string]string{
		"DEFAULT_TTL":     "800h",
		"MAX_TTL":         "720h",
		"PUBLIC_BASE_URL": "not a url",
		"LOG_LEVEL":       "loud",
		"TRUSTED_PROXIES": "10.0.0.0/8,nonsense",
		"POOL_LOW_WATER":  "5",
		"POOL_TARGET":     "1",
		"DENIED_HOSTS":    "evil.example,not a host",
		"CODE_QUARANTINE": "-1h",
		"ADMIN_KEYS":      "short",
		"SHUTDOWN_DRAIN":  "-1s",
		"NOT_FOUND_URL":   "/lost",
		"ROBOTS":          "maybe",
	}))
	if err == nil {
		t.Fatal("Load accepted a bad configuration")
	}
	for _, name := range []string{"DEFAULT_TTL", "PUBLIC_BASE_URL", "LOG_LEVEL", "TRUSTED_PROXIES", "POOL_LOW_WATER",
		"DENIED_HOSTS", "CODE_QUARANTINE", "ADMIN_KEYS", "SHUTDOWN_DRAIN", "NOT_FOUND_URL", "ROBOTS"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestLoadRejectsUnparsableValueByName(t *testing.T) {
	t.Parallel()
	_, err := config.Load(lookup(map[string]string{"CACHE_TTL": "an hour"}))
	if err == nil || !strings.Contains(err.Error(), "CACHE_TTL") {
		t.Fatalf("error = %v, want one naming CACHE_TTL", err)
	}
}

func TestTrustedProxyPrefixes(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(lookup(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"}))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := cfg.TrustedProxyPrefixes()
	if len(got) != 2 || got[0].String() != "10.0.0.0/8" || got[1].String() != "192.0.2.7/32" {
		t.Fatalf("prefixes = %v", got)
	}
}

func TestEmbeddedStorePointsShortURLsAtTheAPI(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(lookup(map[string]string{"STORE": "embedded", "API_ADDR": ":9000"}))
	if err != nil || cfg.PublicBaseURL != "http://localhost:9000" {
		t.Fatalf("PUBLIC_BASE_URL = %q, %v", cfg.PublicBaseURL, err)
	}
	cfg, _ = config.Load(lookup(map[string]string{"STORE": "embedded", "PUBLIC_BASE_URL": "https://sho.rt"}))
	if cfg.PublicBaseURL != "https://sho.rt" {
		t.Fatalf("an explicit PUBLIC_BASE_URL was overridden: %q", cfg.PublicBaseURL)
	}
	cfg, _ = config.Load(config.WithEmbeddedStore(lookup(nil)))
	if cfg.Store != "embedded" || cfg.PublicBaseURL != "http://localhost:8000" {
		t.Fatalf("WithEmbeddedStore: %+v", cfg)
	}
}

func TestEmbeddedStoreStopsWithoutADrain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vars map[string]string
		want time.Duration
	}{
		{"servers", nil, 5 * time.Second},
		{"embedded", map[string]string{"STORE": "embedded"}, 0},
		{"embedded, set", map[string]string{"STORE": "embedded", "SHUTDOWN_DRAIN": "2s"}, 2 * time.Second},
		{"servers, set to none", map[string]string{"SHUTDOWN_DRAIN": "0s"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(lookup(tc.vars))
			if err != nil || cfg.ShutdownDrain != tc.want {
				t.Fatalf("SHUTDOWN_DRAIN = %s, %v; want %s", cfg.ShutdownDrain, err, tc.want)
			}
		})
	}
}

func TestPagesForPeopleSettings(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	if cfg.NotFoundURL != "" || cfg.Robots != "disallow" {
		t.Fatalf("NOT_FOUND_URL %q, ROBOTS %q by default; want none and disallow", cfg.NotFoundURL, cfg.Robots)
	}
	cfg, err := config.Load(lookup(map[string]string{"NOT_FOUND_URL": "https://example.com/lost?from=short", "ROBOTS": "allow"}))
	if err != nil || cfg.NotFoundURL != "https://example.com/lost?from=short" || cfg.Robots != "allow" {
		t.Fatalf("NOT_FOUND_URL %q, ROBOTS %q, %v", cfg.NotFoundURL, cfg.Robots, err)
	}
	for _, bad := range []string{"example.com/lost", "ftp://example.com/", "https://", "javascript:alert(1)"} {
		if _, err := config.Load(lookup(map[string]string{"NOT_FOUND_URL": bad})); err == nil || !strings.Contains(err.Error(), "NOT_FOUND_URL") {
			t.Errorf("NOT_FOUND_URL=%s: error %v, want one naming the variable", bad, err)
		}
	}
}

func TestDefaultsHaveNoCodeSecret(t *testing.T) {
	t.Parallel()
	// No built-in secret: a data set generates its own.
	if cfg := config.Defaults(); cfg.CodeSecret != "" || cfg.CodeQuarantine != 365*24*time.Hour {
		t.Fatalf("CODE_SECRET default %q, CODE_QUARANTINE default %s", cfg.CodeSecret, cfg.CodeQuarantine)
	}
}

func TestByteSizes(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]config.ByteSize{"2097152": 2 << 20, "4096KiB": 4 << 20, "16MiB": 16 << 20, "1GiB": 1 << 30} {
		cfg, err := config.Load(lookup(map[string]string{"LOCAL_CACHE_BYTES": raw}))
		if err != nil || cfg.LocalCacheBytes != want {
			t.Errorf("LOCAL_CACHE_BYTES=%s: %v, %v; want %d", raw, cfg.LocalCacheBytes, err, want)
		}
	}
	for _, raw := range []string{"16MB", "lots", "-1", "512"} {
		if _, err := config.Load(lookup(map[string]string{"LOCAL_CACHE_BYTES": raw})); err == nil || !strings.Contains(err.Error(), "LOCAL_CACHE_BYTES") {
			t.Errorf("LOCAL_CACHE_BYTES=%s: error %v, want one naming the variable", raw, err)
		}
	}
}

func TestDatabasePasswordGoesIntoTheURL(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(lookup(map[string]string{
		"DATABASE_URL": "postgres://app@db.internal:5432/shortlink?sslmode=require", "DATABASE_PASSWORD": "p@ss/word",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.DatabaseConnURL(); got != "postgres://app:p%40ss%2Fword@db.internal:5432/shortlink?sslmode=require" {
		t.Fatalf("DatabaseConnURL = %q", got)
	}
}

func TestGoMemLimitTakesGoSyntax(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]config.MemoryLimit{
		"off": {Off: true}, "64MiB": {ByteSize: 64 << 20}, "1GiB": {ByteSize: 1 << 30},
	} {
		cfg, err := config.Load(lookup(map[string]string{"GOMEMLIMIT": raw}))
		if err != nil || cfg.GoMemLimit != want {
			t.Errorf("GOMEMLIMIT=%s: %+v, %v; want %+v", raw, cfg.GoMemLimit, err, want)
		}
	}
	if _, err := config.Load(lookup(map[string]string{"GOMEMLIMIT": "1MiB"})); err == nil {
		t.Error("GOMEMLIMIT=1MiB was accepted")
	}
}

func TestLifetimesMayBeNever(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(lookup(map[string]string{"MAX_TTL": "never", "DEFAULT_TTL": "never"}))
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.ExpiryPolicy(); p.Default != domain.Forever || !p.AllowsPermanent() {
		t.Fatalf("MAX_TTL=DEFAULT_TTL=never: policy %+v", p)
	}
	if cfg, err = config.Load(lookup(map[string]string{"MAX_TTL": "never"})); err != nil || cfg.DefaultTTL.Duration() != 14*24*time.Hour {
		t.Fatalf("MAX_TTL=never alone: %v, default %s", err, cfg.DefaultTTL)
	}
	_, err = config.Load(lookup(map[string]string{"DEFAULT_TTL": "never"}))
	if err == nil || !strings.Contains(err.Error(), "DEFAULT_TTL (never) must not exceed MAX_TTL (8760h0m0s)") {
		t.Fatalf("DEFAULT_TTL=never under a bounded MAX_TTL: %v", err)
	}
	for _, bad := range []string{"Never", "forever", "-1h", "0s"} {
		if _, err := config.Load(lookup(map[string]string{"MAX_TTL": bad})); err == nil || !strings.Contains(err.Error(), "MAX_TTL") {
			t.Errorf("MAX_TTL=%s: %v", bad, err)
		}
	}
	if _, err := config.Load(lookup(map[string]string{"VISIT_RETENTION": "0"})); err == nil || !strings.Contains(err.Error(), "VISIT_RETENTION") {
		t.Errorf("VISIT_RETENTION=0: %v", err)
	}
}
