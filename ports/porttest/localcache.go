package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// LocalLinkCacheContract runs the cache contract, and the rules of a
// local cache that follows changes, against caches made by newCache, one
// per rule.
func LocalLinkCacheContract(t *testing.T, newCache func(t *testing.T) ports.LocalLinkCache) {
	t.Helper()
	LinkCacheContract(t, func(t *testing.T) ports.LinkCache { return newCache(t) })
	runRules(t, localCacheRules, func(t *testing.T) localCase {
		c := newCache(t)
		return localCase{cacheCase: cacheCase{c: c}, local: c}
	})
}

var localCacheRules = []rule[localCase]{
	{"forget drops an older version and refuses it from then on", forgetDropsAndRefusesOlderVersions},
	{"forget keeps an entry as new as the change", forgetKeepsAnEntryAsNewAsTheChange},
	{"a later link of the code is taken after a forget", aLaterLinkOfTheCodeIsTakenAfterAForget},
	{"a set never goes back to an older version", aSetNeverGoesBack},
	{"a link with no time left leaves its version behind", aLinkWithNoTimeLeftLeavesItsVersion},
	{"clear drops every entry and version", clearDropsEverything},
}

type localCase struct {
	cacheCase
	local ports.LocalLinkCache
}

// version is the sample link of code (id 7) at version v.
func (localCase) version(code domain.Code, v int64) domain.ShortLink {
	return Link(code).ID(7).Version(v).Build()
}

func (c localCase) forget(code domain.Code, id domain.LinkID, version int64) {
	c.local.Forget(code, id, version, time.Now())
}

func (c localCase) expectForgotten(t *testing.T, code domain.Code, want bool) {
	t.Helper()
	if got := c.local.Forgotten(code, time.Now()); got != want {
		t.Fatalf("Forgotten(%s) = %v, want %v", code, got, want)
	}
}

func forgetDropsAndRefusesOlderVersions(t *testing.T, c localCase) {
	v1, v2 := c.version("fence", 1), c.version("fence", 2)
	c.set(t, v1, time.Now())
	c.expectForgotten(t, "fence", false)
	c.forget("fence", 7, 2)
	c.expectResult(t, "fence", ports.CacheMiss, "after a forget of a later version")
	c.expectForgotten(t, "fence", true)
	c.add(t, v1) // a lookup that read the old version writes back late
	c.expectResult(t, "fence", ports.CacheMiss, "after an Add of the forgotten version")
	c.set(t, v1, time.Now())
	c.expectResult(t, "fence", ports.CacheMiss, "after a Set of the forgotten version")
	c.expectForgotten(t, "fence", true)
	c.add(t, v2)
	c.expectHit(t, "fence", v2)
	c.expectForgotten(t, "fence", false)
}

func forgetKeepsAnEntryAsNewAsTheChange(t *testing.T, c localCase) {
	v2 := c.version("kept", 2)
	c.set(t, v2, time.Now())
	c.forget("kept", 7, 2) // the change this process made itself, announced
	c.expectHit(t, "kept", v2)
	c.forget("kept", 7, 1)
	c.expectHit(t, "kept", v2)
	c.expectForgotten(t, "kept", false)
}

func aLaterLinkOfTheCodeIsTakenAfterAForget(t *testing.T, c localCase) {
	c.forget("reused", 7, 5)
	c.expectForgotten(t, "reused", true)
	later := Link("reused").ID(8).Build()
	c.add(t, later)
	c.expectHit(t, "reused", later)
	c.set(t, c.version("reused", 9), time.Now()) // link 7 is older than link 8, whatever its version
	c.expectHit(t, "reused", later)
}

func aSetNeverGoesBack(t *testing.T, c localCase) {
	v1, v3 := c.version("back", 1), c.version("back", 3)
	c.set(t, v3, time.Now())
	c.set(t, v1, time.Now()) // a change that committed earlier writes late
	c.expectHit(t, "back", v3)
}

func aLinkWithNoTimeLeftLeavesItsVersion(t *testing.T, c localCase) {
	v1 := c.version("ended", 1)
	c.set(t, v1, time.Now())
	shortened, err := v1.ExtendTo(time.Now().Add(time.Millisecond), time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.set(t, shortened, time.Now().Add(time.Second)) // no time left by then
	c.expectResult(t, "ended", ports.CacheMiss, "after a Set with no time left")
	c.expectForgotten(t, "ended", true)
	c.add(t, v1)
	c.expectResult(t, "ended", ports.CacheMiss, "after an Add of the version before")
}

func clearDropsEverything(t *testing.T, c localCase) {
	a, b := c.version("a", 1), c.version("b", 1)
	c.set(t, a, time.Now())
	c.set(t, b, time.Now())
	c.forget("c", 7, 4)
	c.local.Clear()
	c.expectResult(t, "a", ports.CacheMiss, "after Clear")
	c.expectResult(t, "b", ports.CacheMiss, "after Clear")
	c.expectForgotten(t, "c", false)
	older := c.version("c", 1)
	if err := c.c.Add(context.Background(), older, time.Now()); err != nil {
		t.Fatal(err)
	}
	c.expectHit(t, "c", older)
}
