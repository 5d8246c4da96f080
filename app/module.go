package app

import (
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Options are the use cases' settings; cmd maps the configuration to them.
type Options struct {
	URLs       domain.URLPolicy
	Expiry     domain.ExpiryPolicy
	Quarantine domain.CodeQuarantine
	// CodeSecret is CODE_SECRET, empty when unset (the data set's generated
	// secret is used); CodeSecretRotate is CODE_SECRET_ROTATE.
	CodeSecret       string
	CodeSecretRotate bool
	// AdminKeys may manage every link.
	AdminKeys []string
	// MissRateLimit is MISS_RATE_LIMIT: store misses a client may cause a
	// minute; 0 is off.
	MissRateLimit int
	// PoolTakeBatch is how many codes a refill of the code buffer takes.
	PoolTakeBatch int
	// PoolTarget and PoolLowWater drive the batch's PoolFiller.
	PoolTarget, PoolLowWater int64
	// VisitFlushInterval is how often visits are written (VISIT_FLUSH_INTERVAL).
	VisitFlushInterval time.Duration
	// VisitPendingKeys bounds the (link, hour) keys of visits held in
	// memory (VISIT_PENDING_KEYS); 0 turns visit counting off.
	VisitPendingKeys int
	// Retention is VISIT_RETENTION; it bounds a statistics window when
	// MAX_TTL does not (never).
	Retention domain.Retention
}

// Module provides the use cases from Options and the ports, and the
// Readiness of the dependency checks modules contribute to the value group
// "readiness". Visit counting needs a ports.VisitStore and a
// ports.BotDetector; the VisitFlusher runs with the app and stops after
// every component that records visits (the HTTP server drains first). A
// ports.CodePool is optional (without one, creates mint codes from the
// counter directly), and so are a ports.RateLimiter (no miss limit without
// one) and a ports.CacheOutbox (stores that share nothing need none). The
// cache tiers are a ports.LocalLinkCache and, when replicas share the
// store, a ports.LinkCache they share; a ports.ChangeFeed then keeps the
// local tier in step (a ChangeFollower runs with the app), and without one
// only the shared tier is used.
var Module = fx.Module("app",
	fx.Provide(
		func() ports.Clock { return SystemClock{} },
		newCodeSecretsFx,
		newCodeSupplyFx,
		newLinkCachesFx,
		func(opts Options, store ports.LinkStore, caches *LinkCaches, codes *CodeSupply, clock ports.Clock, log *slog.Logger) *Creator {
			return NewCreator(store, caches, codes, clock, opts.URLs, opts.Expiry, opts.Quarantine, log)
		},
		newResolverFx,
		newManagerFx,
		newVisitsFx,
		newReadinessFx,
		func(opts Options, m *Manager, store ports.VisitStore, clock ports.Clock) *StatsReader {
			maxSpan := opts.Expiry.Max
			if opts.Expiry.AllowsPermanent() && opts.Retention.VisitMonths > 0 {
				maxSpan = opts.Retention.StatsSpan()
			}
			return NewStatsReader(m, store, clock, maxSpan)
		},
		func(opts Options, pool ports.CodePool, counter ports.CodeCounter, secrets *CodeSecrets) *PoolFiller {
			return NewPoolFiller(pool, counter, secrets, opts.PoolTarget, opts.PoolLowWater, PoolFillChunk)
		},
	),
	fx.Invoke(runCacheInvalidatorFx, runChangeFollowerFx),
)

func newCodeSecretsFx(lc fx.Lifecycle, opts Options, store ports.CodeSecretStore, log *slog.Logger) *CodeSecrets {
	s := NewCodeSecrets(store, opts.CodeSecret, opts.CodeSecretRotate, log)
	lc.Append(fx.StartHook(s.Settle))
	return s
}

type codeSupplyParams struct {
	fx.In
	Opts    Options
	Pool    ports.CodePool `optional:"true"`
	Counter ports.CodeCounter
	Secrets *CodeSecrets
	Log     *slog.Logger
}

func newCodeSupplyFx(p codeSupplyParams) *CodeSupply {
	return NewCodeSupply(p.Pool, p.Counter, p.Secrets, p.Opts.PoolTakeBatch, p.Log)
}

type cachesParams struct {
	fx.In
	Local  ports.LocalLinkCache `optional:"true"`
	Shared ports.LinkCache      `optional:"true"`
	Feed   ports.ChangeFeed     `optional:"true"`
}

// newLinkCachesFx builds the tiers the modules provide; the batch, which
// resolves nothing, has none.
func newLinkCachesFx(p cachesParams) *LinkCaches {
	return NewLinkCaches(p.Local, p.Shared, p.Feed != nil)
}

type useCaseParams struct {
	fx.In
	Opts    Options
	Store   ports.LinkStore
	Caches  *LinkCaches
	Clock   ports.Clock
	Limiter ports.RateLimiter `optional:"true"`
	Log     *slog.Logger
}

func (p useCaseParams) misses() MissLimit {
	return MissLimit{PerMinute: p.Opts.MissRateLimit, Limiter: p.Limiter}
}

func newResolverFx(p useCaseParams) *Resolver {
	return NewResolver(p.Store, p.Caches, p.Clock, p.misses(), p.Log)
}

func newManagerFx(p useCaseParams) *Manager {
	return NewManager(p.Store, p.Caches, p.Clock, ManagerOptions{
		AdminKeys: p.Opts.AdminKeys, Misses: p.misses(), Quarantine: p.Opts.Quarantine, MaxTTL: p.Opts.Expiry.Max,
	}, p.Log)
}

type invalidatorParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Outbox    ports.CacheOutbox `optional:"true"`
	Cache     ports.LinkCache   `optional:"true"`
	Clock     ports.Clock
	Log       *slog.Logger
}

// runCacheInvalidatorFx drains the outbox while the app runs, when the
// store keeps one and there is a cache to tell (not in the batch).
func runCacheInvalidatorFx(p invalidatorParams) {
	if p.Outbox == nil || p.Cache == nil {
		return
	}
	v := NewCacheInvalidator(p.Outbox, p.Cache, p.Clock, p.Log)
	p.Lifecycle.Append(fx.StartStopHook(v.Start, v.Stop))
}

type followerParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Feed      ports.ChangeFeed `optional:"true"`
	Caches    *LinkCaches
	Clock     ports.Clock
	Log       *slog.Logger
}

// runChangeFollowerFx follows the store's changes while the app runs, when
// the store has a change feed (the api in server mode).
func runChangeFollowerFx(p followerParams) {
	if p.Feed == nil {
		return
	}
	f := NewChangeFollower(p.Feed, p.Caches, p.Clock, p.Log)
	p.Lifecycle.Append(fx.StartStopHook(f.Start, f.Stop))
}

// FlushObserver is told the duration and outcome of each visit write.
type FlushObserver func(d time.Duration, outcome string)

type visitsParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Opts      Options
	Clock     ports.Clock
	Bots      ports.BotDetector
	Store     ports.VisitStore
	Observer  FlushObserver `optional:"true"`
	Log       *slog.Logger
}

// newVisitsFx builds the recorder with its flusher, and appends the
// flusher's hooks as it does. Whatever records visits (the HTTP server)
// depends on the recorder, so it is built, and appends its own hooks,
// later; hooks stop last first, so the flusher's final write runs after
// every such component has stopped: after the server has drained.
func newVisitsFx(p visitsParams) (*VisitRecorder, *VisitFlusher) {
	rec := NewVisitRecorder(p.Clock, p.Bots, p.Opts.VisitPendingKeys)
	f := NewVisitFlusher(rec, p.Store, p.Clock, p.Opts.VisitFlushInterval, p.Log)
	f.ObserveFlush = p.Observer
	p.Lifecycle.Append(fx.StartStopHook(f.Start, f.Stop))
	return rec, f
}

type readinessParams struct {
	fx.In
	Checks []ports.DependencyCheck `group:"readiness"`
}

// newReadinessFx checks the dependencies the modules contributed, by name
// (a value group has no order of its own).
func newReadinessFx(p readinessParams) *Readiness {
	checks := slices.SortedFunc(slices.Values(p.Checks), func(a, b ports.DependencyCheck) int { return strings.Compare(a.Name, b.Name) })
	return NewReadiness(readinessTimeout, checks...)
}
