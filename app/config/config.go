// Package config is the one place the service reads its environment: one
// struct, parsed and validated once at start, then handed out by fx.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/shortlink/shortlink/domain"
)

// Config is every setting of the api and batch processes. docs/configuration.md
// lists the same variables and defaults (test/doccheck checks it).
type Config struct {
	APIAddr     string `env:"API_ADDR" envDefault:":8000"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/shortlink?sslmode=disable"`
	// DatabasePassword, when set, replaces the password in DatabaseURL.
	DatabasePassword string `env:"DATABASE_PASSWORD"`
	RedisCacheURL    string `env:"REDIS_CACHE_URL" envDefault:"redis://127.0.0.1:6379/0"`
	RedisCodesURL    string `env:"REDIS_CODES_URL" envDefault:"redis://127.0.0.1:6380/0"`
	PublicBaseURL    string `env:"PUBLIC_BASE_URL" envDefault:"http://localhost:8080"`

	// DefaultTTL and MaxTTL may be "never" (permanent links).
	DefaultTTL       Lifetime      `env:"DEFAULT_TTL" envDefault:"336h"`
	MaxTTL           Lifetime      `env:"MAX_TTL" envDefault:"8760h"`
	CacheTTL         time.Duration `env:"CACHE_TTL" envDefault:"1h"`
	NegativeCacheTTL time.Duration `env:"NEGATIVE_CACHE_TTL" envDefault:"10s"`
	MaxURLLength     int           `env:"MAX_URL_LENGTH" envDefault:"4096"`
	DeniedHosts      []string      `env:"DENIED_HOSTS" envSeparator:","`
	// ForwardQueryDefault is a create's forward_query when it sends none.
	ForwardQueryDefault bool `env:"FORWARD_QUERY_DEFAULT" envDefault:"false"`
	// CodeSecret has no default: unset, the data set's generated secret is used.
	CodeSecret       string        `env:"CODE_SECRET"`
	CodeSecretRotate bool          `env:"CODE_SECRET_ROTATE" envDefault:"false"`
	CodeQuarantine   time.Duration `env:"CODE_QUARANTINE" envDefault:"8760h"`

	PoolTarget    int64         `env:"POOL_TARGET" envDefault:"100000"`
	PoolLowWater  int64         `env:"POOL_LOW_WATER" envDefault:"20000"`
	PoolTakeBatch int           `env:"POOL_TAKE_BATCH" envDefault:"64"`
	BatchInterval time.Duration `env:"BATCH_INTERVAL" envDefault:"10s"`

	DBMaxOpenConns int `env:"DB_MAX_OPEN_CONNS" envDefault:"16"`
	// DBInsertWorkers is how many batches of creates may be in flight at
	// once: one makes the largest batches. DBLookupWorkers is the same for
	// cache misses: on two cores, two made the fewest, largest batches and
	// the least CPU per lookup.
	DBInsertWorkers int           `env:"DB_INSERT_WORKERS" envDefault:"1"`
	DBLookupWorkers int           `env:"DB_LOOKUP_WORKERS" envDefault:"2"`
	RedisTimeout    time.Duration `env:"REDIS_TIMEOUT" envDefault:"200ms"`
	RequestTimeout  time.Duration `env:"REQUEST_TIMEOUT" envDefault:"5s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
	// ShutdownDrain's default is for servers behind a load balancer; in
	// embedded mode, unless set, it is 0 (embeddedShutdownDrain).
	ShutdownDrain time.Duration `env:"SHUTDOWN_DRAIN" envDefault:"5s"`
	LogLevel      string        `env:"LOG_LEVEL" envDefault:"info"`
	LogRequests   bool          `env:"LOG_REQUESTS" envDefault:"true"`
	LogClientIP   bool          `env:"LOG_CLIENT_IP" envDefault:"false"`

	CreateRateLimit int      `env:"CREATE_RATE_LIMIT" envDefault:"0"`
	MissRateLimit   int      `env:"MISS_RATE_LIMIT" envDefault:"0"`
	TrustedProxies  []string `env:"TRUSTED_PROXIES" envSeparator:"," envDefault:"127.0.0.1/32,::1/128"`
	APIKeys         []string `env:"API_KEYS" envSeparator:","`
	AdminKeys       []string `env:"ADMIN_KEYS" envSeparator:","`
	// AnonymousCreate lets a create without any key through (the
	// original's open API); false requires an API_KEYS, workspace or admin key.
	AnonymousCreate bool `env:"ANONYMOUS_CREATE" envDefault:"true"`

	LocalCacheBytes ByteSize `env:"LOCAL_CACHE_BYTES" envDefault:"16MiB"`
	// GoMemLimit is Go's own GOMEMLIMIT (the runtime reads it too); the api
	// applies this default when it is unset, so the heap is collected
	// before the process outgrows a small task.
	GoMemLimit     MemoryLimit `env:"GOMEMLIMIT" envDefault:"48MiB"`
	MaxConnections int         `env:"MAX_CONNECTIONS" envDefault:"0"`
	// MetricsAddr, when set, is the separate listener /metrics is served on
	// (and then only there); see MetricsOnAPIListener for when it is unset.
	MetricsAddr string `env:"METRICS_ADDR"`

	// VisitFlushInterval is how often each api writes the visits it counted;
	// VisitPendingKeys bounds the (link, hour) keys it holds meanwhile (0:
	// no visit counting).
	VisitFlushInterval time.Duration `env:"VISIT_FLUSH_INTERVAL" envDefault:"1s"`
	VisitPendingKeys   int           `env:"VISIT_PENDING_KEYS" envDefault:"100000"`
	// VisitPendingBytes bounds the memory of what it holds, sketches and
	// visitor hashes included.
	VisitPendingBytes ByteSize `env:"VISIT_PENDING_BYTES" envDefault:"16MiB"`
	// VisitUniquesInterval is how often it merges visitor hashes into the
	// unique-visitor sketches, whose every rewrite costs the same however
	// few hashes it adds.
	VisitUniquesInterval time.Duration `env:"VISIT_UNIQUES_INTERVAL" envDefault:"30s"`
	// VisitDimensions counts countries, devices, browsers, OSes, campaigns
	// and daily unique visitors beside humans, bots and referrers. Off by
	// default while it costs a redirect more than the performance budget
	// allows (+18–26 % server CPU on a busy VM against ≤ 5 %; docs/performance.md).
	VisitDimensions bool `env:"VISIT_DIMENSIONS" envDefault:"false"`
	// GeoIPDB names an MMDB file (GeoLite2 or DB-IP Country) to place
	// visitors' addresses in countries with, instead of the embedded data.
	GeoIPDB string `env:"GEOIP_DB"`
	// VisitRetention is how many months of visit counters `partitions
	// --prune` (and embedded mode's sweeper) keep, counted by the month of
	// the visit.
	VisitRetention int `env:"VISIT_RETENTION" envDefault:"13"`

	Store   string `env:"STORE" envDefault:"postgres"`
	DataDir string `env:"DATA_DIR" envDefault:"./data"`

	// NotFoundURL, when set, is where browsers asking for an unknown or
	// expired code are sent instead of the 404 page.
	NotFoundURL string `env:"NOT_FOUND_URL"`
	// Robots is what /robots.txt tells crawlers: disallow (stay out) or
	// allow (all but the API and the page's assets).
	Robots string `env:"ROBOTS" envDefault:"disallow"`
}

// embeddedShutdownDrain is SHUTDOWN_DRAIN's default in embedded mode: one
// process on one machine, with no load balancer to move its clients
// elsewhere first, so Ctrl-C stops it at once.
const embeddedShutdownDrain = 0

// Load reads the environment through lookup (os.LookupEnv in production) and
// validates the result. Errors name the offending variables.
func Load(lookup func(string) (string, bool)) (Config, error) {
	return load(lookup)
}

// Defaults is the configuration of an empty environment: every default, in
// the one place defaults are written (the struct tags above).
func Defaults() Config {
	cfg, err := load(func(string) (string, bool) { return "", false })
	if err != nil {
		panic("config: the defaults do not validate: " + err.Error())
	}
	return cfg
}

// WithEmbeddedStore wraps lookup so STORE reads "embedded", as the api's
// -embedded flag asks, leaving every other variable as it was.
func WithEmbeddedStore(lookup func(string) (string, bool)) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if name == "STORE" {
			return "embedded", true
		}
		return lookup(name)
	}
}

func load(lookup func(string) (string, bool)) (Config, error) {
	environ := map[string]string{}
	for _, name := range variableNames() {
		if v, ok := lookup(name); ok {
			environ[name] = v
		}
	}
	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: environ}); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", nameVariables(err))
	}
	proxies, proxiesSet := environ["TRUSTED_PROXIES"]
	if proxiesSet && strings.TrimSpace(proxies) == "" {
		cfg.TrustedProxies = nil // set empty: none (the env library would give the default)
	}
	if cfg.Store == "embedded" { // no nginx in front of embedded mode
		if _, set := environ["PUBLIC_BASE_URL"]; !set {
			cfg.PublicBaseURL = cfg.directBaseURL()
		}
		if !proxiesSet {
			// The default names the nginx on the same host in server mode.
			// Here a local tunnel or sidecar would make every client a
			// trusted proxy, free to pick its address in X-Forwarded-For.
			cfg.TrustedProxies = nil
		}
	}
	if _, set := environ["SHUTDOWN_DRAIN"]; !set && cfg.Store == "embedded" {
		cfg.ShutdownDrain = embeddedShutdownDrain
	}
	if err := cfg.validate(); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// nameVariables rewrites the env library's parse errors, which name Go
// fields, to name the environment variables an operator actually sets.
func nameVariables(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	keys := map[string]string{}
	fields := reflect.TypeFor[Config]()
	for i := range fields.NumField() {
		keys[fields.Field(i).Name] = fields.Field(i).Tag.Get("env")
	}
	errs := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var perr env.ParseError
		if errors.As(e, &perr) {
			e = fmt.Errorf("%s: %w", keys[perr.Name], perr.Err)
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

func variableNames() []string {
	params, _ := env.GetFieldParams(&Config{})
	names := make([]string, 0, len(params))
	for _, p := range params {
		names = append(names, p.Key)
	}
	return names
}

func (c Config) validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s %s", name, fmt.Sprintf(format, args...)))
	}
	for name, d := range map[string]time.Duration{
		"CACHE_TTL":          c.CacheTTL,
		"NEGATIVE_CACHE_TTL": c.NegativeCacheTTL, "BATCH_INTERVAL": c.BatchInterval,
		"REDIS_TIMEOUT": c.RedisTimeout, "SHUTDOWN_TIMEOUT": c.ShutdownTimeout, "REQUEST_TIMEOUT": c.RequestTimeout,
	} {
		if d <= 0 {
			bad(name, "must be a positive duration such as 10s or 336h, got %s", d)
		}
	}
	if c.ShutdownDrain < 0 {
		bad("SHUTDOWN_DRAIN", "must be 0 (no drain) or a positive duration such as 5s, got %s", c.ShutdownDrain)
	}
	for name, l := range map[string]Lifetime{"DEFAULT_TTL": c.DefaultTTL, "MAX_TTL": c.MaxTTL} {
		if l <= 0 {
			bad(name, "must be a positive duration such as 336h, or never, got %s", l)
		}
	}
	if c.VisitRetention < 1 || c.VisitRetention > 1200 {
		bad("VISIT_RETENTION", "must be a number of months between 1 and 1200, got %d", c.VisitRetention)
	}
	if c.DefaultTTL > c.MaxTTL {
		bad("DEFAULT_TTL", "(%s) must not exceed MAX_TTL (%s)", c.DefaultTTL, c.MaxTTL)
	}
	if _, err := domain.PublicHostOf(c.PublicBaseURL); err != nil {
		bad("PUBLIC_BASE_URL", "must be an absolute http(s) URL, got %q", c.PublicBaseURL)
	}
	if err := (domain.URLPolicy{DeniedHosts: c.DeniedHosts}).Validate(); err != nil {
		bad("DENIED_HOSTS", "%v", err)
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL", "must be a postgres:// URL")
	}
	for name, raw := range map[string]string{"REDIS_CACHE_URL": c.RedisCacheURL, "REDIS_CODES_URL": c.RedisCodesURL} {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad(name, "must be a redis:// or rediss:// URL")
		}
	}
	if c.MaxURLLength < 16 || c.MaxURLLength > 16*1024 {
		bad("MAX_URL_LENGTH", "must be between 16 and 16384, got %d", c.MaxURLLength)
	}
	if c.PoolTarget < 1 || c.PoolLowWater < 0 || c.PoolLowWater > c.PoolTarget {
		bad("POOL_LOW_WATER", "(%d) must be between 0 and POOL_TARGET (%d), and POOL_TARGET positive", c.PoolLowWater, c.PoolTarget)
	}
	if c.PoolTakeBatch < 1 || c.PoolTakeBatch > 10_000 {
		bad("POOL_TAKE_BATCH", "must be between 1 and 10000, got %d", c.PoolTakeBatch)
	}
	if c.DBMaxOpenConns < 1 {
		bad("DB_MAX_OPEN_CONNS", "must be at least 1, got %d", c.DBMaxOpenConns)
	}
	if c.DBLookupWorkers < 1 || c.DBLookupWorkers > c.DBMaxOpenConns {
		bad("DB_LOOKUP_WORKERS", "must be between 1 and DB_MAX_OPEN_CONNS (%d), got %d", c.DBMaxOpenConns, c.DBLookupWorkers)
	}
	if c.DBInsertWorkers < 1 || c.DBInsertWorkers > c.DBMaxOpenConns {
		bad("DB_INSERT_WORKERS", "must be between 1 and DB_MAX_OPEN_CONNS (%d), got %d", c.DBMaxOpenConns, c.DBInsertWorkers)
	}
	if c.CreateRateLimit < 0 {
		bad("CREATE_RATE_LIMIT", "must be 0 (off) or a positive number of creates per minute, got %d", c.CreateRateLimit)
	}
	if c.CodeQuarantine < 0 {
		bad("CODE_QUARANTINE", "must be 0 (codes are never reused) or a positive duration, got %s", c.CodeQuarantine)
	}
	if c.MissRateLimit < 0 {
		bad("MISS_RATE_LIMIT", "must be 0 (off) or a positive number of lookups per minute, got %d", c.MissRateLimit)
	}
	if c.LocalCacheBytes < 1<<20 {
		bad("LOCAL_CACHE_BYTES", "must be at least 1MiB, got %s", c.LocalCacheBytes)
	}
	if !c.GoMemLimit.Off && c.GoMemLimit.ByteSize < 16<<20 {
		bad("GOMEMLIMIT", "must be off or at least 16MiB, got %s", c.GoMemLimit)
	}
	if c.MaxConnections < 0 {
		bad("MAX_CONNECTIONS", "must be 0 (from the open-file limit) or a positive number, got %d", c.MaxConnections)
	}
	if _, err := c.SlogLevel(); err != nil {
		bad("LOG_LEVEL", "must be one of debug, info, warn, error, got %q", c.LogLevel)
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			bad("METRICS_ADDR", "must be a host:port or :port to listen on, got %q", c.MetricsAddr)
		} else if c.MetricsAddr == c.APIAddr {
			bad("METRICS_ADDR", "must differ from API_ADDR (%s): it is a listener of its own", c.APIAddr)
		}
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		bad("TRUSTED_PROXIES", "%v", err)
	}
	for name, keys := range map[string][]string{"API_KEYS": c.APIKeys, "ADMIN_KEYS": c.AdminKeys} {
		for _, key := range keys {
			if len(strings.TrimSpace(key)) < 16 {
				bad(name, "entries must be at least 16 characters long")
				break
			}
		}
	}
	if c.VisitFlushInterval < 10*time.Millisecond || c.VisitFlushInterval > time.Minute {
		bad("VISIT_FLUSH_INTERVAL", "must be a duration between 10ms and 1m, got %s", c.VisitFlushInterval)
	}
	if c.VisitUniquesInterval < 10*time.Millisecond || c.VisitUniquesInterval > time.Hour {
		bad("VISIT_UNIQUES_INTERVAL", "must be a duration between 10ms and 1h, got %s", c.VisitUniquesInterval)
	}
	if c.VisitPendingBytes < 1<<20 || c.VisitPendingBytes > 1<<40 {
		bad("VISIT_PENDING_BYTES", "must be a size between 1MiB and 1TiB, got %s", c.VisitPendingBytes)
	}
	if c.VisitPendingKeys < 0 || c.VisitPendingKeys > 10_000_000 {
		bad("VISIT_PENDING_KEYS", "must be 0 (no visit counting) or up to 10000000, got %d", c.VisitPendingKeys)
	}
	if c.NotFoundURL != "" {
		if u, err := url.Parse(c.NotFoundURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("NOT_FOUND_URL", "must be an absolute http(s) URL, got %q", c.NotFoundURL)
		}
	}
	if c.Robots != "disallow" && c.Robots != "allow" {
		bad("ROBOTS", "must be disallow or allow, got %q", c.Robots)
	}
	if c.Store != "postgres" && c.Store != "embedded" {
		bad("STORE", "must be postgres or embedded, got %q", c.Store)
	}
	return errors.Join(errs...)
}

// directBaseURL is http://localhost:<API_ADDR port>.
func (c Config) directBaseURL() string {
	_, port, err := net.SplitHostPort(c.APIAddr)
	if err != nil || port == "" {
		port = "8000"
	}
	return "http://localhost:" + port
}

// MetricsOnAPIListener reports whether the api's own listener serves
// /metrics: only in server mode without METRICS_ADDR, where nginx and the
// load balancer answer 404 for it at the front door and Prometheus scrapes
// the task directly. In embedded mode nothing stands in front of the api,
// so without METRICS_ADDR /metrics is served nowhere.
func (c Config) MetricsOnAPIListener() bool { return c.MetricsAddr == "" && c.Store != "embedded" }

// SlogLevel parses LOG_LEVEL.
func (c Config) SlogLevel() (slog.Level, error) {
	var level slog.Level
	err := level.UnmarshalText([]byte(c.LogLevel))
	return level, err
}

// TrustedProxyPrefixes parses TRUSTED_PROXIES; a bare address is a /32 or /128.
func (c Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	prefixes := make([]netip.Prefix, 0, len(c.TrustedProxies))
	for _, raw := range c.TrustedProxies {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if !strings.Contains(raw, "/") {
			addr, err := netip.ParseAddr(raw)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", raw)
			}
			prefixes = append(prefixes, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", raw)
		}
		prefixes = append(prefixes, p.Masked())
	}
	return prefixes, nil
}

// DatabaseConnURL is DATABASE_URL with DATABASE_PASSWORD in it, when set.
func (c Config) DatabaseConnURL() string {
	if c.DatabasePassword == "" {
		return c.DatabaseURL
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return c.DatabaseURL // validated by Load
	}
	u.User = url.UserPassword(u.User.Username(), c.DatabasePassword)
	return u.String()
}

// Retention is what retention keeps (VISIT_RETENTION).
func (c Config) Retention() domain.Retention { return domain.Retention{VisitMonths: c.VisitRetention} }

// URLPolicy is the target-URL policy the configuration describes.
func (c Config) URLPolicy() domain.URLPolicy {
	host, _ := domain.PublicHostOf(c.PublicBaseURL) // validated by Load
	return domain.URLPolicy{MaxLength: c.MaxURLLength, PublicHost: host, DeniedHosts: c.DeniedHosts}
}

// ExpiryPolicy is the expiry policy the configuration describes.
func (c Config) ExpiryPolicy() domain.ExpiryPolicy {
	return domain.ExpiryPolicy{Default: c.DefaultTTL.Duration(), Max: c.MaxTTL.Duration()}
}
