package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

const (
	// keyCacheEntries bounds the in-process key cache: an entry is about
	// 250 bytes (id, workspace, role, name ≤ 100, digest, times), so the
	// cache holds at most about 2.5 MB.
	keyCacheEntries = 10_000
	// touchEvery is how coarse last_used_at is: a key's use is written at
	// most once per touchEvery, by a background loop.
	touchEvery = time.Minute
	// touchFlushEvery is how often that loop writes the uses it collected.
	touchFlushEvery = 5 * time.Second
)

// Caller is who presented a credential, as far as it can be told without
// a link: an administrator, a workspace key, or neither (Token, which may
// be a manage token or an API_KEYS key, or nothing).
type Caller struct {
	Admin bool
	// Key is the caller's workspace key (zero ID: none).
	Key domain.APIKey
	// Token is the credential when it is neither an admin key nor a
	// workspace key.
	Token string
}

// HasKey reports whether the caller presented a valid workspace key.
func (c Caller) HasKey() bool { return c.Key.ID != "" }

// Anonymous reports whether the caller presented nothing.
func (c Caller) Anonymous() bool { return !c.Admin && !c.HasKey() && c.Token == "" }

// Who names the caller in the audit log.
func (c Caller) Who() domain.Who {
	switch {
	case c.Admin:
		return domain.WhoAdmin
	case c.HasKey():
		return domain.WhoKey(c.Key.ID)
	}
	return domain.WhoManageToken
}

// KeyRing tells who a credential is: the admin keys, and workspace keys
// looked up by id (cached in process, bounded) and compared in constant
// time. A revoked key is dropped from every replica's cache by the
// store's change feed (ChangeFollower): where replicas share the store,
// the cache answers only while the feed has caught up within localTrust,
// so a revocation takes effect within a second, Redis or not.
type KeyRing struct {
	store  ports.KeyStore
	usage  ports.KeyUsage // nil: last_used_at is not kept
	clock  ports.Clock
	admins domain.KeySet
	misses MissLimit
	log    *slog.Logger
	// followed: a ChangeFollower keeps the cache honest (shared store);
	// trusted: the store is this process's own, the cache always answers.
	followed, trusted bool
	caughtUp          atomic.Int64

	mu      sync.Mutex
	cache   map[domain.KeyID]domain.APIKey
	touched map[domain.KeyID]time.Time // uses not yet written

	cancel context.CancelFunc
	done   chan struct{}
}

// KeyRingOptions say how far the key cache may be trusted.
type KeyRingOptions struct {
	AdminKeys []string
	// Followed: a change feed keeps the cache in step with a shared store.
	Followed bool
	// Private: no other process writes the store (embedded mode, tests).
	Private bool
	// Misses counts the lookups of unknown keys (keys in the right form,
	// checksum included, that no store holds) against MISS_RATE_LIMIT.
	Misses MissLimit
}

// NewKeyRing returns a key ring on store; usage may be nil.
func NewKeyRing(store ports.KeyStore, usage ports.KeyUsage, clock ports.Clock, opts KeyRingOptions, log *slog.Logger) *KeyRing {
	return &KeyRing{
		store: store, usage: usage, clock: clock, admins: domain.NewKeySet(opts.AdminKeys), misses: opts.Misses, log: log,
		followed: opts.Followed, trusted: opts.Private && !opts.Followed,
		cache: map[domain.KeyID]domain.APIKey{}, touched: map[domain.KeyID]time.Time{},
	}
}

// IsAdmin reports, in constant time, whether credential is an admin key.
func (r *KeyRing) IsAdmin(credential string) bool {
	return credential != "" && r.admins.Contains(domain.DigestToken(credential))
}

// Identify tells who credential is. A credential in the form of a
// workspace key that is not a valid one (a typo, unknown, revoked) is
// domain.ErrUnauthenticated: it is never taken for a manage token. Lookups
// of unknown keys count against who's MISS_RATE_LIMIT (who may be nil:
// not counted), as lookups of unknown codes do.
func (r *KeyRing) Identify(ctx context.Context, credential string, who Requester) (Caller, error) {
	switch {
	case credential == "":
		return Caller{}, nil
	case r.IsAdmin(credential):
		return Caller{Admin: true}, nil
	case !domain.LooksLikeKey(credential):
		return Caller{Token: credential}, nil
	}
	id, ok := domain.ParseKey(credential)
	if !ok || r.store == nil {
		return Caller{}, fmt.Errorf("%w: not a valid key (checksum)", domain.ErrUnauthenticated)
	}
	key, err := r.find(ctx, id, who)
	if errors.Is(err, domain.ErrNotFound) {
		return Caller{}, fmt.Errorf("%w: unknown key", domain.ErrUnauthenticated)
	}
	if err != nil {
		return Caller{}, err
	}
	if !key.Matches(domain.DigestToken(credential)) {
		return Caller{}, fmt.Errorf("%w: unknown or revoked key", domain.ErrUnauthenticated)
	}
	r.used(key)
	return Caller{Key: key}, nil
}

// cacheAnswers reports whether the cache may answer now.
func (r *KeyRing) cacheAnswers() bool {
	if r.trusted {
		return true
	}
	return r.followed && r.clock.Now().UnixNano()-r.caughtUp.Load() <= int64(localTrust)
}

func (r *KeyRing) find(ctx context.Context, id domain.KeyID, who Requester) (domain.APIKey, error) {
	answers := r.cacheAnswers()
	if answers {
		r.mu.Lock()
		key, ok := r.cache[id]
		r.mu.Unlock()
		if ok {
			return key, nil
		}
	}
	var client string
	if who != nil {
		var err error
		if client, err = r.misses.admit(ctx, who, r.clock.Now(), r.log); err != nil {
			return domain.APIKey{}, err
		}
	}
	key, err := r.store.FindKey(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		r.misses.miss(ctx, client, r.clock.Now(), r.log)
	}
	if err != nil {
		return domain.APIKey{}, fmt.Errorf("find key: %w", err)
	}
	if answers {
		r.mu.Lock()
		if len(r.cache) >= keyCacheEntries {
			for evicted := range r.cache { // map order: a random victim
				delete(r.cache, evicted)
				break
			}
		}
		r.cache[id] = key
		r.mu.Unlock()
	}
	return key, nil
}

// used notes a key's use for the background writer, at most once per
// touchEvery.
func (r *KeyRing) used(key domain.APIKey) {
	if r.usage == nil {
		return
	}
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	cached, ok := r.cache[key.ID]
	if ok && now.Sub(cached.LastUsedAt) < touchEvery {
		return
	}
	if _, pending := r.touched[key.ID]; !pending && now.Sub(key.LastUsedAt) >= touchEvery {
		r.touched[key.ID] = now
	}
	if ok {
		cached.LastUsedAt = now
		r.cache[key.ID] = cached
	}
}

// Forget drops the cached copy of key id (this process revoked it).
func (r *KeyRing) Forget(id domain.KeyID) {
	r.mu.Lock()
	delete(r.cache, id)
	r.mu.Unlock()
}

// forget applies changes read from the feed; all of them first when
// restart says the feed may have missed some.
func (r *KeyRing) forget(changes []ports.Change, restart bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if restart {
		clear(r.cache)
	}
	for _, ch := range changes {
		if ch.Kind == ports.ChangeKey {
			delete(r.cache, domain.KeyID(ch.Key))
		}
	}
}

// caughtUpAt lets the cache answer until localTrust after at.
func (r *KeyRing) caughtUpAt(at time.Time) { r.caughtUp.Store(at.UnixNano()) }

// FlushUses writes the collected uses.
func (r *KeyRing) FlushUses(ctx context.Context) error {
	r.mu.Lock()
	pending := r.touched
	r.touched = map[domain.KeyID]time.Time{}
	r.mu.Unlock()
	if len(pending) == 0 || r.usage == nil {
		return nil
	}
	if err := r.usage.TouchKeys(ctx, pending); err != nil {
		return fmt.Errorf("touch keys: %w", err)
	}
	return nil
}

// Start writes uses every touchFlushEvery until Stop.
func (r *KeyRing) Start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		ticker := time.NewTicker(touchFlushEvery)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				if err := r.FlushUses(ctx); err != nil {
					r.log.Debug("key uses not written; they are coarse anyway", "error", err)
				}
			}
		}
	}()
	return nil
}

// Stop ends the loop and writes what is left.
func (r *KeyRing) Stop(ctx context.Context) error {
	r.cancel()
	<-r.done
	_ = r.FlushUses(ctx)
	return nil
}
