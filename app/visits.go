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
// (link, hour) key or a referrer host was not seen before (entries and
// their referrer sketches are kept from one flush to the next). It
// holds at most a fixed number of keys (VISIT_PENDING_KEYS), counting the
// batch being written; a visit that would need another key is dropped and
// counted.
//
// Referrer hosts are counted per key in a heavy-hitter sketch
// (domain.HeavyHitters) of ReferrerCandidates hosts that lives for the
// whole hour, across flushes: each batch names the domain.MaxReferrers
// hosts with the most visits so far, by count and not by arrival, so forged
// Referer values sent in bursts cannot take a real host's place, and cost
// no keys and bounded memory (the rest are counted as domain.ReferrerOther).
// A host that ranks among them only later is named then with all its
// visits of the hour, taken back from "other".
type VisitRecorder struct {
	shards    [visitShards]visitShard
	clock     ports.Clock
	bots      ports.BotDetector
	limit     int64
	referrers *domain.HeavyHitterLimits[string]

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
	referrers   domain.HeavyHitters[string] // for the whole hour: not reset by a flush
}

// ReferrerCandidates is how many referrer hosts a key's sketch may track:
// ten times the hosts a batch names, so a flood of forged hosts must
// outnumber a real host's visits a hundredfold to push it out.
const ReferrerCandidates = 10 * domain.MaxReferrers

// NewVisitRecorder returns a recorder that holds at most maxKeys (link,
// hour) keys; 0 turns counting off (Record does nothing). Each key's
// referrer sketch tracks domain.MaxReferrers hosts, and up to
// ReferrerCandidates while the recorder's room of maxKeys ×
// domain.MaxReferrers more hosts lasts. Whatever the Referer values,
// memory stays within 2 × maxKeys entries (pending, and idle ones kept for
// their hour), each with domain.MaxReferrers hosts, plus that room.
func NewVisitRecorder(clock ports.Clock, bots ports.BotDetector, maxKeys int) *VisitRecorder {
	r := &VisitRecorder{clock: clock, bots: bots, limit: int64(maxKeys),
		referrers: domain.NewHeavyHitterLimits(ReferrerCandidates, domain.MaxReferrers, int64(maxKeys)*domain.MaxReferrers, strings.Clone)}
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
			e = &visitEntry{referrers: domain.NewHeavyHitters(r.referrers)}
			s.entries[key] = e
		}
		e.linkCreated = created
	}
	if bot {
		e.bots++
	} else {
		e.humans++
	}
	if host != domain.ReferrerOther { // a host named "other" is counted as other
		e.referrers.Add(host, 1)
	}
	s.recorded++
	s.mu.Unlock()
}

func shardOf(k visitKey) uint64 {
	h := uint64(k.link)*0x9E3779B97F4A7C15 ^ uint64(k.hour)*0xC2B2AE3D27D4EB4F
	return h >> 58 // top 6 bits: visitShards = 64
}

// idle reports whether the entry holds no counts: taken by the last flush
// and not visited since. Entries stay in their map after a flush, with
// their referrer sketch, until their hour is over (or, past the key bound,
// at the next flush), so a key visited again allocates nothing and its
// referrers are ranked by their visits of the whole hour.
func (e *visitEntry) idle() bool { return e.humans == 0 && e.bots == 0 }

// take removes every pending count and returns them; they stay in the
// key bound (outstanding) until settle or restore. Each key's referrers
// are its sketch's top hosts, named with what they got since they were
// last named, and "other": the rest of the key's visits since the last
// take, negative when a host named late takes back more than came.
func (r *VisitRecorder) take() []domain.VisitCounts {
	var counts []domain.VisitCounts
	var refs []domain.ReferrerCount // one backing array for every key's referrers
	var named []domain.Counted[string]
	hour := domain.VisitHourOf(r.clock.Now())
	var kept int64 // idle entries kept for their hour
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		taken := 0
		for k, e := range s.entries {
			if e.idle() {
				if k.hour < hour || kept >= r.limit { // its hour is over, or too many are kept
					e.referrers.Release()
					delete(s.entries, k)
				} else {
					kept++
				}
				continue
			}
			start := len(refs)
			var sum int64
			named, sum = e.referrers.Report(domain.MaxReferrers, named[:0])
			for _, n := range named {
				refs = append(refs, domain.ReferrerCount{Host: n.Value, Visits: n.Count})
			}
			if other := e.humans + e.bots - sum; other != 0 {
				refs = append(refs, domain.ReferrerCount{Host: domain.ReferrerOther, Visits: other})
			}
			counts = append(counts, domain.VisitCounts{
				Link: k.link, LinkCreatedAt: e.linkCreated, Hour: k.hour.Start(),
				Humans: e.humans, Bots: e.bots, Referrers: refs[start:len(refs):len(refs)],
			})
			e.humans, e.bots = 0, 0
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
// applied: their keys were within the bound, so none is dropped, and the
// hosts the batch named are named again by the next one.
func (r *VisitRecorder) restore(counts []domain.VisitCounts) {
	for _, c := range counts {
		key := visitKey{link: c.Link, hour: domain.VisitHourOf(c.Hour)}
		s := &r.shards[shardOf(key)]
		s.mu.Lock()
		e := s.entries[key]
		if e == nil {
			e = &visitEntry{referrers: domain.NewHeavyHitters(r.referrers)}
			s.entries[key] = e
		}
		if e.idle() {
			e.linkCreated = c.LinkCreatedAt
			r.keys.Add(1)
		}
		e.humans += c.Humans
		e.bots += c.Bots
		for _, ref := range c.Referrers {
			if ref.Host != domain.ReferrerOther { // other is what the hosts leave of the total
				e.referrers.Unreport(ref.Host, ref.Visits)
			}
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

// ReferrerHosts is how many referrer hosts the keys' sketches track.
func (r *VisitRecorder) ReferrerHosts() int64 {
	var n int64
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for _, e := range s.entries {
			n += int64(e.referrers.Len())
		}
		s.mu.Unlock()
	}
	return n
}

// Dropped counts the visits dropped because the pending keys were at their bound.
func (r *VisitRecorder) Dropped() uint64 { return r.dropped.Load() }

// PendingKeys is the (link, hour) keys held in memory, those of the batch
// being written included.
func (r *VisitRecorder) PendingKeys() int64 { return r.keys.Load() + r.outstanding.Load() }
