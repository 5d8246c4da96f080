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
// (link, hour) key or a referrer host was not seen in the last interval
// (entries are reused from one flush to the next). It
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
	hour domain.VisitHour
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
	key := visitKey{link: id, hour: domain.VisitHourOf(r.clock.Now())}
	s := &r.shards[shardOf(key)]
	s.mu.Lock()
	e := s.entries[key]
	if e == nil || e.idle() {
		if r.keys.Add(1)+r.outstanding.Load() > r.limit {
			r.keys.Add(-1)
			s.mu.Unlock()
			r.dropped.Add(1)
			return
		}
		if e == nil {
			e = &visitEntry{}
			s.entries[key] = e
		}
		e.linkCreated = created
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

// idle reports whether the entry holds no counts: taken by the last flush
// and not visited since. Entries stay in their map for one interval after
// a flush, so a key visited every interval allocates nothing; take drops
// the ones still idle at the next flush.
func (e *visitEntry) idle() bool { return e.humans == 0 && e.bots == 0 }

// reset empties the entry, keeping the referrer hosts' strings for reuse.
func (e *visitEntry) reset() { e.humans, e.bots, e.other, e.nrefs = 0, 0, 0, 0 }

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
	if e.refs[e.nrefs].Host != host { // a slot reused after reset may hold it already
		// The host may be a slice of a request header: keep a copy of its own.
		e.refs[e.nrefs].Host = strings.Clone(host)
	}
	e.refs[e.nrefs].Visits = n
	e.nrefs++
}

// take removes every pending count and returns them; they stay in the
// key bound (outstanding) until settle or restore.
func (r *VisitRecorder) take() []domain.VisitCounts {
	var counts []domain.VisitCounts
	var refs []domain.ReferrerCount // one backing array for every key's referrers
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		taken := 0
		for k, e := range s.entries {
			if e.idle() {
				delete(s.entries, k) // a whole interval without a visit
				continue
			}
			start := len(refs)
			refs = append(refs, e.refs[:e.nrefs]...)
			if e.other > 0 {
				refs = append(refs, domain.ReferrerCount{Host: domain.ReferrerOther, Visits: e.other})
			}
			counts = append(counts, domain.VisitCounts{
				Link: k.link, LinkCreatedAt: e.linkCreated, Hour: k.hour.Start(),
				Humans: e.humans, Bots: e.bots, Referrers: refs[start:len(refs):len(refs)],
			})
			e.reset()
			taken++
		}
		r.outstanding.Add(int64(taken))
		r.keys.Add(-int64(taken))
		s.mu.Unlock()
	}
	return counts
}

// settle releases the key bound of a batch of n keys that was applied.
func (r *VisitRecorder) settle(n int) { r.outstanding.Add(-int64(n)) }

// restore merges back the counts of a batch that was certainly not
// applied: their keys were within the bound, so none is dropped.
func (r *VisitRecorder) restore(counts []domain.VisitCounts) {
	for _, c := range counts {
		key := visitKey{link: c.Link, hour: domain.VisitHourOf(c.Hour)}
		s := &r.shards[shardOf(key)]
		s.mu.Lock()
		e := s.entries[key]
		if e == nil {
			e = &visitEntry{}
			s.entries[key] = e
		}
		if e.idle() {
			e.linkCreated = c.LinkCreatedAt
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
