// Package useragent tells bots from browsers by their User-Agent header,
// with github.com/medama-io/go-useragent (a maintained, allocation-free trie
// parser) behind a fixed-size cache of verdicts, since a parse costs many
// times what a cached verdict does (BenchmarkIsBot).
package useragent

import (
	"hash/maphash"
	"math/bits"
	"sync/atomic"

	medama "github.com/medama-io/go-useragent"

	"github.com/shortlink/shortlink/ports"
)

// DefaultCacheBytes is the cache's size when Options leave it zero.
const DefaultCacheBytes = 64 << 10

// Options configure a Detector.
type Options struct {
	// CacheBytes is the memory of the verdict cache: 8 bytes a slot,
	// rounded down to a power of two slots (at least 64).
	CacheBytes uint64
}

// Detector implements ports.BotDetector. Its cache is direct-mapped: a
// user agent's 64-bit hash (maphash, seeded per process, so nobody can
// aim collisions) picks one slot, which holds the hash, less its lowest
// bit, and the verdict in that bit. A lookup is one hash and one atomic
// load; a miss parses and overwrites the slot (O(1) eviction, no lock, no
// allocation, memory fixed at start).
type Detector struct {
	parser *medama.Parser
	seed   maphash.Seed
	slots  []atomic.Uint64
	mask   uint64
}

var _ ports.BotDetector = (*Detector)(nil)

// New returns a detector. It builds the parser's trie, which is slow
// enough to do once per process, at start.
func New(opts Options) (*Detector, error) {
	if opts.CacheBytes == 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	n := uint64(1) << (63 - bits.LeadingZeros64(max(opts.CacheBytes/8, 64)))
	return &Detector{parser: medama.NewParser(), seed: maphash.MakeSeed(), slots: make([]atomic.Uint64, n), mask: n - 1}, nil
}

// IsBot implements ports.BotDetector: the library's verdict (crawlers,
// link previewers, HTTP libraries and command-line clients are bots).
func (d *Detector) IsBot(userAgent string) bool {
	h := maphash.String(d.seed, userAgent)
	slot := &d.slots[h&d.mask]
	tag := h | 1 // never 0, the empty slot; the lowest bit holds the verdict
	if v := slot.Load(); v|1 == tag {
		return v&1 == 1
	}
	bot := d.parse(userAgent)
	v := tag &^ 1
	if bot {
		v |= 1
	}
	if v == 0 { // a hash of 0 or 1 marked human would read as empty: skip caching it
		return bot
	}
	slot.Store(v)
	return bot
}

func (d *Detector) parse(userAgent string) bool {
	agent := d.parser.Parse(userAgent)
	return agent.IsBot()
}
