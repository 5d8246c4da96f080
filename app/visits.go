package app

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

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
//
// Every other dimension (domain.Dimension: country, device, browser, OS,
// UTM) is counted the same way, in a sketch of its own per key, and each
// human visit's keyed visitor hash (domain.VisitorHash) is kept until the
// flush, for the link and day's unique-visitor sketch. All of it, the keys
// included, is charged to one budget of bytes (VISIT_PENDING_BYTES), half
// for keys and visitor hashes, half for the sketches' counters, so values
// cannot starve keys: whatever the values, a flood of them cannot grow
// memory past it. Past it a new key's visit is dropped (and counted), a
// new value takes the least counted one's counter, and a visitor hash is
// not kept (and counted).
type VisitRecorder struct {
	shards    [visitShards]visitShard
	clock     ports.Clock
	bots      ports.BotDetector
	geo       ports.GeoLocator
	limit     int64
	referrers *domain.HeavyHitterLimits[string]
	coded     [codedDims]*domain.HeavyHitterLimits[uint16]
	named     [domain.NumDimensions - codedDims]*domain.HeavyHitterLimits[string]
	agents    vocabulary    // the codes of device classes, browser and OS families
	budget    *atomic.Int64 // bytes left for keys and visitor hashes: half of VISIT_PENDING_BYTES
	room      *atomic.Int64 // bytes left for the sketches' counters: the other half, so values cannot starve keys
	maxBytes  int64
	dayKey    atomic.Pointer[visitorKey]
	uniques   bool // visitor hashes are kept (a VisitorKeys is wired)
	// dimensions: visits are counted by country, device, browser, OS and
	// campaign too (unless WithoutDimensions).
	dimensions bool

	droppedUniques atomic.Uint64

	keys        atomic.Int64 // keys in the shards
	outstanding atomic.Int64 // keys of the batch being written
	dropped     atomic.Uint64

	// spare holds the backing arrays of the last batch once its flusher
	// is done with it (recycle), for the next take: a flush every second
	// would otherwise allocate them anew each time. Only one batch is out
	// at a time (the flusher takes the next only when the last is
	// written or merged back), so take and recycle never share one.
	spareMu sync.Mutex
	spare   takeBuffers
	lent    takeBuffers // the arrays of the batch out
}

// takeBuffers are the arrays a batch is laid out in.
type takeBuffers struct {
	counts []domain.VisitCounts
	refs   []domain.ReferrerCount
	hashes []uint64
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
	referrers   domain.HeavyHitters[string]                                   // for the whole hour: not reset by a flush
	coded       [codedDims]domain.HeavyHitters[uint16]                        // country, device, browser, OS
	named       [domain.NumDimensions - codedDims]domain.HeavyHitters[string] // UTM source, medium, campaign; rule
	uniques     []uint64                                                      // visitor hashes since the last take; its capacity is charged to the budget
}

// visitorKey is the key of one day's visitor hashes.
type visitorKey struct {
	day int64 // Unix days
	key []byte
}

// Memory charged to the budget: what a key's entry costs (the entry, its
// sketches' headers, its place in a map), and what one counter of a
// sketch costs (the counter, its place in the sketch's index) beside its
// value, whose most bytes each dimension bounds.
const (
	visitEntryBytes   = 768
	visitCounterBytes = 136
)

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
//
// maxBytes bounds, in bytes, everything the recorder keeps (keys, their
// sketches of every dimension, referrers included, and visitor hashes); 0
// leaves it unbounded but for maxKeys.
func NewVisitRecorder(clock ports.Clock, bots ports.BotDetector, maxKeys int) *VisitRecorder {
	return NewVisitRecorderBytes(clock, bots, maxKeys, 0)
}

// NewVisitRecorderBytes is NewVisitRecorder with a budget of maxBytes.
func NewVisitRecorderBytes(clock ports.Clock, bots ports.BotDetector, maxKeys int, maxBytes int64) *VisitRecorder {
	if maxBytes <= 0 {
		maxBytes = 1 << 62
	}
	r := &VisitRecorder{clock: clock, bots: bots, limit: int64(maxKeys), budget: new(atomic.Int64), room: new(atomic.Int64), maxBytes: maxBytes, dimensions: true}
	r.budget.Store(maxBytes - maxBytes/2)
	r.room.Store(maxBytes / 2)
	r.referrers = domain.NewHeavyHitterBudget(ReferrerCandidates, visitCounterBytes+256, r.room, strings.Clone)
	for d := range r.coded {
		capacity, valueBytes := 32, int64(0) // device, browser, OS: a few values
		if domain.Dimension(d) == domain.DimCountry {
			capacity, valueBytes = ReferrerCandidates, 8
		}
		r.coded[d] = domain.NewHeavyHitterBudget[uint16](capacity, visitCounterBytes+valueBytes, r.room, nil)
	}
	for i := range r.named {
		capacity, valueBytes, own := ReferrerCandidates, int64(domain.MaxDimensionValue), strings.Clone
		if codedDims+domain.Dimension(i) == domain.DimRule { // a few constants, never copied
			capacity, valueBytes, own = 32, 0, nil
		}
		r.named[i] = domain.NewHeavyHitterBudget(capacity, visitCounterBytes+valueBytes, r.room, own)
	}
	for i := range r.shards {
		r.shards[i].entries = map[visitKey]*visitEntry{}
	}
	return r
}

// Locate makes the recorder count countries with geo; without one every
// visit's country is domain.CountryUnknown.
func (r *VisitRecorder) Locate(geo ports.GeoLocator) *VisitRecorder {
	r.geo = geo
	return r
}

// WithoutDimensions makes the recorder count humans, bots and referrers
// only: no country, device, browser, OS or campaign (VISIT_DIMENSIONS off).
func (r *VisitRecorder) WithoutDimensions() *VisitRecorder {
	r.dimensions = false
	return r
}

// CountUniques makes the recorder keep visitor hashes, under the day keys
// that RefreshKey finds.
func (r *VisitRecorder) CountUniques() *VisitRecorder {
	r.uniques = true
	return r
}

// RefreshKey makes sure the recorder holds the visitor key of now's day,
// asking keys when it does not; until it has one, visitor hashes are not
// kept (uniques are not counted, rather than counted wrongly). A failure
// forgets the key held, whatever its day.
func (r *VisitRecorder) RefreshKey(ctx context.Context, keys ports.VisitorKeys, now time.Time) error {
	day := unixDay(now)
	if k := r.dayKey.Load(); k != nil && k.day == day {
		return nil
	}
	key, err := keys.DayKey(ctx, now)
	if err != nil || len(key) == 0 {
		r.dayKey.Store(nil)
		if err == nil {
			err = errors.New("visitor key: empty")
		}
		return err
	}
	r.dayKey.Store(&visitorKey{day: day, key: key})
	return nil
}

func unixDay(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func (r *VisitRecorder) newEntry() *visitEntry {
	e := &visitEntry{referrers: domain.NewHeavyHitters(r.referrers)}
	for d := range e.coded {
		e.coded[d] = domain.NewHeavyHitters(r.coded[d])
	}
	for i := range e.named {
		e.named[i] = domain.NewHeavyHitters(r.named[i])
	}
	return e
}

// release empties e's sketches and gives back what it was charged.
func (r *VisitRecorder) release(e *visitEntry) {
	e.referrers.Release()
	for d := range e.coded {
		e.coded[d].Release()
	}
	for i := range e.named {
		e.named[i].Release()
	}
	r.budget.Add(visitEntryBytes + int64(cap(e.uniques))*8)
	e.uniques = nil
}

// short reports whether a quarter or less of either half of the budget is left.
func (r *VisitRecorder) short() bool {
	return r.budget.Load() < r.maxBytes/8 || r.room.Load() < r.maxBytes/8
}

// keepUnique appends h to e's visitor hashes, when the budget allows.
func (r *VisitRecorder) keepUnique(e *visitEntry, h uint64) bool {
	if len(e.uniques) == cap(e.uniques) {
		grown := max(2*cap(e.uniques), 8)
		if r.budget.Add(-int64(grown-cap(e.uniques))*8) < 0 {
			r.budget.Add(int64(grown-cap(e.uniques)) * 8)
			return false
		}
		e.uniques = append(make([]uint64, 0, grown), e.uniques...)
	}
	e.uniques = append(e.uniques, h)
	return true
}

// Enabled reports whether visits are counted.
func (r *VisitRecorder) Enabled() bool { return r != nil && r.limit > 0 }

// Record counts one answered redirect of link id (created at created): a
// bot's when head (a HEAD request) or when the user agent is absent or a
// bot's, else a human's, with the host of referer.
func (r *VisitRecorder) Record(id domain.LinkID, created time.Time, head bool, userAgent, referer string) {
	r.RecordVisit(id, created, Hit{Head: head, UserAgent: userAgent, Referer: referer})
}

// Hit is what a redirect's request says about its visitor: read, counted
// under its dimensions, and forgotten.
type Hit struct {
	// Head is a HEAD request: a bot's.
	Head bool
	// UserAgent and Referer are the headers' values.
	UserAgent, Referer string
	// RawQuery is the short URL's query string (for its UTM values).
	RawQuery string
	// Addr is the client's address (after trusted proxies); the zero
	// Addr when unknown.
	Addr netip.Addr
	// Agent is UserAgent as classified, when AgentKnown: a redirect that
	// read it for its rules hands it on, so it is parsed once.
	Agent      domain.UserAgent
	AgentKnown bool
	// Country is Addr's country, when a redirect's rules looked it up; ""
	// otherwise.
	Country string
	// Rule is which rule of a link with rules served the visit
	// (RuleValue); "" for a link without rules.
	Rule string
}

// RuleValue is the rule dimension's value of rule i (-1: none matched).
func RuleValue(i int) string { return domain.RuleValue(i) }

// RecordVisit counts one answered redirect of link id (created at
// created): a bot's when a HEAD, or when the user agent is absent or a
// bot's, else a human's, under every dimension, and a human's visitor hash
// when the day's key is known.
func (r *VisitRecorder) RecordVisit(id domain.LinkID, created time.Time, hit Hit) {
	if !r.Enabled() {
		return
	}
	now := r.clock.Now()
	var vals domain.VisitorValues
	bot := true
	vals[domain.DimDevice], vals[domain.DimBrowser], vals[domain.DimOS] = domain.DeviceBot, domain.ValueOther, domain.ValueOther
	if hit.UserAgent != "" {
		ua := hit.Agent
		if !hit.AgentKnown {
			ua = r.bots.Agent(hit.UserAgent)
		}
		bot = hit.Head || ua.Bot
		vals[domain.DimBrowser], vals[domain.DimOS] = ua.Browser, ua.OS
		if !bot {
			vals[domain.DimDevice] = ua.Device
		}
	}
	if r.dimensions {
		vals[domain.DimCountry] = domain.CountryUnknown
		if hit.Country != "" {
			vals[domain.DimCountry] = hit.Country
		} else if r.geo != nil && hit.Addr.IsValid() {
			vals[domain.DimCountry] = r.geo.Country(hit.Addr)
		}
		vals[domain.DimUTMSource], vals[domain.DimUTMMedium], vals[domain.DimUTMCampaign] = domain.UTM(hit.RawQuery)
	}
	var codes [codedDims]uint16 // looked up before the shard's lock is taken
	if r.dimensions {
		codes[domain.DimCountry] = countryKey(vals[domain.DimCountry])
		for d := domain.DimDevice; d < codedDims; d++ {
			codes[d] = r.agents.code(vals[d])
		}
	}
	var visitor uint64
	hashed := false
	if r.uniques && !bot && hit.Addr.IsValid() {
		if k := r.dayKey.Load(); k != nil && k.day == unixDay(now) {
			visitor, hashed = domain.VisitorHash(k.key, hit.Addr, hit.UserAgent, id), true
		}
	}
	host := domain.ReferrerHost(hit.Referer)
	key := visitKey{link: id, hour: domain.VisitHourOf(now)}
	s := &r.shards[shardOf(key)]
	s.mu.Lock()
	e := s.entries[key]
	if e == nil || e.idle() {
		if r.keys.Add(1)+r.outstanding.Load() > r.limit || (e == nil && r.budget.Add(-visitEntryBytes) < 0) {
			if e == nil {
				r.budget.Add(visitEntryBytes)
			}
			r.keys.Add(-1)
			s.mu.Unlock()
			r.dropped.Add(1)
			return
		}
		if e == nil {
			e = r.newEntry()
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
	if r.dimensions {
		for d := range codedDims {
			if vals[d] != domain.ReferrerOther && codes[d] != noCode {
				e.coded[d].Add(codes[d], 1)
			}
		}
		for d := codedDims; d < domain.DimRule; d++ {
			if vals[d] != domain.ReferrerOther {
				e.named[d-codedDims].Add(vals[d], 1)
			}
		}
	}
	if hit.Rule != "" { // counted with or without the other dimensions: a link with rules is rare, its rule cheap
		e.named[domain.DimRule-codedDims].Add(hit.Rule, 1)
	}
	if hashed && !r.keepUnique(e, visitor) {
		r.droppedUniques.Add(1)
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
	r.spareMu.Lock()
	buf := r.spare
	r.spare = takeBuffers{}
	r.spareMu.Unlock()
	counts := buf.counts[:0]
	// one backing array for every key's referrers and dimensions: a few values each, typically
	refs := buf.refs[:0]
	perKey := 2 * 2 // referrers: a host or two and other
	if r.dimensions {
		perKey = 2 * (1 + int(domain.NumDimensions))
	}
	if want := perKey * max(int(r.keys.Load()), 1); cap(refs) < want/2 {
		refs = make([]domain.ReferrerCount, 0, want)
	}
	hashes := buf.hashes[:0] // and one for every key's visitor hashes
	var named []domain.Counted[string]
	var namedCodes []domain.Counted[uint16]
	hour := domain.VisitHourOf(r.clock.Now())
	var kept int64 // idle entries kept for their hour
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		taken := 0
		for k, e := range s.entries {
			if e.idle() {
				if k.hour < hour || kept >= r.limit || r.short() { // its hour is over, too many are kept, or memory is short
					r.release(e)
					delete(s.entries, k)
				} else {
					kept++
				}
				continue
			}
			total := e.humans + e.bots
			c := domain.VisitCounts{
				Link: k.link, LinkCreatedAt: e.linkCreated, Hour: k.hour.Start(),
				Humans: e.humans, Bots: e.bots,
			}
			c.Referrers, refs, named = report(refs, &e.referrers, named, total, keepName)
			if r.dimensions {
				for d := range codedDims {
					c.Dimensions[d], refs, namedCodes = report(refs, &e.coded[d], namedCodes, total, r.valueName(d))
				}
				for d := codedDims; d < domain.DimRule; d++ {
					c.Dimensions[d], refs, named = report(refs, &e.named[d-codedDims], named, total, keepName)
				}
			}
			if rule := &e.named[domain.DimRule-codedDims]; rule.Len() > 0 {
				c.Dimensions[domain.DimRule], refs, named = report(refs, rule, named, total, keepName)
			}
			if len(e.uniques) > 0 {
				start := len(hashes)
				hashes = append(hashes, e.uniques...)
				c.Uniques = hashes[start:len(hashes):len(hashes)]
				e.uniques = e.uniques[:0]
			}
			counts = append(counts, c)
			e.humans, e.bots = 0, 0
			taken++
		}
		r.outstanding.Add(int64(taken))
		r.keys.Add(-int64(taken))
		s.mu.Unlock()
	}
	r.spareMu.Lock()
	if len(counts) == 0 { // no batch: nothing to give back later
		r.spare = takeBuffers{counts: counts, refs: refs, hashes: hashes}
		counts = nil
	} else {
		r.lent = takeBuffers{counts: counts, refs: refs, hashes: hashes}
	}
	r.spareMu.Unlock()
	return counts
}

// recycle gives back the arrays of the batch take returned last, once
// nothing reads it any more (written, or merged back, and its visitor
// hashes copied): the next take lays its batch out in them. Arrays grown
// far past what a batch needs are let go rather than kept.
func (r *VisitRecorder) recycle() {
	r.spareMu.Lock()
	defer r.spareMu.Unlock()
	lent := r.lent
	r.lent = takeBuffers{}
	clear(lent.counts[:cap(lent.counts)]) // drop the strings and slices they point to
	clear(lent.refs[:cap(lent.refs)])
	limit := 4 * max(int(r.limit), 1)
	if cap(lent.counts) > limit {
		lent.counts = nil
	}
	if cap(lent.refs) > 4*limit {
		lent.refs = nil
	}
	if cap(lent.hashes) > maxRecycledHashes {
		lent.hashes = nil
	}
	r.spare = lent
}

// maxRecycledHashes is the largest array of visitor hashes recycle keeps.
const maxRecycledHashes = 1 << 18

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
			r.budget.Add(-visitEntryBytes) // within the bound it was taken from; may go below zero for a moment
			e = r.newEntry()
			s.entries[key] = e
		}
		if e.idle() {
			e.linkCreated = c.LinkCreatedAt
			r.keys.Add(1)
		}
		e.humans += c.Humans
		e.bots += c.Bots
		unreport(&e.referrers, c.Referrers, keepName)
		for d := range codedDims {
			unreport(&e.coded[d], c.Dimensions[d], r.valueKey(d))
		}
		for d := codedDims; d < domain.NumDimensions; d++ {
			unreport(&e.named[d-codedDims], c.Dimensions[d], keepName)
		}
		for i, h := range c.Uniques {
			if !r.keepUnique(e, h) {
				r.droppedUniques.Add(uint64(len(c.Uniques) - i))
				break
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

// VisitorHashes is how many visitor hashes wait for the next flush.
func (r *VisitRecorder) VisitorHashes() int64 {
	var n int64
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for _, e := range s.entries {
			n += int64(len(e.uniques))
		}
		s.mu.Unlock()
	}
	return n
}

// DroppedUniques counts the visitor hashes not kept because the budget was spent.
func (r *VisitRecorder) DroppedUniques() uint64 { return r.droppedUniques.Load() }

// BudgetLeft is how many bytes of its budget the recorder has not used.
func (r *VisitRecorder) BudgetLeft() int64 { return r.budget.Load() + r.room.Load() }

// Dropped counts the visits dropped because the pending keys were at their bound.
func (r *VisitRecorder) Dropped() uint64 { return r.dropped.Load() }

// PendingKeys is the (link, hour) keys held in memory, those of the batch
// being written included.
func (r *VisitRecorder) PendingKeys() int64 { return r.keys.Load() + r.outstanding.Load() }

// report appends to refs the top values of h (named, as take reports
// them) with what they got since last reported, and "other": the rest of
// total since the last take. It returns the appended part, refs and into
// (scratch space for h's report, kept for the next call).
func report[T comparable](refs []domain.ReferrerCount, h *domain.HeavyHitters[T], into []domain.Counted[T], total int64, name func(T) string) ([]domain.ReferrerCount, []domain.ReferrerCount, []domain.Counted[T]) {
	start := len(refs)
	var sum int64
	into, sum = h.Report(domain.MaxReferrers, into[:0])
	for _, n := range into {
		refs = append(refs, domain.ReferrerCount{Host: name(n.Value), Visits: n.Count})
	}
	if other := total - sum; other != 0 {
		refs = append(refs, domain.ReferrerCount{Host: domain.ReferrerOther, Visits: other})
	}
	return refs[start:len(refs):len(refs)], refs, into
}

// unreport takes back into h the values of a batch not applied (other is
// what the values leave of the total: not a value of h).
func unreport[T comparable](h *domain.HeavyHitters[T], refs []domain.ReferrerCount, key func(string) T) {
	for _, ref := range refs {
		if ref.Host != domain.ReferrerOther {
			h.Unreport(key(ref.Host), ref.Visits)
		}
	}
}

func keepName(s string) string { return s }

// Dimensions of closed, small vocabularies are counted by a uint16 code
// rather than their string: the first codedDims of domain.Dimension
// (country, device, browser, OS). Their sketches hold no pointers, so the
// collector has nothing to follow in them, and finding a value compares
// two bytes instead of a string.
const codedDims = domain.DimOS + 1

// noCode is the code of a value the vocabulary has no room for: counted as other.
const noCode = 0xFFFF

// countryKey is a country's code: its two letters (domain.CountryCode:
// CountryUnknown for anything else).
func countryKey(country string) uint16 {
	c := domain.CountryCode(country)
	return uint16(c[0])<<8 | uint16(c[1])
}

// countryNames are the strings of every two-letter code, so reporting a
// country allocates nothing.
var countryNames = func() (names [26 * 26]string) {
	for i := range names {
		names[i] = string([]byte{byte('A' + i/26), byte('A' + i%26)})
	}
	return names
}()

func countryName(key uint16) string {
	return countryNames[int(byte(key>>8)-'A')*26+int(byte(key)-'A')]
}

// valueName is how take names dimension d's codes.
func (r *VisitRecorder) valueName(d domain.Dimension) func(uint16) string {
	if d == domain.DimCountry {
		return countryName
	}
	return r.agents.name
}

// valueKey is how restore finds dimension d's codes again.
func (r *VisitRecorder) valueKey(d domain.Dimension) func(string) uint16 {
	if d == domain.DimCountry {
		return countryKey
	}
	return r.agents.code
}

// maxVocabulary bounds a vocabulary: the user-agent parser's device
// classes, browser and OS families are a few dozen constants; were a parser
// to name more, the rest would be counted as other.
const maxVocabulary = 256

// vocabulary hands out a small code per string, the same for the life of
// the process: codes are looked up without a lock (a table replaced, never
// changed, when a value is added).
type vocabulary struct {
	mu    sync.Mutex
	table atomic.Pointer[vocabularyTable]
	// seen finds a string by where its bytes are, before the map is
	// asked: the parser's values are constants, so the same few pointers
	// come again and again. A slot is set once, to the first string
	// that lands in it; holding the pointer keeps those bytes, which no
	// one may change, from being reused for another string.
	seen [64]atomic.Pointer[seenName]
}

type seenName struct {
	data *byte
	len  int
	code uint16
}

type vocabularyTable struct {
	codes map[string]uint16
	names []string // by code
}

func (v *vocabulary) code(s string) uint16 {
	data := unsafe.StringData(s)
	slot := &v.seen[(uintptr(unsafe.Pointer(data))>>3)%uintptr(len(v.seen))]
	if n := slot.Load(); n != nil && n.data == data && n.len == len(s) {
		return n.code
	}
	c := v.lookup(s)
	if c != noCode && len(s) > 0 && slot.Load() == nil {
		slot.CompareAndSwap(nil, &seenName{data: data, len: len(s), code: c})
	}
	return c
}

func (v *vocabulary) lookup(s string) uint16 {
	if t := v.table.Load(); t != nil {
		if c, ok := t.codes[s]; ok {
			return c
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	old := v.table.Load()
	if old == nil {
		old = &vocabularyTable{}
	}
	if c, ok := old.codes[s]; ok {
		return c
	}
	if len(old.names) >= maxVocabulary {
		return noCode
	}
	s = strings.Clone(s)
	t := &vocabularyTable{codes: make(map[string]uint16, len(old.codes)+1), names: append(old.names[:len(old.names):len(old.names)], s)}
	for k, c := range old.codes {
		t.codes[k] = c
	}
	c := uint16(len(t.names) - 1)
	t.codes[s] = c
	v.table.Store(t)
	return c
}

func (v *vocabulary) name(c uint16) string { return v.table.Load().names[c] }
