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
	// VisitPendingBytes bounds the memory of the visits held, every
	// dimension's sketch and the visitor hashes included (VISIT_PENDING_BYTES).
	VisitPendingBytes int64
	// VisitUniquesInterval is how often visitor hashes are merged into the
	// unique-visitor sketches (VISIT_UNIQUES_INTERVAL).
	VisitUniquesInterval time.Duration
	// VisitDimensions is VISIT_DIMENSIONS: countries, devices, browsers,
	// OSes, campaigns and daily unique visitors are counted.
	VisitDimensions bool
	// ForwardQueryDefault is FORWARD_QUERY_DEFAULT.
	ForwardQueryDefault bool
	// Retention is VISIT_RETENTION; it bounds a statistics window when
	// MAX_TTL does not (never).
	Retention domain.Retention
	// DefaultDomain is the host of PUBLIC_BASE_URL, with NOT_FOUND_URL.
	DefaultDomain domain.ShortDomain
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
		newCreatorFx,
		newUnlockerFx,
		newResolverFx,
		newFeatureGateFx,
		newManagerFx,
		newKeyRingFx,
		newAuditorFx,
		newWorkspacesFx,
		newListerFx,
		newExporterFx,
		newVisitsFx,
		newTargetsFx,
		newReadinessFx,
		newIdempotencyFx,
		newDomainsFx,
		func(opts Options, m *Manager, store ports.VisitStore, clock ports.Clock) *StatsReader {
			return NewStatsReader(m, store, clock, statsSpan(opts))
		},
		newWorkspaceStatsFx,
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
	Opts      Options
	Store     ports.LinkStore
	Caches    *LinkCaches
	Clock     ports.Clock
	Limiter   ports.RateLimiter    `optional:"true"`
	Passwords ports.PasswordHasher `optional:"true"`
	Gate      *FeatureGate
	Log       *slog.Logger
	Domains   *Domains `optional:"true"`
}

func (p useCaseParams) features() LinkFeatures {
	return LinkFeatures{ForwardQueryDefault: p.Opts.ForwardQueryDefault, Gate: p.Gate, Passwords: p.Passwords, URLs: p.Opts.URLs, Domains: p.Domains}
}

type creatorParams struct {
	fx.In
	UseCase useCaseParams
	Codes   *CodeSupply
	Domains *Domains `optional:"true"`
}

func newCreatorFx(p creatorParams) *Creator {
	u := p.UseCase
	return NewCreator(u.Store, u.Caches, p.Codes, u.Clock, u.Opts.URLs, u.Opts.Expiry, u.Opts.Quarantine, u.Log).WithFeatures(u.features()).WithDomains(p.Domains)
}

type unlockerParams struct {
	fx.In
	Resolver  *Resolver
	Store     ports.LinkStore
	Passwords ports.PasswordHasher `optional:"true"`
	Limiter   ports.RateLimiter    `optional:"true"`
	Clock     ports.Clock
	Log       *slog.Logger
}

// newUnlockerFx is nil where nothing hashes passwords (the batch).
func newUnlockerFx(p unlockerParams) *Unlocker {
	if p.Passwords == nil {
		return nil
	}
	return NewUnlocker(p.Resolver, p.Store, p.Passwords, p.Limiter, p.Clock, p.Log)
}

func (p useCaseParams) misses() MissLimit {
	return MissLimit{PerMinute: p.Opts.MissRateLimit, Limiter: p.Limiter}
}

func newResolverFx(p useCaseParams) *Resolver {
	return NewResolver(p.Store, p.Caches, p.Clock, p.misses(), p.Log)
}

func newManagerFx(p useCaseParams, keys *KeyRing, audit *Auditor) *Manager {
	return NewManager(p.Store, p.Caches, p.Clock, ManagerOptions{
		AdminKeys: p.Opts.AdminKeys, Misses: p.misses(), Quarantine: p.Opts.Quarantine, MaxTTL: p.Opts.Expiry.Max,
		Features: p.features(),
	}, p.Log).WithWorkspaces(keys, audit)
}

type keyRingParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Opts      Options
	Limiter   ports.RateLimiter `optional:"true"`
	Keys      ports.KeyStore    `optional:"true"`
	Usage     ports.KeyUsage    `optional:"true"`
	Feed      ports.ChangeFeed  `optional:"true"`
	Shared    ports.LinkCache   `optional:"true"`
	Clock     ports.Clock
	Log       *slog.Logger
}

// newKeyRingFx builds the key ring; its cache is kept honest by the change
// feed where replicas share the store (a shared cache says they do), and
// always trusted where the store is the process's own.
func newKeyRingFx(p keyRingParams) *KeyRing {
	r := NewKeyRing(p.Keys, p.Usage, p.Clock, KeyRingOptions{
		AdminKeys: p.Opts.AdminKeys, Followed: p.Feed != nil, Private: p.Shared == nil,
		Misses: MissLimit{PerMinute: p.Opts.MissRateLimit, Limiter: p.Limiter},
	}, p.Log)
	if p.Keys != nil {
		p.Lifecycle.Append(fx.StartStopHook(r.Start, r.Stop))
	}
	return r
}

type auditorParams struct {
	fx.In
	Log   ports.AuditLog `optional:"true"`
	Clock ports.Clock
	Slog  *slog.Logger
}

func newAuditorFx(p auditorParams) *Auditor { return NewAuditor(p.Log, p.Clock, p.Slog) }

type workspacesParams struct {
	fx.In
	Keys  ports.KeyStore `optional:"true"`
	Ring  *KeyRing
	Audit *Auditor
	Clock ports.Clock
}

func newWorkspacesFx(p workspacesParams) *Workspaces {
	return NewWorkspaces(p.Keys, p.Ring, p.Audit, p.Clock)
}

type listerParams struct {
	fx.In
	Store ports.LinkLister `optional:"true"`
	Clock ports.Clock
}

func newListerFx(p listerParams) *Lister { return NewLister(p.Store, p.Clock) }

// statsSpan is the longest window a stats request may ask for: MAX_TTL, or
// what VISIT_RETENTION keeps when links may be permanent.
func statsSpan(opts Options) time.Duration {
	if opts.Expiry.AllowsPermanent() && opts.Retention.VisitMonths > 0 {
		return opts.Retention.StatsSpan()
	}
	return opts.Expiry.Max
}

type workspaceStatsParams struct {
	fx.In
	Opts  Options
	Store ports.WorkspaceVisitReader `optional:"true"`
	Clock ports.Clock
}

func newWorkspaceStatsFx(p workspaceStatsParams) *WorkspaceStats {
	return NewWorkspaceStats(p.Store, p.Clock, statsSpan(p.Opts))
}

type gateParams struct {
	fx.In
	Steps ports.ReleaseSteps `optional:"true"`
	Clock ports.Clock
}

// newFeatureGateFx gates on the store's release steps; a store without
// them (embedded mode) has no rolling deploys, and the gate is open.
func newFeatureGateFx(p gateParams) *FeatureGate { return NewFeatureGate(p.Steps, p.Clock) }

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
	Keys      *KeyRing
	Clock     ports.Clock
	Log       *slog.Logger
	Domains   *Domains `optional:"true"`
}

// runChangeFollowerFx follows the store's changes while the app runs, when
// the store has a change feed (the api in server mode).
func runChangeFollowerFx(p followerParams) {
	if p.Feed == nil {
		return
	}
	f := NewChangeFollower(p.Feed, p.Caches, p.Clock, p.Log)
	f.Keys = p.Keys
	f.Domains = p.Domains
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
	Observer  FlushObserver     `optional:"true"`
	Geo       ports.GeoLocator  `optional:"true"`
	Keys      ports.VisitorKeys `optional:"true"`
	Log       *slog.Logger
}

// newVisitsFx builds the recorder with its flusher, and appends the
// flusher's hooks as it does. Whatever records visits (the HTTP server)
// depends on the recorder, so it is built, and appends its own hooks,
// later; hooks stop last first, so the flusher's final write runs after
// every such component has stopped: after the server has drained.
func newVisitsFx(p visitsParams) (*VisitRecorder, *VisitFlusher) {
	rec := NewVisitRecorderBytes(p.Clock, p.Bots, p.Opts.VisitPendingKeys, p.Opts.VisitPendingBytes)
	if p.Opts.VisitDimensions {
		rec.Locate(p.Geo)
	} else {
		rec.WithoutDimensions()
	}
	f := NewVisitFlusher(rec, p.Store, p.Clock, p.Opts.VisitFlushInterval, p.Log)
	f.ObserveFlush = p.Observer
	f.UniquesEvery = p.Opts.VisitUniquesInterval
	if p.Keys != nil && p.Opts.VisitDimensions {
		rec.CountUniques()
		f.Keys = p.Keys
	}
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

type targetsParams struct {
	fx.In
	Bots ports.BotDetector
	Geo  ports.GeoLocator `optional:"true"`
}

// newTargetsFx classifies the visitors of links with rules with the
// parser and the lookup that count visits.
func newTargetsFx(p targetsParams) *Targets { return NewTargets(p.Bots, p.Geo) }

// IdempotencyLease is how long a request with an Idempotency-Key may run
// before a retry may run it again: longer than the longest such request
// (an import's time limit).
const IdempotencyLease = 10 * time.Minute

// newIdempotencyFx keeps answers in the link store when it can
// (ports.IdempotencyStore: every store the service ships).
func newIdempotencyFx(store ports.LinkStore, clock ports.Clock, log *slog.Logger) *Idempotency {
	idem, _ := store.(ports.IdempotencyStore)
	return NewIdempotency(idem, clock, IdempotencyLease, log)
}

type domainsParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Opts      Options
	Store     ports.DomainStore `optional:"true"`
	Clock     ports.Clock
	Log       *slog.Logger
	Audit     *Auditor
}

// newDomainsFx is the domains use case; without a ports.DomainStore only
// the default domain exists. Its snapshot is read at start and kept fresh
// while the app runs.
func newDomainsFx(p domainsParams) *Domains {
	d := NewDomains(p.Store, p.Opts.DefaultDomain, p.Clock, p.Log).WithAudit(p.Audit)
	p.Lifecycle.Append(fx.StartStopHook(d.Start, d.Stop))
	return d
}
