package porttest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// ChangeFeeds is one store and the feeds of its changes: a feed per
// follower, each with a cursor of its own.
type ChangeFeeds struct {
	Store ports.LinkStore
	// NewFeed returns a new follower's feed of Store's changes.
	NewFeed func(t *testing.T) ports.ChangeFeed
}

// ChangeFeedContract runs the change feed contract against fresh stores
// and their feeds, made by newFeeds, one per rule. The store's clock is
// the wall clock (a store stamps changes with its own), and the store
// starts empty.
func ChangeFeedContract(t *testing.T, newFeeds func(t *testing.T) ChangeFeeds) {
	t.Helper()
	runRules(t, changeFeedRules, func(t *testing.T) feedCase { return feedCase{ChangeFeeds: newFeeds(t)} })
}

var changeFeedRules = []rule[feedCase]{
	{"an update is announced with the link's id and version", anUpdateIsAnnounced},
	{"each change is returned once, in order", eachChangeIsReturnedOnceInOrder},
	{"every follower reads every change", everyFollowerReadsEveryChange},
	{"a code taken over by a new link is announced", aCodeTakenOverIsAnnounced},
	{"rewind starts with the changes since the instant", rewindStartsWithTheChangesSince},
	{"limit bounds a read, and the next read goes on", limitBoundsARead},
	{"prune forgets the changes before the instant", pruneForgetsOldChanges},
}

type feedCase struct{ ChangeFeeds }

// followed is a new feed rewound to a minute ago: nothing of the empty
// store to read.
func (c feedCase) followed(t *testing.T) ports.ChangeFeed {
	t.Helper()
	f := c.NewFeed(t)
	f.Rewind(time.Now().Add(-time.Minute))
	if got := c.read(t, f, 100); len(got) != 0 {
		t.Fatalf("a feed of an empty store read %v", got)
	}
	return f
}

func (c feedCase) read(t *testing.T, f ports.ChangeFeed, limit int) []ports.Change {
	t.Helper()
	changes, err := f.Changes(context.Background(), time.Now(), limit)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	return changes
}

// stored inserts a link of code and returns it as stored.
func (c feedCase) stored(t *testing.T, code domain.Code) domain.ShortLink {
	t.Helper()
	link := Link(code).Created(time.Now()).Build()
	stored, err := c.Store.Insert(context.Background(), link, quarantine.FreeAfter(link))
	if err != nil {
		t.Fatalf("Insert(%s): %v", code, err)
	}
	return stored
}

// toggle disables or enables link's code and returns the link as updated.
func (c feedCase) toggle(t *testing.T, link domain.ShortLink) domain.ShortLink {
	t.Helper()
	next, err := c.Store.Update(context.Background(), link.Code(), time.Now(), func(current domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := current.SetDisabled(current.State() != domain.StateDisabled, domain.ActorOwner)
		return next, quarantine.FreeAfter(next), err
	})
	if err != nil {
		t.Fatalf("Update(%s): %v", link.Code(), err)
	}
	return next
}

// changeOf is the change that left link as it is.
func changeOf(link domain.ShortLink) ports.Change {
	return ports.Change{Kind: ports.ChangeLink, Key: string(link.Code()), ID: int64(link.ID()), Version: link.Version()}
}

func expectChanges(t *testing.T, what string, got []ports.Change, want ...ports.Change) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" && (len(want) != 0 || len(got) != 0) {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

func anUpdateIsAnnounced(t *testing.T, c feedCase) {
	f := c.followed(t)
	link := c.stored(t, "feed1")
	expectChanges(t, "changes after an insert", c.read(t, f, 100)) // a new link has no copies to drop
	changed := c.toggle(t, link)
	if changed.Version() != 2 {
		t.Fatalf("an update left version %d, want 2", changed.Version())
	}
	expectChanges(t, "changes after an update", c.read(t, f, 100), changeOf(changed))
}

func eachChangeIsReturnedOnceInOrder(t *testing.T, c feedCase) {
	f := c.followed(t)
	a, b := c.stored(t, "feedA"), c.stored(t, "feedB")
	a2 := c.toggle(t, a)
	b2 := c.toggle(t, b)
	a3 := c.toggle(t, a2)
	expectChanges(t, "three updates", c.read(t, f, 100), changeOf(a2), changeOf(b2), changeOf(a3))
	expectChanges(t, "a second read", c.read(t, f, 100))
	b3 := c.toggle(t, b2)
	expectChanges(t, "a later update", c.read(t, f, 100), changeOf(b3))
}

func everyFollowerReadsEveryChange(t *testing.T, c feedCase) {
	first, second := c.followed(t), c.followed(t)
	changed := c.toggle(t, c.stored(t, "feed2"))
	expectChanges(t, "the first follower", c.read(t, first, 100), changeOf(changed))
	expectChanges(t, "the second follower", c.read(t, second, 100), changeOf(changed))
}

func aCodeTakenOverIsAnnounced(t *testing.T, c feedCase) {
	f := c.followed(t)
	old := Link("feedReused").Created(time.Now().Add(-3 * time.Hour)).Lifetime(time.Hour).Build()
	if _, err := c.Store.Insert(context.Background(), old, time.Now().Add(-time.Hour)); err != nil { // its quarantine is over
		t.Fatal(err)
	}
	expectChanges(t, "a first claim of a code", c.read(t, f, 100))
	taken := c.stored(t, "feedReused")
	expectChanges(t, "a claim of a code another link held", c.read(t, f, 100), changeOf(taken))
}

func rewindStartsWithTheChangesSince(t *testing.T, c feedCase) {
	before := time.Now().Add(-time.Second)
	changed := c.toggle(t, c.stored(t, "feed3"))
	time.Sleep(50 * time.Millisecond)
	after := time.Now().Add(20 * time.Millisecond)
	f := c.NewFeed(t)
	f.Rewind(before)
	expectChanges(t, "rewound to before the change", c.read(t, f, 100), changeOf(changed))
	f.Rewind(before)
	expectChanges(t, "rewound to before the change again", c.read(t, f, 100), changeOf(changed))
	time.Sleep(time.Until(after))
	f.Rewind(after)
	expectChanges(t, "rewound to after the change", c.read(t, f, 100))
}

func limitBoundsARead(t *testing.T, c feedCase) {
	f := c.followed(t)
	var want []ports.Change
	for i := range 5 {
		want = append(want, changeOf(c.toggle(t, c.stored(t, domain.Code(fmt.Sprintf("feedL%d", i))))))
	}
	expectChanges(t, "a read of 2", c.read(t, f, 2), want[:2]...)
	expectChanges(t, "the next read of 2", c.read(t, f, 2), want[2:4]...)
	expectChanges(t, "the rest", c.read(t, f, 100), want[4:]...)
}

func pruneForgetsOldChanges(t *testing.T, c feedCase) {
	c.toggle(t, c.stored(t, "feedOld"))
	time.Sleep(50 * time.Millisecond)
	cut := time.Now()
	time.Sleep(50 * time.Millisecond)
	kept := c.toggle(t, c.stored(t, "feedKept"))
	if err := c.NewFeed(t).Prune(context.Background(), cut); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	f := c.NewFeed(t)
	f.Rewind(time.Now().Add(-time.Hour))
	expectChanges(t, "after the prune", c.read(t, f, 100), changeOf(kept))
}
