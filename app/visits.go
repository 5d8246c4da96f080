package app

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// visitShards is how many independently locked maps hold the pending
// counts; a power of two.
const visitShards = 64

// VisitRecorder counts the visits of redirects in process memory, per link
// and hour, until a VisitFlusher writes them: on the redirect path it takes
// one shard's mutex for a few map operations, and allocates only when a
// (link, hour) key or a referrer host is new in the current interval. It
// holds at most a fixed number of keys (VISIT_PENDING_KEYS), counting the
// batch being written; a visit that would need another key is dropped and
// counted. Per key it keeps domain.MaxReferrers hosts, the rest as
// domain.ReferrerOther, so forged Referer values cost no keys and no memory.
type VisitRecorder struct {
	shards [visitShards]visitShard
	clock  ports.Clock
	bots   ports.BotDetector
	limit  int64

	keys        atomic.Int64 // keys in the shards
	outstanding atomic.Int64 // keys of the batch being written
	dropped     atomic.Uint64
}

type visitShard struct {
	mu       sync.Mutex
	entries  map[visitKey]*visitEntry
	recorded uint64 // under mu
	_        [40]byte
}

type visitKey struct {
	link domain.LinkID
	hour int64 // Unix hours
}

type visitEntry struct {
	linkCreated time.Time
	humans      int64
	bots        int64
	other       int64
	nrefs       int
	refs        [domain.MaxReferrers]domain.ReferrerCount
}

// NewVisitRecorder returns a recorder that holds at most maxKeys (link,
// hour) keys; 0 turns counting off (Record does nothing).
func NewVisitRecorder(clock ports.Clock, bots ports.BotDetector, maxKeys int) *VisitRecorder {
	r := &VisitRecorder{clock: clock, bots: bots, limit: int64(maxKeys)}
	for i := range r.shards {
		r.shards[i].entries = map[visitKey]*visitEntry{}
	}
	return r
}

// Enabled reports whether visits are counted.
func (r *VisitRecorder) Enabled() bool { return r != nil && r.limit > 0 }

// Record counts one answered redirect of link id (created at created): a
// bot's when head (a HEAD request) or when the user agent is absent or a
// bot's, else a human's, with the host of referer.
func (r *VisitRecorder) Record(id domain.LinkID, created time.Time, head bool, userAgent, referer string) {
	if !r.Enabled() {
		return
	}
	bot := head || userAgent == "" || r.bots.IsBot(userAgent)
	host := domain.ReferrerHost(referer)
	key := visitKey{link: id, hour: r.clock.Now().Unix() / 3600}
	s := &r.shards[shardOf(key)]
	s.mu.Lock()
	e := s.entries[key]
	if e == nil {
		if r.keys.Add(1)+r.outstanding.Load() > r.limit {
			r.keys.Add(-1)
			s.mu.Unlock()
			r.dropped.Add(1)
			return
		}
		e = &visitEntry{linkCreated: created}
		s.entries[key] = e
	}
	if bot {
		e.bots++
	} else {
		e.humans++
	}
	e.addReferrer(host, 1)
	s.recorded++
	s.mu.Unlock()
}

func shardOf(k visitKey) uint64 {
	h := uint64(k.link)*0x9E3779B97F4A7C15 ^ uint64(k.hour)*0xC2B2AE3D27D4EB4F
	return h >> 58 // top 6 bits: visitShards = 64
}

func (e *visitEntry) addReferrer(host string, n int64) {
	if host == domain.ReferrerOther {
		e.other += n
		return
	}
	for i := 0; i < e.nrefs; i++ {
		if e.refs[i].Host == host {
			e.refs[i].Visits += n
			return
		}
	}
	if e.nrefs == len(e.refs) {
		e.other += n
		return
	}
	// The host may be a slice of a request header: keep a copy of its own.
	e.refs[e.nrefs] = domain.ReferrerCount{Host: strings.Clone(host), Visits: n}
	e.nrefs++
}

// take removes every pending count and returns them; they stay in the
// key bound (outstanding) until settle or restore.
func (r *VisitRecorder) take() []domain.VisitCounts {
	var counts []domain.VisitCounts
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		entries := s.entries
		if len(entries) == 0 {
			s.mu.Unlock()
			continue // and leave the live map alone: Records write to it
		}
		s.entries = make(map[visitKey]*visitEntry, len(entries))
		r.outstanding.Add(int64(len(entries)))
		r.keys.Add(-int64(len(entries)))
		s.mu.Unlock()
		for k, e := range entries {
			c := domain.VisitCounts{
				Link: k.link, LinkCreatedAt: e.linkCreated, Hour: time.Unix(k.hour*3600, 0).UTC(),
				Humans: e.humans, Bots: e.bots, Referrers: make([]domain.ReferrerCount, e.nrefs, e.nrefs+1),
			}
			copy(c.Referrers, e.refs[:e.nrefs])
			if e.other > 0 {
				c.Referrers = append(c.Referrers, domain.ReferrerCount{Host: domain.ReferrerOther, Visits: e.other})
			}
			counts = append(counts, c)
		}
	}
	return counts
}

// settle releases the key bound of a batch of n keys that was applied.
func (r *VisitRecorder) settle(n int) { r.outstanding.Add(-int64(n)) }

// restore merges back the counts of a batch that was certainly not
// applied: their keys were within the bound, so none is dropped.
func (r *VisitRecorder) restore(counts []domain.VisitCounts) {
	for _, c := range counts {
		key := visitKey{link: c.Link, hour: c.Hour.Unix() / 3600}
		s := &r.shards[shardOf(key)]
		s.mu.Lock()
		e := s.entries[key]
		if e == nil {
			e = &visitEntry{linkCreated: c.LinkCreatedAt}
			s.entries[key] = e
			r.keys.Add(1)
		}
		e.humans += c.Humans
		e.bots += c.Bots
		for _, ref := range c.Referrers {
			e.addReferrer(ref.Host, ref.Visits)
		}
		s.mu.Unlock()
	}
	r.outstanding.Add(-int64(len(counts)))
}

// Recorded counts the visits recorded in memory since the start.
func (r *VisitRecorder) Recorded() uint64 {
	var n uint64
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		n += s.recorded
		s.mu.Unlock()
	}
	return n
}

// Dropped counts the visits dropped because the pending keys were at their bound.
func (r *VisitRecorder) Dropped() uint64 { return r.dropped.Load() }

// PendingKeys is the (link, hour) keys held in memory, those of the batch
// being written included.
func (r *VisitRecorder) PendingKeys() int64 { return r.keys.Load() + r.outstanding.Load() }
