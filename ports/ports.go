// Package ports declares what the use cases in app need from the outside
// world. Each interface is shaped by one use case and implemented by an
// adapter; mocks for unit tests live in ports/mocks.
package ports

//go:generate go tool mockgen -destination=mocks/mocks.go -package=mocks . LinkStore,CodeCounter,CodePool,LinkCache,LocalLinkCache,ChangeFeed,CodeSecretStore,VisitStore,BotDetector,VisitorKeys,GeoLocator

import (
	"context"
	"net/netip"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// LinkStore is the durable home of links and of the claims on their codes.
// A nil error from a write means it is committed.
type LinkStore interface {
	// Insert claims link's code until codeFreeAfter and stores the link,
	// returning it with its id. The code is claimed when no link ever held
	// it or the last claim's free-after instant is before link.CreatedAt();
	// otherwise Insert returns domain.ErrCodeTaken. Of concurrent inserts of
	// one code, one wins.
	Insert(ctx context.Context, link domain.ShortLink, codeFreeAfter time.Time) (domain.ShortLink, error)
	// Find returns the link that holds code at now, in any state, expired
	// ones included while the store keeps them, or domain.ErrNotFound.
	Find(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, error)
	// Update applies change to the link that holds code at now, atomically
	// with respect to other updates of it, and returns the stored result.
	// An error from change aborts the update and is returned as it is.
	Update(ctx context.Context, code domain.Code, now time.Time, change LinkChange) (domain.ShortLink, error)
}

// ReleaseSteps tells which steps of a rolling deploy the operator has run
// on the store. A store no two releases ever share (embedded mode) has no
// rolling deploys, and provides none.
type ReleaseSteps interface {
	// Contracted reports whether the contract step (`migrate contract`) has
	// run: no task of a previous release serves from the store any more.
	Contracted(ctx context.Context) (bool, error)
}

// PasswordHasher hashes the passwords of protected links and checks them.
// Hashing is slow and memory-hungry on purpose; implementations bound how
// many run at once, and wait for a turn no longer than ctx.
type PasswordHasher interface {
	// Hash returns password's hash in an encoding Verify reads, with its
	// parameters and salt.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password is the one hash was made from.
	Verify(ctx context.Context, hash, password string) (bool, error)
}

// LinkChange turns the link a code holds into its next version and says
// until when the code stays claimed; an error leaves the link as it was.
type LinkChange func(current domain.ShortLink) (next domain.ShortLink, codeFreeAfter time.Time, err error)

// CacheOutbox holds the cache invalidations a store's committed changes
// still owe, so that a change made while the cache was down reaches it once
// it is back. A store that shares nothing across processes needs none.
type CacheOutbox interface {
	// Drain hands the codes of up to limit changes committed before
	// before to invalidate, and forgets them once it returns nil. Replicas
	// may drain at once: each change is handed to one of them at a time.
	Drain(ctx context.Context, before time.Time, limit int, invalidate func(codes []domain.Code) error) (int, error)
}

// CodeSecretStore keeps, with the data set, the secret generated codes are
// minted with (when the service generated it) and its fingerprint.
type CodeSecretStore interface {
	// LoadOrCreate stores candidate unless the data set already holds a
	// secret record, and returns the record it holds.
	LoadOrCreate(ctx context.Context, candidate domain.SecretRecord) (domain.SecretRecord, error)
	// Replace overwrites the record: the explicit rotation.
	Replace(ctx context.Context, record domain.SecretRecord) error
}

// CodeCounter is the durable counter generated codes are minted from.
type CodeCounter interface {
	// Reserve returns the first of n consecutive counter values that no
	// caller, in this process or any other, will ever be given again.
	Reserve(ctx context.Context, n int) (first uint64, err error)
}

// CodePool is the shared pool of codes minted ahead of time by the batch.
type CodePool interface {
	// Take removes and returns up to n codes; fewer, or none, when the pool runs low.
	Take(ctx context.Context, n int) ([]domain.Code, error)
	// Add puts freshly minted codes into the pool.
	Add(ctx context.Context, codes []domain.Code) error
	// Size is the number of codes in the pool.
	Size(ctx context.Context) (int64, error)
}

// CacheResult says what a cache lookup found.
type CacheResult int

const (
	// CacheMiss: the cache knows nothing about the code.
	CacheMiss CacheResult = iota
	// CacheHit: the cache holds the link.
	CacheHit
	// CacheNegativeHit: the cache recently saw that no link has the code.
	CacheNegativeHit
)

// LinkCache is the redirect cache: what public lookups need of a link (its
// id, code, target, lifetime and state; never its owner's digest). Callers
// treat its errors as misses, and pass the time from their clock: the cache
// never reads one of its own.
type LinkCache interface {
	// Get looks code up; a cached link that has expired at now is a miss.
	Get(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, CacheResult, error)
	// Set caches link, as it was just committed, for no longer than it has
	// left to live at now, replacing whatever the cache held for its code.
	Set(ctx context.Context, link domain.ShortLink, now time.Time) error
	// Add caches link, as a lookup read it, unless the cache holds an entry
	// for its code: a read that raced a change must not undo its Set.
	Add(ctx context.Context, link domain.ShortLink, now time.Time) error
	// SetMissing briefly records, from now on, that no link has code,
	// unless the cache already holds an entry for it (a link cached
	// meanwhile must win).
	SetMissing(ctx context.Context, code domain.Code, now time.Time) error
	// Invalidate drops whatever the cache holds for code, in every process.
	Invalidate(ctx context.Context, code domain.Code) error
}

// LocalLinkCache is the redirect cache in the process's own memory, the
// tier in front of any shared one. It never goes back in a link's history:
// of the entries it is handed for one code it keeps the newest (by link id,
// then version), and once told of a version it refuses older ones, so a copy
// read from a shared cache that has not heard of a change yet, or by a
// lookup that raced the change, cannot bring the old state back.
type LocalLinkCache interface {
	LinkCache
	// Forget drops the entry of code unless it holds link id's version
	// version or a later one, and refuses any earlier version from then on.
	Forget(code domain.Code, id domain.LinkID, version int64, now time.Time)
	// Forgotten reports whether the cache was told of a version of code's
	// link (Forget) and holds no copy of it: any copy from elsewhere may be
	// older, so only the store can answer.
	Forgotten(code domain.Code, now time.Time) bool
	// Clear drops every entry.
	Clear()
}

// ChangeKind says what a Change is about.
type ChangeKind string

// ChangeLink is a change of a link: Key is its code, ID its id.
const ChangeLink ChangeKind = "link"

// Change is one committed change of something processes keep copies of.
type Change struct {
	Kind ChangeKind
	// Key is what the copies are looked up by (a link's code).
	Key string
	// ID and Version name what the change left (a link's id and version):
	// a copy older than that is stale.
	ID, Version int64
}

// ChangeFeed tells a process of the changes committed to the store it
// shares with other processes, by any of them (another release's
// included), so that it can drop its copies. One follower reads it.
type ChangeFeed interface {
	// Rewind makes the next Changes start with the changes committed at or
	// after since, by the store's clock, whatever was read before.
	Rewind(since time.Time)
	// Changes returns up to limit changes committed since the previous
	// call, oldest first, none of them twice (a full batch: call again).
	// A change whose commit was still in flight at a call is returned by a
	// later one; now bounds how long the feed waits for such a commit.
	Changes(ctx context.Context, now time.Time, limit int) ([]Change, error)
	// Wake receives when changes may have been committed: a hint to call
	// Changes early. It may stay silent; a follower polls all the same.
	Wake() <-chan struct{}
	// Prune forgets the changes committed before before.
	Prune(ctx context.Context, before time.Time) error
}

// RateLimiter counts events per key in fixed windows.
type RateLimiter interface {
	// Allow records one event for key at now and reports whether it is
	// within limit events per window; when it is not, retryAfter says when
	// the window ends. A shared limiter may keep time itself and ignore now.
	Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (allowed bool, retryAfter time.Duration, err error)
	// Exceeded reports, without recording anything, whether key has used up
	// its limit events in its current window (one more would be refused),
	// and when that window ends.
	Exceeded(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (exceeded bool, retryAfter time.Duration, err error)
}

// VisitStore keeps the visit counters of links, per link and hour.
type VisitStore interface {
	// AddVisits adds batch's counts to the stored ones, exactly once per
	// batch id: a batch whose id was applied before is skipped, and nil
	// returned. nil means applied. An error wrapping domain.ErrNotApplied
	// means certainly not applied; any other error leaves it uncertain, and
	// only the same batch, with the same id, may be retried. The batch's
	// slices are the caller's again once AddVisits returns (the recorder
	// lays the next batch out in them): a store copies what it keeps.
	AddVisits(ctx context.Context, batch domain.VisitBatch) error
	// VisitStats sums the visits of q's link in q's window: the non-empty
	// buckets of its series (in any order) and its top referrers (at most
	// domain.TopReferrers, most visits first, ties by host). The result's
	// Series is sparse; the use case fills in the empty buckets.
	VisitStats(ctx context.Context, q domain.VisitQuery) (domain.VisitStats, error)
	// ForgetVisitBatches lets the store forget the ids of batches made
	// before before; such a batch retried after that could count twice.
	ForgetVisitBatches(ctx context.Context, before time.Time) error
	// MergeUniques adds the visitor hashes of batch's counts (Uniques) to
	// the unique-visitor sketch of each link and day, by union: merging the
	// same hashes again, from a retry or another replica, changes nothing.
	// The stored sketches of a link and day stay a fixed number however
	// many replicas write.
	MergeUniques(ctx context.Context, batch domain.VisitBatch) error
}

// VisitorKeys hand out the secret key of a day's visitor hashes (SPEC
// §13): random, the same for every replica, and forgotten when the day
// ends, so hashes can be linked neither to an address nor across days.
type VisitorKeys interface {
	// DayKey is the key of the UTC day that holds day, made on first use.
	// An error means no key is known: uniques are then not counted.
	DayKey(ctx context.Context, day time.Time) ([]byte, error)
}

// GeoLocator places a client address in a country.
type GeoLocator interface {
	// Country is addr's ISO 3166-1 alpha-2 code, or domain.CountryUnknown.
	// It is on the redirect path: cheap, and allocation-free.
	Country(addr netip.Addr) string
}

// Pruner applies retention (domain.Retention) to a durable store: `partitions
// --prune` on Postgres, the sweeper in embedded mode.
type Pruner interface {
	// Prune deletes the links that ended before c.LinksEndedBefore, in
	// batches, keeping their codes' claims, and drops the visit counters of
	// hours before c.VisitsBefore. A store kept in monthly partitions drops
	// a link partition only once nothing is left in it, and only of a month
	// over by c.Now. It reports what it removed.
	Prune(ctx context.Context, c domain.RetentionCutoffs) (Pruned, error)
}

// Pruned is what one Prune removed.
type Pruned struct {
	// Links is how many links were deleted.
	Links int
	// Partitions are the partitions dropped, if the store has any.
	Partitions []string
}

// BotDetector tells programs from people by their User-Agent header.
type BotDetector interface {
	// IsBot reports whether userAgent is a crawler, a link previewer, a
	// library or a command-line client rather than a browser. It is on the
	// redirect path: it must be cheap and must not allocate for a user
	// agent it has seen recently.
	IsBot(userAgent string) bool
	// Agent classifies userAgent (bot, device class, browser and OS
	// families) with the same parse, and the same cache, as IsBot.
	Agent(userAgent string) domain.UserAgent
}

// Clock tells the time: the one clock of the service. Use cases read it and
// pass the time into the ports; adapters that run a loop of their own are
// given it. Tests move a fake one.
type Clock interface {
	Now() time.Time
}

// DependencyCheck is one dependency the service needs to be ready:
// /v1/ready names it down when Ping fails or outlasts its deadline. The fx
// module of each adapter that dials a server contributes its check to the
// value group "readiness", so the checks follow the modules an application
// is built from.
type DependencyCheck struct {
	Name string
	Ping func(ctx context.Context) error
}
