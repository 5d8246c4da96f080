//go:build integration

package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
)

// newFeeds is a store on a fresh database, a maker of feeds of its
// changes, and a pool of the test's own.
func newFeeds(t *testing.T) (*postgres.Store, func(t *testing.T) *postgres.ChangeFeed, *sqlx.DB) {
	t.Helper()
	url := testenv.Database(t)
	s, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 8, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	newFeed := func(t *testing.T) *postgres.ChangeFeed {
		f, err := postgres.NewChangeFeed(postgres.Options{URL: url, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	return s, newFeed, testenv.SQL(t, url)
}

func TestChangeFeedContract(t *testing.T) {
	t.Parallel()
	porttest.ChangeFeedContract(t, func(t *testing.T) porttest.ChangeFeeds {
		s, newFeed, _ := newFeeds(t)
		return porttest.ChangeFeeds{Store: s, NewFeed: func(t *testing.T) ports.ChangeFeed { return newFeed(t) }}
	})
}

// rewound is a new feed that has read everything so far.
func rewound(t *testing.T, newFeed func(t *testing.T) *postgres.ChangeFeed) *postgres.ChangeFeed {
	t.Helper()
	f := newFeed(t)
	f.Rewind(time.Now().Add(time.Hour))
	readChanges(t, f)
	return f
}

func readChanges(t *testing.T, f *postgres.ChangeFeed) []ports.Change {
	t.Helper()
	changes, err := f.Changes(context.Background(), time.Now(), 100)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	return changes
}

func expectRead(t *testing.T, what string, f *postgres.ChangeFeed, want ...ports.Change) {
	t.Helper()
	got := readChanges(t, f)
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

func linkChange(code string, id, version int64) ports.Change {
	return ports.Change{Kind: ports.ChangeLink, Key: code, ID: id, Version: version}
}

// TestEveryWriterIsAnnounced: the trigger announces changes made behind
// the store's back (another release, a tool, an operator's SQL): updates
// and deletions of rows, each in the transaction that makes it.
func TestEveryWriterIsAnnounced(t *testing.T) {
	t.Parallel()
	s, newFeed, db := newFeeds(t)
	link := mustInsert(t, s, "behind", "https://example.com/behind", time.Now(), time.Now().Add(time.Hour))
	f := rewound(t, newFeed)
	db.MustExec(`UPDATE short_link SET state = 1, disabled_by_admin = true, version = version + 1 WHERE code = 'behind'`)
	expectRead(t, "after an UPDATE in SQL", f, linkChange("behind", int64(link.ID()), 2))
	tx := db.MustBegin()
	tx.MustExec(`UPDATE short_link SET version = version + 1 WHERE code = 'behind'`)
	expectRead(t, "while the change is not committed", f)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	expectRead(t, "after the change rolled back", f)
	db.MustExec(`DELETE FROM short_link WHERE code = 'behind'`)
	expectRead(t, "after a DELETE", f, linkChange("behind", int64(link.ID()), 2))
}

// TestAChangeCommittedOutOfOrderIsNotMissed: ids are taken when a change
// is made, not when it commits, so a change with a lower id can commit
// after one with a higher id was read; the feed returns it all the same.
func TestAChangeCommittedOutOfOrderIsNotMissed(t *testing.T) {
	t.Parallel()
	s, newFeed, db := newFeeds(t)
	early := mustInsert(t, s, "early", "https://example.com/early", time.Now(), time.Now().Add(time.Hour))
	late := mustInsert(t, s, "late", "https://example.com/late", time.Now(), time.Now().Add(time.Hour))
	f := rewound(t, newFeed)
	slow := db.MustBegin()
	slow.MustExec(`UPDATE short_link SET version = version + 1 WHERE code = 'early'`) // takes the lower id
	db.MustExec(`UPDATE short_link SET version = version + 1 WHERE code = 'late'`)
	expectRead(t, "the change committed first", f, linkChange("late", int64(late.ID()), 2))
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	expectRead(t, "the change with the lower id, committed last", f, linkChange("early", int64(early.ID()), 2))
	expectRead(t, "a read after both", f)
}

// TestANotificationWakesTheFeed: a committed change wakes the feed
// (LISTEN/NOTIFY), and so it does again after the listening connection
// was cut (the listener reconnects and wakes it, since it may have missed
// a notification meanwhile).
func TestANotificationWakesTheFeed(t *testing.T) {
	t.Parallel()
	s, newFeed, db := newFeeds(t)
	link := mustInsert(t, s, "woken", "https://example.com/woken", time.Now(), time.Now().Add(time.Hour))
	f := rewound(t, newFeed)
	awaitListening(t, f)
	drainWakes(f)
	toggle(t, s, link.Code())
	expectWake(t, f, "after a change")

	var cut int
	if err := db.Get(&cut, `
		WITH listener AS MATERIALIZED (SELECT pid FROM pg_stat_activity
			WHERE application_name = 'shortlink change listener' AND datname = current_database())
		SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM listener`); err != nil || cut != 1 {
		t.Fatalf("cut %d listening connections (%v), want 1", cut, err)
	}
	expectWake(t, f, "after the listening connection was cut") // reconnected, and listening again
	drainWakes(f)
	toggle(t, s, link.Code())
	expectWake(t, f, "after a change, reconnected")
	expectRead(t, "the changes", f, linkChange("woken", int64(link.ID()), 2), linkChange("woken", int64(link.ID()), 3))
}

// awaitListening waits until the feed's LISTEN was acknowledged.
func awaitListening(t *testing.T, f *postgres.ChangeFeed) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !f.Listening(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the feed did not LISTEN within 10 s")
		}
	}
}

func drainWakes(f *postgres.ChangeFeed) {
	for {
		select {
		case <-f.Wake():
		default:
			return
		}
	}
}

func expectWake(t *testing.T, f *postgres.ChangeFeed, what string) {
	t.Helper()
	select {
	case <-f.Wake():
	case <-time.After(5 * time.Second):
		t.Fatalf("no wake-up %s within 5 s", what)
	}
}

func toggle(t *testing.T, s *postgres.Store, code domain.Code) {
	t.Helper()
	if _, err := s.Update(context.Background(), code, time.Now(), func(current domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := current.SetDisabled(current.State() != domain.StateDisabled, domain.ActorAdmin)
		return next, quarantine.FreeAfter(next), err
	}); err != nil {
		t.Fatal(err)
	}
}
