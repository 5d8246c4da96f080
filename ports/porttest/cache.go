package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// LinkCacheContract runs the cache contract against caches made by
// newCache, one per rule, whose negative entries must live at least a
// second. Time is the caller's (the ports pass it in), so most rules move
// a fake clock; the one that checks an entry is gone from the cache itself
// waits on the wall clock, since Redis expires keys by its own.
func LinkCacheContract(t *testing.T, newCache func(t *testing.T) ports.LinkCache) {
	t.Helper()
	runRules(t, linkCacheRules, func(t *testing.T) cacheCase { return cacheCase{c: newCache(t)} })
}

var linkCacheRules = []rule[cacheCase]{
	{"set then get", setThenGet},
	{"entry never outlives its link", anEntryNeverOutlivesItsLink},
	{"negative entry, not overwriting a link, overwritten by one", aNegativeEntryGivesWayToALink},
	{"a cached link keeps its id and state but no owner digest", aCachedLinkKeepsItsIDAndStateButNoOwner},
	{"a cached link keeps its features but no password hash", aCachedLinkKeepsItsFeaturesButNoPasswordHash},
	{"a cached link keeps its redirect rules", aCachedLinkKeepsItsRules},
	{"add never replaces an entry, set does", addNeverReplacesAnEntry},
	{"set of an expired link and invalidate drop the entry", setOfAnExpiredLinkAndInvalidateDropTheEntry},
	{"a deleted link stays cached as a tombstone a late lookup cannot replace", aDeletedLinkStaysCachedAsATombstone},
}

// cacheCase is one rule's fresh cache.
type cacheCase struct{ c ports.LinkCache }

// link is a sample link of code as a cache holds it: stored (id 7), live
// for ttl from now.
func (cacheCase) link(code domain.Code, ttl time.Duration) domain.ShortLink {
	return Link(code).ID(7).Lifetime(ttl).Build()
}

func (c cacheCase) set(t *testing.T, link domain.ShortLink, now time.Time) {
	t.Helper()
	if err := c.c.Set(context.Background(), link, now); err != nil {
		t.Fatalf("Set(%s): %v", link.Code(), err)
	}
}

func (c cacheCase) add(t *testing.T, link domain.ShortLink) {
	t.Helper()
	if err := c.c.Add(context.Background(), link, time.Now()); err != nil {
		t.Fatalf("Add(%s): %v", link.Code(), err)
	}
}

func (c cacheCase) setMissing(t *testing.T, code domain.Code) {
	t.Helper()
	if err := c.c.SetMissing(context.Background(), code, time.Now()); err != nil {
		t.Fatalf("SetMissing(%s): %v", code, err)
	}
}

func (c cacheCase) get(t *testing.T, code domain.Code) (domain.ShortLink, ports.CacheResult) {
	t.Helper()
	return c.getAt(t, code, time.Now())
}

func (c cacheCase) getAt(t *testing.T, code domain.Code, now time.Time) (domain.ShortLink, ports.CacheResult) {
	t.Helper()
	link, result, err := c.c.Get(context.Background(), code, now)
	if err != nil {
		t.Fatalf("Get(%s): %v", code, err)
	}
	return link, result
}

// expectHit fails the test unless code's entry is a hit with want.
func (c cacheCase) expectHit(t *testing.T, code domain.Code, want domain.ShortLink) {
	t.Helper()
	got, result := c.get(t, code)
	if result != ports.CacheHit {
		t.Fatalf("Get(%s) = %v, want a hit", code, result)
	}
	expectLink(t, "Get("+string(code)+")", want, got)
}

// expectResult fails the test unless Get(code) answers want.
func (c cacheCase) expectResult(t *testing.T, code domain.Code, want ports.CacheResult, why string) {
	t.Helper()
	if _, got := c.get(t, code); got != want {
		t.Fatalf("%s: Get(%s) = %v, want %v", why, code, got, want)
	}
}

func setThenGet(t *testing.T, c cacheCase) {
	want := c.link("abc", time.Hour)
	c.set(t, want, time.Now())
	c.expectHit(t, "abc", want)
	c.expectResult(t, "other", ports.CacheMiss, "a code never set")
}

func anEntryNeverOutlivesItsLink(t *testing.T, c cacheCase) {
	now := time.Now()
	link := c.link("later", time.Hour)
	c.set(t, link, now)
	if _, result := c.getAt(t, "later", link.ExpiresAt()); result != ports.CacheMiss {
		t.Fatalf("Get at the link's expiry = %v, want a miss", result)
	}
	// Wall clock: the entry itself must be gone, not just judged expired.
	c.set(t, c.link("soon", 300*time.Millisecond), now)
	time.Sleep(400 * time.Millisecond)
	c.expectResult(t, "soon", ports.CacheMiss, "after the link expired")
	c.set(t, c.link("gone", time.Millisecond), time.Now().Add(time.Second))
	c.expectResult(t, "gone", ports.CacheMiss, "a link set after its expiry")
}

func aNegativeEntryGivesWayToALink(t *testing.T, c cacheCase) {
	c.setMissing(t, "missing")
	c.expectResult(t, "missing", ports.CacheNegativeHit, "after SetMissing")
	link := c.link("missing", time.Hour)
	c.set(t, link, time.Now())
	c.expectHit(t, "missing", link)
	c.setMissing(t, "missing")
	c.expectHit(t, "missing", link) // SetMissing never overwrites a cached link
}

func aCachedLinkKeepsItsIDAndStateButNoOwner(t *testing.T, c cacheCase) {
	owned := Link("state").ID(7).State(domain.StateDisabled).OwnedBy("token").Build()
	c.set(t, owned, time.Now())
	c.expectHit(t, "state", Link("state").ID(7).Created(owned.CreatedAt()).State(domain.StateDisabled).Build())
}

// aCachedLinkKeepsItsFeaturesButNoPasswordHash: a cache answers whether a
// link forwards queries and has a password (the redirect needs no lookup
// for either), never the password's hash (an unlock reads the store).
func aCachedLinkKeepsItsFeaturesButNoPasswordHash(t *testing.T, c cacheCase) {
	link := c.link("feat", time.Hour).WithForwardQuery(true).WithPasswordHash("$argon2id$secret")
	c.set(t, link, time.Now())
	got, result := c.get(t, "feat")
	if result != ports.CacheHit || !got.ForwardQuery() || !got.Protected() || got.PasswordHash() != "" {
		t.Fatalf("got %+v (%v); want a hit, forward_query, protected, no hash", got.Record(), result)
	}
}

func addNeverReplacesAnEntry(t *testing.T, c cacheCase) {
	current := c.link("race", time.Hour)
	changed := Link("race").ID(7).Created(current.CreatedAt()).State(domain.StateDisabled).Version(2).Build()
	c.set(t, changed, time.Now())
	// A lookup that read the link before the change writes back late.
	c.add(t, current)
	c.expectHit(t, "race", changed)
	fresh := c.link("fresh", time.Hour)
	c.add(t, fresh)
	c.expectHit(t, "fresh", fresh) // Add into an empty slot
}

func setOfAnExpiredLinkAndInvalidateDropTheEntry(t *testing.T, c cacheCase) {
	for _, code := range []domain.Code{"ended", "dropped"} {
		c.set(t, c.link(code, time.Hour), time.Now())
	}
	shortened, err := c.link("ended", time.Hour).ExtendTo(time.Now().Add(time.Millisecond), time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.set(t, shortened, time.Now().Add(time.Second)) // no time left by then
	if err := c.c.Invalidate(context.Background(), "dropped"); err != nil {
		t.Fatal(err)
	}
	c.expectResult(t, "ended", ports.CacheMiss, "after a Set with no time left")
	c.expectResult(t, "dropped", ports.CacheMiss, "after Invalidate")
}

func aDeletedLinkStaysCachedAsATombstone(t *testing.T, c cacheCase) {
	live := c.link("gone", time.Hour)
	deleted, err := live.Delete(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.set(t, deleted, time.Now())
	// A lookup that read the live link before the deletion writes back late.
	c.add(t, live)
	c.expectHit(t, "gone", deleted)
}

// aCachedLinkKeepsItsRules: rules travel inside the cached entry, so a
// link with rules costs no store lookup.
func aCachedLinkKeepsItsRules(t *testing.T, c cacheCase) {
	rules := SampleRules(t)
	link := c.link("ruled", time.Hour).WithForwardQuery(true).WithRules(rules)
	c.set(t, link, time.Now())
	got, result := c.get(t, "ruled")
	if result != ports.CacheHit || !got.ForwardQuery() || got.URL() != link.URL() {
		t.Fatalf("got %+v (%v); want a hit with forward_query", got.Record(), result)
	}
	expectRules(t, "cached", got.Rules(), rules)
	plain := c.link("plain", time.Hour)
	c.set(t, plain, time.Now())
	if got, _ := c.get(t, "plain"); got.HasRules() {
		t.Errorf("a plain link came back with rules %s", domain.RulesJSON(got.Rules()))
	}
}
