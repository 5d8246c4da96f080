package memory

import (
	"context"
	"sync"
	"time"

	"github.com/shortlink/shortlink/ports"
)

// changeLog is what a LinkStore's updates announce, for its ChangeFeeds:
// the fake of the Postgres change log, sharing its contract.
type changeLog struct {
	mu      sync.Mutex
	changes []loggedChange
	pruned  int // how many changes were pruned from the front
	feeds   []*ChangeFeed
}

type loggedChange struct {
	ports.Change
	at time.Time
}

// append logs change, made at at, and wakes every feed.
func (l *changeLog) append(change ports.Change, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changes = append(l.changes, loggedChange{Change: change, at: at})
	for _, f := range l.feeds {
		select {
		case f.wake <- struct{}{}:
		default:
		}
	}
}

// ChangeFeed is one follower's cursor in a LinkStore's changes.
type ChangeFeed struct {
	log  *changeLog
	wake chan struct{}
	next int // the number of the next change to return, counting pruned ones
}

var _ ports.ChangeFeed = (*ChangeFeed)(nil)

// ChangeFeed returns a new follower's feed of the store's changes.
func (s *LinkStore) ChangeFeed() *ChangeFeed {
	f := &ChangeFeed{log: &s.log, wake: make(chan struct{}, 1)}
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.feeds = append(s.log.feeds, f)
	return f
}

// Rewind implements ports.ChangeFeed.
func (f *ChangeFeed) Rewind(since time.Time) {
	f.log.mu.Lock()
	defer f.log.mu.Unlock()
	f.next = f.log.pruned + len(f.log.changes)
	for f.next > f.log.pruned && !f.log.changes[f.next-f.log.pruned-1].at.Before(since) {
		f.next--
	}
}

// Changes implements ports.ChangeFeed.
func (f *ChangeFeed) Changes(_ context.Context, _ time.Time, limit int) ([]ports.Change, error) {
	f.log.mu.Lock()
	defer f.log.mu.Unlock()
	f.next = max(f.next, f.log.pruned)
	var out []ports.Change
	for ; f.next < f.log.pruned+len(f.log.changes) && len(out) < limit; f.next++ {
		out = append(out, f.log.changes[f.next-f.log.pruned].Change)
	}
	return out, nil
}

// Wake implements ports.ChangeFeed.
func (f *ChangeFeed) Wake() <-chan struct{} { return f.wake }

// Prune implements ports.ChangeFeed.
func (f *ChangeFeed) Prune(_ context.Context, before time.Time) error {
	f.log.mu.Lock()
	defer f.log.mu.Unlock()
	n := 0
	for n < len(f.log.changes) && f.log.changes[n].at.Before(before) {
		n++
	}
	f.log.changes = f.log.changes[n:]
	f.log.pruned += n
	return nil
}
