package domain

import (
	"cmp"
	"slices"
	"sync/atomic"
)

// HeavyHitters finds the values that occur most in a stream, in bounded
// memory, by count rather than by arrival: the Space-Saving algorithm
// (Metwally, Agrawal and El Abbadi, 2005). It keeps a counter per tracked
// value; a value it does not track takes the counter of the least counted
// one, inheriting that count as its possible error. So a value that makes
// up more than 1/capacity of the stream is always tracked, and a flood of
// distinct values, each rare, only ever fights over the least counted
// counters: it cannot push out a value seen more often than the flood's
// total divided by the capacity.
//
// For each counter it also knows the exact count since the value took it
// (count − error), and how much of that Report has already handed out, so
// a caller that flushes the counts in batches can name a value with all
// its visits as soon as it ranks among the top, not just those since the
// last batch (see Report).
//
// Adding a value already tracked allocates nothing: a linear scan of up
// to hitterScan counters, beyond that a map lookup, then a sift in a
// min-heap of the counts. Not safe for concurrent use.
type HeavyHitters[T comparable] struct {
	limits   *HeavyHitterLimits[T]
	counters []hitter[T] // a min-heap by count
	index    map[T]int32 // counter position by value, once len(counters) > hitterScan
}

// hitterScan is how many counters are searched one by one before a map
// indexes them.
const hitterScan = 16

type hitter[T comparable] struct {
	value    T
	count    int64 // the estimate: exact since insertion, plus err
	err      int64 // the count inherited at insertion: how much count may overstate
	reported int64 // how much of count − err Report has handed out
}

func (h *hitter[T]) exact() int64 { return h.count - h.err }

// HeavyHitterLimits bound a family of sketches: each may keep Base
// counters, and up to Capacity while the family's shared Room lasts, so
// that a few busy sketches can grow without every sketch costing its most.
type HeavyHitterLimits[T comparable] struct {
	// Capacity is the most counters one sketch keeps.
	Capacity int
	// Base is how many counters a sketch may keep whatever the room.
	Base int
	// Own copies a value before a sketch keeps it (strings.Clone for a
	// string sliced from a request); nil keeps values as given.
	Own func(T) T

	cost int64         // what a counter beyond Base takes from room
	room *atomic.Int64 // what counters beyond Base may still take: a count, or bytes shared by families
}

// NewHeavyHitterLimits returns limits whose sketches may together keep
// room counters beyond base each, and none beyond capacity.
func NewHeavyHitterLimits[T comparable](capacity, base int, room int64, own func(T) T) *HeavyHitterLimits[T] {
	l := &HeavyHitterLimits[T]{Capacity: max(capacity, 1), Base: min(max(base, 1), max(capacity, 1)), Own: own, cost: 1, room: new(atomic.Int64)}
	l.room.Store(room)
	return l
}

// NewHeavyHitterBudget returns limits whose sketches take every counter,
// at cost each (its bytes, say), from budget, which several families may
// share, and none beyond capacity: a sketch may hold no counter at all
// once budget is spent, and then counts nothing.
func NewHeavyHitterBudget[T comparable](capacity int, cost int64, budget *atomic.Int64, own func(T) T) *HeavyHitterLimits[T] {
	return &HeavyHitterLimits[T]{Capacity: max(capacity, 1), Own: own, cost: cost, room: budget}
}

// Room is how many counters beyond their Base the family may still add
// (for a budget, what is left of it).
func (l *HeavyHitterLimits[T]) Room() int64 { return l.room.Load() }

// NewHeavyHitters returns an empty sketch under limits.
func NewHeavyHitters[T comparable](limits *HeavyHitterLimits[T]) HeavyHitters[T] {
	return HeavyHitters[T]{limits: limits}
}

// Counted is a value and how often it was counted.
type Counted[T any] struct {
	Value T
	Count int64
}

// Len is how many values the sketch tracks.
func (h *HeavyHitters[T]) Len() int { return len(h.counters) }

// Add counts n more occurrences of v.
func (h *HeavyHitters[T]) Add(v T, n int64) {
	if i := h.find(v); i >= 0 {
		h.counters[i].count += n
		h.down(i)
		return
	}
	if h.grow() {
		if h.limits.Own != nil {
			v = h.limits.Own(v)
		}
		h.counters = append(h.counters, hitter[T]{value: v, count: n})
		i := len(h.counters) - 1
		if h.index != nil {
			h.index[v] = int32(i)
		} else if len(h.counters) > hitterScan {
			h.buildIndex()
		}
		h.up(i)
		return
	}
	if len(h.counters) == 0 { // a budget spent: nothing to count with
		return
	}
	// Space-Saving: v takes the least counted value's counter.
	least := &h.counters[0]
	if h.index != nil {
		delete(h.index, least.value)
	}
	if h.limits.Own != nil {
		v = h.limits.Own(v)
	}
	*least = hitter[T]{value: v, count: least.count + n, err: least.count}
	if h.index != nil {
		h.index[v] = 0
	}
	h.down(0)
}

// grow reports whether the sketch may add a counter rather than replace one.
func (h *HeavyHitters[T]) grow() bool {
	switch n := len(h.counters); {
	case n < h.limits.Base:
		return true
	case n >= h.limits.Capacity:
		return false
	}
	if h.limits.room.Add(-h.limits.cost) < 0 {
		h.limits.room.Add(h.limits.cost)
		return false
	}
	return true
}

// Report hands out, for the n values of the sketch with the most exact
// counts (count since they took their counter; ties in no set order),
// whatever of that count it has not handed out before, and appends those
// that have some to into, most counted first. It returns into and the sum
// appended.
//
// A value that joins the top late is thus named with all its exact count
// at once, occurrences an earlier Report left unnamed included: a caller
// that counts unnamed occurrences under "other" subtracts the sum from
// that batch's total, so "other" of one batch may be negative while the
// totals stay exact.
func (h *HeavyHitters[T]) Report(n int, into []Counted[T]) ([]Counted[T], int64) {
	if n <= 0 || len(h.counters) == 0 {
		return into, 0
	}
	// The n counters with the most exact counts, most first, ties to the
	// lower index (what a stable sort by count would put first), found in
	// one pass: a counter outside the top so far costs one comparison.
	var small [16]int32 // domain.MaxReferrers and a few more: no allocation
	n = min(n, len(h.counters))
	top := small[:0]
	if n > len(small) {
		top = make([]int32, 0, n)
	}
	for i := range h.counters {
		x := h.counters[i].exact()
		if len(top) == n && h.counters[top[n-1]].exact() >= x {
			continue
		}
		j := len(top)
		if j < n {
			top = append(top, 0)
		} else {
			j--
		}
		for j > 0 && h.counters[top[j-1]].exact() < x {
			top[j] = top[j-1]
			j--
		}
		top[j] = int32(i)
	}
	var sum int64
	for _, i := range top {
		c := &h.counters[i]
		if d := c.exact() - c.reported; d > 0 {
			into = append(into, Counted[T]{Value: c.value, Count: d})
			c.reported += d
			sum += d
		}
	}
	return into, sum
}

// Unreport takes back n of v that a Report handed out and that were not
// used after all (a batch certainly not written), so a later Report hands
// them out again. When v has lost its counter since, its n occurrences are
// counted anew.
func (h *HeavyHitters[T]) Unreport(v T, n int64) {
	if i := h.find(v); i >= 0 {
		c := &h.counters[i]
		back := min(c.reported, n)
		c.reported -= back
		n -= back
	}
	if n > 0 { // handed out from a counter v has lost since
		h.Add(v, n)
	}
}

// Top is the n values with the most exact counts, most first: for tests
// and for callers that read the sketch without reporting.
func (h *HeavyHitters[T]) Top(n int) []Counted[T] {
	top := make([]Counted[T], 0, len(h.counters))
	for _, c := range h.counters {
		top = append(top, Counted[T]{Value: c.value, Count: c.exact()})
	}
	slices.SortStableFunc(top, func(a, b Counted[T]) int { return cmp.Compare(b.Count, a.Count) })
	return top[:min(n, len(top))]
}

// Release empties the sketch and gives back the room its counters took.
func (h *HeavyHitters[T]) Release() {
	if extra := len(h.counters) - h.limits.Base; extra > 0 {
		h.limits.room.Add(int64(extra) * h.limits.cost)
	}
	h.counters, h.index = nil, nil
}

func (h *HeavyHitters[T]) find(v T) int {
	if h.index != nil {
		if i, ok := h.index[v]; ok {
			return int(i)
		}
		return -1
	}
	for i := range h.counters {
		if h.counters[i].value == v {
			return i
		}
	}
	return -1
}

func (h *HeavyHitters[T]) buildIndex() {
	h.index = make(map[T]int32, 2*len(h.counters)) // grows with the counters, not at once to Capacity
	for i, c := range h.counters {
		h.index[c.value] = int32(i)
	}
}

func (h *HeavyHitters[T]) swap(i, j int) {
	h.counters[i], h.counters[j] = h.counters[j], h.counters[i]
	if h.index != nil {
		h.index[h.counters[i].value] = int32(i)
		h.index[h.counters[j].value] = int32(j)
	}
}

// up and down restore the heap after counters[i] got smaller (new) or larger.
func (h *HeavyHitters[T]) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h.counters[parent].count <= h.counters[i].count {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h *HeavyHitters[T]) down(i int) {
	n := len(h.counters)
	for {
		least := i
		if l := 2*i + 1; l < n && h.counters[l].count < h.counters[least].count {
			least = l
		}
		if r := 2*i + 2; r < n && h.counters[r].count < h.counters[least].count {
			least = r
		}
		if least == i {
			return
		}
		h.swap(i, least)
		i = least
	}
}
