// Package porttest holds contract test suites for the ports. Every
// implementation of a port, real adapter or in-memory fake, runs the same
// suite, so a fake cannot drift from the thing it stands in for. Each suite
// is a list of named rules, one function each, run as subtests: a failure
// names the rule that broke.
package porttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Store is what a durable store implements: links, the code counter and
// the code secret.
type Store interface {
	ports.LinkStore
	ports.CodeCounter
	ports.CodeSecretStore
}

// quarantine is the code quarantine the contract stores links with.
const quarantine = domain.CodeQuarantine(24 * time.Hour)

// LinkStoreContract runs the link store, counter and secret contract
// against fresh stores made by newStore, one per rule. Time is the
// contract's own: it passes instants, so nothing here waits on the wall
// clock.
func LinkStoreContract(t *testing.T, newStore func(t *testing.T) Store) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	runRules(t, linkStoreRules, func(t *testing.T) storeCase { return storeCase{s: newStore(t), now: now} })
}

var linkStoreRules = []rule[storeCase]{
	{"insert gives an id; find returns the link as stored", insertGivesAnIDAndFindReturnsTheLinkAsStored},
	{"unknown and case-different codes are not found", unknownAndCaseDifferentCodesAreNotFound},
	{"an expired link is still found, as expired", anExpiredLinkIsStillFound},
	{"a claimed code is taken", aClaimedCodeIsTaken},
	{"an expired code stays claimed through its quarantine", anExpiredCodeStaysClaimedThroughItsQuarantine},
	{"a deleted or disabled code stays claimed", aDeletedOrDisabledCodeStaysClaimed},
	{"a code that never expires is never free with quarantine 0", aCodeIsNeverFreeWithQuarantineZero},
	{"every transition is stored", everyTransitionIsStored},
	{"a link's features are stored, set and removed", aLinksFeaturesAreStored},
	{"a link's redirect rules are stored, replaced and cleared", aLinksRulesAreStored},
	{"an admin disable survives in the store", anAdminDisableSurvivesInTheStore},
	{"a failed change leaves the link as it was", aFailedChangeLeavesTheLinkAsItWas},
	{"concurrent changes apply in one serial order", concurrentChangesApplyInOneSerialOrder},
	{"concurrent inserts of one code have one winner", concurrentInsertsOfOneCodeHaveOneWinner},
	{"reserve hands out disjoint blocks under concurrency", reserveHandsOutDisjointBlocks},
	{"the code secret is created once and replaced only on purpose", theCodeSecretIsCreatedOnceAndReplacedOnPurpose},
}

// storeCase is one rule's fresh store and the contract's instant.
type storeCase struct {
	s   Store
	now time.Time
}

// link is a sample link of code created at the contract's instant, with an
// owner, live for an hour.
func (c storeCase) link(code domain.Code) LinkBuilder {
	return Link(code).Created(c.now).OwnedBy("owner of " + string(code))
}

// insert stores link with the contract's quarantine.
func (c storeCase) insert(link domain.ShortLink) (domain.ShortLink, error) {
	return c.s.Insert(context.Background(), link, quarantine.FreeAfter(link))
}

func (c storeCase) mustInsert(t *testing.T, link domain.ShortLink) domain.ShortLink {
	t.Helper()
	stored, err := c.insert(link)
	if err != nil {
		t.Fatalf("insert %s: %v", link.Code(), err)
	}
	return stored
}

func (c storeCase) find(t *testing.T, code domain.Code, at time.Time) domain.ShortLink {
	t.Helper()
	got, err := c.s.Find(context.Background(), code, at)
	if err != nil {
		t.Fatalf("Find(%s): %v", code, err)
	}
	return got
}

// update applies edit to code's link at the contract's instant, with its
// quarantine.
func (c storeCase) update(code domain.Code, edit func(domain.ShortLink) (domain.ShortLink, error)) (domain.ShortLink, error) {
	return c.s.Update(context.Background(), code, c.now, func(current domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := edit(current)
		return next, quarantine.FreeAfter(next), err
	})
}

// expectLink fails the test unless got is want.
func expectLink(t *testing.T, what string, want, got domain.ShortLink) {
	t.Helper()
	if diff := cmp.Diff(want, got, CompareLinks); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

func insertGivesAnIDAndFindReturnsTheLinkAsStored(t *testing.T, c storeCase) {
	want := c.mustInsert(t, c.link("abc").URL("https://example.com/x?y=1").Build())
	if want.ID() == 0 {
		t.Fatal("Insert returned no id")
	}
	expectLink(t, "Find", want, c.find(t, "abc", c.now))
	if other := c.mustInsert(t, c.link("def").Build()); other.ID() == want.ID() {
		t.Fatalf("two links share id %d", want.ID())
	}
}

func unknownAndCaseDifferentCodesAreNotFound(t *testing.T, c storeCase) {
	c.mustInsert(t, c.link("abc").Build())
	for _, code := range []domain.Code{"nope", "ABC"} {
		if _, err := c.s.Find(context.Background(), code, c.now); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("Find(%s) error = %v, want ErrNotFound", code, err)
		}
	}
}

func anExpiredLinkIsStillFound(t *testing.T, c storeCase) {
	c.mustInsert(t, c.link("abc").Build())
	later := c.now.Add(2 * time.Hour)
	if status := c.find(t, "abc", later).Status(later); status != domain.StatusExpired {
		t.Fatalf("status after expiry = %s, want expired", status)
	}
}

func aClaimedCodeIsTaken(t *testing.T, c storeCase) {
	c.mustInsert(t, c.link("abc").Build())
	if _, err := c.insert(c.link("abc").URL("https://example.com/2").Created(c.now.Add(time.Second)).Build()); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("second insert error = %v, want ErrCodeTaken", err)
	}
}

func anExpiredCodeStaysClaimedThroughItsQuarantine(t *testing.T, c storeCase) {
	old := c.mustInsert(t, c.link("sale").Created(c.now.Add(-2*time.Hour)).Expires(c.now.Add(-time.Hour)).Build())
	// Expired an hour ago, quarantined for a day: a takeover must fail.
	if _, err := c.insert(c.link("sale").URL("https://phish.example/login").Build()); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("claim during quarantine error = %v, want ErrCodeTaken", err)
	}
	if got := c.find(t, "sale", c.now); got.ID() != old.ID() {
		t.Fatalf("the code now finds link %d, want the old one %d", got.ID(), old.ID())
	}
	// Once the quarantine is over, the code is free.
	later := quarantine.FreeAfter(old).Add(time.Second)
	want, err := c.insert(c.link("sale").URL("https://example.com/new").Created(later).Build())
	if err != nil {
		t.Fatalf("claim after quarantine: %v", err)
	}
	expectLink(t, "Find after the quarantine", want, c.find(t, "sale", later))
}

func aDeletedOrDisabledCodeStaysClaimed(t *testing.T, c storeCase) {
	c.mustInsert(t, c.link("gone").Build())
	c.mustInsert(t, c.link("off").Build())
	if _, err := c.update("gone", func(l domain.ShortLink) (domain.ShortLink, error) { return l.Delete(c.now) }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.update("off", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorOwner) }); err != nil {
		t.Fatal(err)
	}
	for _, code := range []domain.Code{"gone", "off"} {
		if _, err := c.insert(c.link(code).URL("https://phish.example/").Created(c.now.Add(2 * time.Hour)).Build()); !errors.Is(err, domain.ErrCodeTaken) {
			t.Fatalf("claim of %s error = %v, want ErrCodeTaken", code, err)
		}
	}
}

func aCodeIsNeverFreeWithQuarantineZero(t *testing.T, c storeCase) {
	link := c.link("keep").Build()
	if _, err := c.s.Insert(context.Background(), link, domain.CodeQuarantine(0).FreeAfter(link)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.insert(c.link("keep").Created(c.now.AddDate(50, 0, 0)).Build()); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("claim 50 years on error = %v, want ErrCodeTaken", err)
	}
}

func everyTransitionIsStored(t *testing.T, c storeCase) {
	link := c.mustInsert(t, c.link("life").Build())
	steps := []struct {
		name   string
		edit   func(domain.ShortLink) (domain.ShortLink, error)
		status domain.Status
	}{
		{"owner disables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorOwner) }, domain.StatusDisabled},
		{"owner enables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(false, domain.ActorOwner) }, domain.StatusActive},
		{"admin disables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorAdmin) }, domain.StatusDisabled},
		{"admin enables", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(false, domain.ActorAdmin) }, domain.StatusActive},
		{"extend", func(l domain.ShortLink) (domain.ShortLink, error) {
			return l.ExtendTo(c.now.Add(48*time.Hour), c.now, 365*24*time.Hour)
		}, domain.StatusActive},
		{"delete", func(l domain.ShortLink) (domain.ShortLink, error) { return l.Delete(c.now) }, domain.StatusDeleted},
	}
	for _, step := range steps {
		want, err := step.edit(link)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got, err := c.update("life", step.edit)
		if err != nil {
			t.Fatalf("%s: Update: %v", step.name, err)
		}
		expectLink(t, step.name+": Update", want, got)
		found := c.find(t, "life", c.now)
		expectLink(t, step.name+": Find", want, found)
		if found.Status(c.now) != step.status {
			t.Fatalf("%s: status %s, want %s", step.name, found.Status(c.now), step.status)
		}
		link = want
	}
	if link.URL() != "" {
		t.Fatalf("deleted link keeps its target: %+v", link)
	}
}

func anAdminDisableSurvivesInTheStore(t *testing.T, c storeCase) {
	c.mustInsert(t, c.link("ban").Build())
	if _, err := c.update("ban", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(true, domain.ActorAdmin) }); err != nil {
		t.Fatal(err)
	}
	stored := c.find(t, "ban", c.now)
	if !stored.DisabledByAdmin() {
		t.Fatal("the store forgot an administrator disabled the link")
	}
	if _, err := stored.SetDisabled(false, domain.ActorOwner); !errors.Is(err, domain.ErrAdminOnly) {
		t.Fatalf("owner enable of an admin-disabled link: %v, want ErrAdminOnly", err)
	}
}

func aFailedChangeLeavesTheLinkAsItWas(t *testing.T, c storeCase) {
	want := c.mustInsert(t, c.link("same").Build())
	refused := errors.New("refused")
	if _, err := c.update("same", func(domain.ShortLink) (domain.ShortLink, error) { return domain.ShortLink{}, refused }); !errors.Is(err, refused) {
		t.Fatalf("Update error = %v, want the change's own", err)
	}
	expectLink(t, "Find after a failed change", want, c.find(t, "same", c.now))
	if _, err := c.update("nope", func(l domain.ShortLink) (domain.ShortLink, error) { return l, nil }); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Update of an unknown code error = %v, want ErrNotFound", err)
	}
}

func concurrentChangesApplyInOneSerialOrder(t *testing.T, c storeCase) {
	c.mustInsert(t, c.link("busy").Build())
	const n = 32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _ = c.update("busy", func(l domain.ShortLink) (domain.ShortLink, error) { return l.SetDisabled(i%2 == 0, domain.ActorOwner) })
		})
	}
	wg.Wait()
	// Each change bumps the version once: lost updates would show as fewer.
	if got := c.find(t, "busy", c.now).Version(); got != 1+n {
		t.Fatalf("version after %d serial changes = %d, want %d", n, got, 1+n)
	}
}

func concurrentInsertsOfOneCodeHaveOneWinner(t *testing.T, c storeCase) {
	const n = 32
	var (
		wg                 sync.WaitGroup
		mu                 sync.Mutex
		won, taken, failed int
	)
	start := make(chan struct{})
	for i := range n {
		link := c.link("race").URL(fmt.Sprintf("https://example.com/%d", i)).Build()
		wg.Go(func() {
			<-start
			_, err := c.insert(link)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, domain.ErrCodeTaken):
				taken++
			default:
				failed++
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if won != 1 || taken != n-1 || failed != 0 {
		t.Fatalf("won %d, taken %d, failed %d; want 1, %d, 0", won, taken, failed, n-1)
	}
}

func reserveHandsOutDisjointBlocks(t *testing.T, c storeCase) {
	const workers, perWorker, blockSize = 8, 25, 100
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		starts = map[uint64]bool{}
	)
	for range workers {
		wg.Go(func() {
			for range perWorker {
				first, err := c.s.Reserve(context.Background(), blockSize)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				starts[first] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// Disjoint equal blocks from a fresh counter start at exactly the
	// multiples of the block size.
	for i := range uint64(workers * perWorker) {
		if !starts[i*blockSize] {
			t.Fatalf("no block starts at %d: blocks overlap or skip (%d blocks)", i*blockSize, len(starts))
		}
	}
}

func theCodeSecretIsCreatedOnceAndReplacedOnPurpose(t *testing.T, c storeCase) {
	ctx := context.Background()
	first, second := domain.NewGeneratedSecret(), domain.NewGeneratedSecret()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[domain.SecretRecord]bool{}
	)
	for i := range 8 { // replicas starting together agree on one
		wg.Go(func() {
			candidate := first
			if i%2 == 1 {
				candidate = second
			}
			held, err := c.s.LoadOrCreate(ctx, candidate)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			seen[held] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(seen) != 1 {
		t.Fatalf("replicas were handed %d different secrets", len(seen))
	}
	explicit := domain.SecretRecord{Fingerprint: domain.SecretFingerprint("operator's own")}
	if err := c.s.Replace(ctx, explicit); err != nil {
		t.Fatal(err)
	}
	held, err := c.s.LoadOrCreate(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(explicit, held); diff != "" {
		t.Fatalf("after Replace, LoadOrCreate (-want +got):\n%s", diff)
	}
}

// aLinksFeaturesAreStored: query forwarding and a password hash are kept
// as inserted, changed by an update, and the password erased with the link.
func aLinksFeaturesAreStored(t *testing.T, c storeCase) {
	ctx := context.Background()
	const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
	inserted := c.mustInsert(t, c.link("feat").Build().WithForwardQuery(true).WithPasswordHash(hash))
	found, err := c.s.Find(ctx, "feat", c.now)
	if err != nil || !found.ForwardQuery() || found.PasswordHash() != hash || !found.Protected() {
		t.Fatalf("Find = %+v, %v; want forward_query and the hash as inserted", found.Record(), err)
	}
	if !cmp.Equal(found.Record(), inserted.Record()) {
		t.Errorf("found %+v, want %+v", found.Record(), inserted.Record())
	}
	changed, err := c.s.Update(ctx, "feat", c.now, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		l, err := l.SetForwardQuery(false)
		if err != nil {
			return domain.ShortLink{}, time.Time{}, err
		}
		l, err = l.SetPasswordHash("")
		return l, quarantine.FreeAfter(l), err
	})
	if err != nil {
		t.Fatal(err)
	}
	found, err = c.s.Find(ctx, "feat", c.now)
	if err != nil || found.ForwardQuery() || found.Protected() || !cmp.Equal(found.Record(), changed.Record()) {
		t.Fatalf("after removing both: %+v, %v; want %+v", found.Record(), err, changed.Record())
	}
	plain := c.mustInsert(t, c.link("plain").Build())
	if found, err := c.s.Find(ctx, "plain", c.now); err != nil || !cmp.Equal(found.Record(), plain.Record()) || found.Protected() || found.ForwardQuery() {
		t.Fatalf("a plain link: %+v, %v", found.Record(), err)
	}
}

// aLinksRulesAreStored: redirect rules are kept as inserted, in order,
// replaced and cleared by an update, and dropped with the link.
func aLinksRulesAreStored(t *testing.T, c storeCase) {
	ctx := context.Background()
	rules := SampleRules(t)
	inserted := c.mustInsert(t, c.link("ruled").Build().WithRules(rules))
	found, err := c.s.Find(ctx, "ruled", c.now)
	if err != nil {
		t.Fatal(err)
	}
	expectRules(t, "found", found.Rules(), rules)
	if !cmp.Equal(withoutRules(found.Record()), withoutRules(inserted.Record())) {
		t.Errorf("found %+v, want %+v", found.Record(), inserted.Record())
	}
	one := domain.RestoreRules(rules.Specs()[2:])
	update := func(next *domain.Rules) domain.ShortLink {
		t.Helper()
		changed, err := c.s.Update(ctx, "ruled", c.now, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
			l, err := l.SetRules(next)
			return l, quarantine.FreeAfter(l), err
		})
		if err != nil {
			t.Fatal(err)
		}
		found, err := c.s.Find(ctx, "ruled", c.now)
		if err != nil {
			t.Fatal(err)
		}
		expectRules(t, "after an update", found.Rules(), next)
		if found.Version() != changed.Version() {
			t.Errorf("version %d, want %d", found.Version(), changed.Version())
		}
		return found
	}
	update(one)
	if cleared := update(nil); cleared.HasRules() {
		t.Errorf("cleared rules are still there: %s", domain.RulesJSON(cleared.Rules()))
	}
	update(rules)
	if _, err := c.s.Update(ctx, "ruled", c.now, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		l, err := l.Delete(c.now)
		return l, quarantine.FreeAfter(l), err
	}); err != nil {
		t.Fatal(err)
	}
	if found, err := c.s.Find(ctx, "ruled", c.now); err == nil && found.HasRules() {
		t.Errorf("a deleted link keeps its rules: %s", domain.RulesJSON(found.Rules()))
	}
}
